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

/** A UTF-16 code unit mapped so that comparing units orders strings by code point: surrogates (above U+FFFF) after U+E000–U+FFFF. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/**
 * Orders paths as SQLite's BINARY collation does (memcmp of UTF-8, that is by code point), not as
 * JavaScript's `<` does (by UTF-16 unit, which differs above U+FFFF): the walk and the database's
 * rows are merged in this order (scan/plan.ts), so the two must agree to the byte.
 */
export function comparePaths(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}
