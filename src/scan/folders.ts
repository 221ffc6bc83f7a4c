/**
 * Folders of the library as the import names them: relative to the root, forward slashes, '' the
 * root itself. The watcher reports them and an import walks them: both collapse them alike.
 */
import { isAbsolute, relative, sep } from 'node:path';

/**
 * `absolutePath` relative to `root`, forward slashes ('' the root itself), as `ScanEntry.path` is;
 * undefined when it lies outside the root. A path that starts with the root is cut, not given to
 * path.relative (which resolves both): the walk asks this of every file.
 */
export function relativeToRoot(root: string, absolutePath: string): string | undefined {
  const rel = absolutePath.startsWith(root + sep) ? absolutePath.slice(root.length + 1) : relative(root, absolutePath);
  if (rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) return undefined;
  return sep === '/' ? rel : rel.split(sep).join('/');
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
