/**
 * From filesystem events to the folders a rescan has to look at: relative to the library's root,
 * with forward slashes ('' is the root itself), as `ScanEntry.path` is.
 */
import { posix } from 'node:path';

/** What happened to a path, as the watcher reports it. */
export type PathEvent = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';


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
