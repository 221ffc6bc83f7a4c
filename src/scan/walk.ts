import { lstatSync } from 'node:fs';
import { sep } from 'node:path';
import { fdir } from 'fdir';
import type { FileClass } from '../file-record.js';
import { classifyByExtension } from '../file-class.js';
import { relativeToRoot } from './folders.js';

export interface ScanEntry {
  /** Relative to the root folder, forward slashes. */
  path: string;
  absolutePath: string;
  sizeBytes: number;
  mtimeMs: number;
  /** Where it lives on disk (st_dev, st_ino): a rename within one filesystem keeps both. */
  device: number;
  inode: number;
  /** From the extension; files whose content may say otherwise are checked later. */
  extensionClass: FileClass;
}

export interface ScanResult {
  entries: ScanEntry[];
  /** Symbolic links met and not followed. */
  skippedSymlinks: string[];
}

/** Folders that hold no music: operating-system and NAS housekeeping. */
const systemFolders = new Set([
  '$RECYCLE.BIN', 'System Volume Information', 'lost+found', '@eaDir', '#recycle', '#snapshot', 'RECYCLER',
]);

/** Hidden, system and NAS housekeeping folders: never walked, never offered for import. */
export function isSkippedFolder(name: string): boolean {
  return name.startsWith('.') || systemFolders.has(name);
}

function isHiddenFile(name: string): boolean {
  return name.startsWith('.');
}


/**
 * Every regular file under `folder` (inside `root`), skipping hidden and system folders and
 * hidden files. Symbolic links are never followed: one leading inside the tree points at what
 * the walk reaches anyway, one leading out of it is not ours to import, and neither can loop.
 */
export async function walkLibrary(root: string, folder: string, database?: string): Promise<ScanResult> {
  // The database and its WAL and shared-memory files live in the root: they are not library files.
  const databaseFiles = new Set(database === undefined ? [] : ['', '-wal', '-shm', '-journal'].map((suffix) => database + suffix));
  const paths = await new fdir()
    .withFullPaths()
    .exclude((name) => isSkippedFolder(name))
    .filter((path) => !isHiddenFile(path.slice(path.lastIndexOf(sep) + 1)) && !databaseFiles.has(path))
    .crawl(folder)
    .withPromise();
  const entries: ScanEntry[] = [];
  const skippedSymlinks: string[] = [];
  for (const absolutePath of paths) {
    let stat;
    try {
      stat = lstatSync(absolutePath, { throwIfNoEntry: false });
    } catch {
      continue; // unreadable now (a folder replaced by a file meanwhile): the next scan looks again
    }
    if (stat === undefined) continue; // gone between listing and lstat: the next scan will not see it either
    const path = relativeToRoot(root, absolutePath);
    if (path === undefined) continue; // fdir crawls inside the folder asked for, itself inside the root
    if (stat.isSymbolicLink()) {
      skippedSymlinks.push(path);
      continue;
    }
    if (!stat.isFile()) continue;
    entries.push({ path, absolutePath, sizeBytes: stat.size, mtimeMs: stat.mtimeMs, device: stat.dev, inode: stat.ino, extensionClass: classifyByExtension(path) });
  }
  return { entries, skippedSymlinks };
}
