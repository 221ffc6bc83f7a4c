/**
 * From filesystem events to the folders a rescan has to look at: relative to the library's root,
 * with forward slashes ('' is the root itself), as `ScanEntry.path` is.
 */
import { posix, relative, sep } from 'node:path';

/** What happened to a path, as the watcher reports it. */
export type PathEvent = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

/** `absolutePath` relative to `root`, forward slashes; undefined when it is outside the root. */
export function toRelativePath(root: string, absolutePath: string): string | undefined {
  const rel = relative(root, absolutePath);
  if (rel === '..' || rel.startsWith('..' + sep)) return undefined;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

function parentOf(relPath: string): string {
  const parent = posix.dirname(relPath);
  return parent === '.' ? '' : parent;
}

/**
 * The folder to rescan after `event` on `relPath`: a file's folder; a new folder itself (a folder
 * moved in is new at its new place); the parent of a folder that went away (deleted or moved out:
 * the rescan of its parent finds its files missing). The root itself going away reports the root.
 */
export function folderToRescan(event: PathEvent, relPath: string): string {
  if (event === 'addDir') return relPath;
  if (relPath === '') return '';
  return parentOf(relPath);
}

/** `folder` is `ancestor` or inside it ('' holds everything). */
export function isWithinFolder(folder: string, ancestor: string): boolean {
  return ancestor === '' || folder === ancestor || folder.startsWith(ancestor + '/');
}

/** The folders holding `folder`, up to the root (''); none for the root itself. */
function ancestorsOf(folder: string): string[] {
  if (folder === '') return [];
  const parts = folder.split('/');
  return parts.map((_, i) => parts.slice(0, i).join('/'));
}

/** The folders, each once, without those inside another one of them (its rescan covers them); sorted. */
export function collapseFolders(folders: Iterable<string>): string[] {
  const all = new Set(folders);
  return [...all].filter((folder) => !ancestorsOf(folder).some((ancestor) => all.has(ancestor))).sort();
}
