/**
 * Paths the API takes relative to the root folder: `..`, other absolute paths and symbolic links
 * leading out of the root are refused (400), a path that does not exist is a 404.
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export type Located = { ok: true; absolutePath: string; relativePath: string } | { ok: false; status: 400 | 404; message: string };

/** The file or folder `path` names inside the root (`''` is the root itself, allowed only for a folder). */
export function locateInRoot(rootFolder: string, path: string, kind: 'file' | 'folder'): Located {
  const realRoot = realpathSync(rootFolder);
  const outside = { ok: false, status: 400, message: `${kind} ${path} is outside the root folder ${realRoot}` } as const;
  const wanted = resolve(realRoot, path);
  const isRoot = wanted === realRoot && kind === 'folder';
  if (!isRoot && !isInside(realRoot, wanted)) return outside;
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    return { ok: false, status: 404, message: `${kind} ${path} does not exist` };
  }
  if (!(real === realRoot && kind === 'folder') && !isInside(realRoot, real)) return outside;
  const stat = statSync(real);
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) return { ok: false, status: 400, message: `${path} is not a ${kind}` };
  return { ok: true, absolutePath: real, relativePath: relative(realRoot, wanted).split(sep).join('/') };
}
