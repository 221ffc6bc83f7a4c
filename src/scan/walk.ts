import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import { sep } from 'node:path';
import type { FileClass } from '../file-record.js';
import { classifyByExtension } from '../file-class.js';
import { comparePaths, relativeToRoot } from './folders.js';

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

/**
 * Files of one folder that follow each other in path order: the whole folder, or the part of it
 * between two of its subfolders (whose files sort between them: "a b/x" < "a.mp3" < "a/x").
 */
export interface WalkedRun {
  /** The folder, relative to the root ('' the root itself). */
  folder: string;
  /** Every file of the folder, in path order (the same array for each of its runs): what its cue sheets are read with. */
  folderFiles: readonly ScanEntry[];
  /** This run's files, in path order. */
  entries: ScanEntry[];
  /** Symbolic links of this run, met and not followed. */
  skippedSymlinks: string[];
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

/** What a folder's listing gives the walk: a name, and whether it leads to a folder to walk. */
interface Listed {
  /** The name, with '/' after a folder's: siblings sorted by it come in the order of the paths under them. */
  key: string;
  dirent: Dirent;
  /** What its lstat found, for a file: undefined when it is neither a regular file nor a link, or is gone. */
  entry?: ScanEntry | 'symlink';
}

function listFolder(absoluteFolder: string, databaseFiles: ReadonlySet<string>): Listed[] {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(absoluteFolder, { withFileTypes: true });
  } catch {
    return []; // unreadable or gone meanwhile: as the walk has always done, the folder holds nothing now
  }
  const listed: Listed[] = [];
  for (const dirent of dirents) {
    if (dirent.name.startsWith('.')) continue; // hidden files and folders
    if (dirent.isDirectory()) {
      if (!isSkippedFolder(dirent.name)) listed.push({ key: `${dirent.name}/`, dirent });
    } else if (databaseFiles.size === 0 || !databaseFiles.has(absoluteFolder + sep + dirent.name)) listed.push({ key: dirent.name, dirent });
  }
  return listed.sort((a, b) => comparePaths(a.key, b.key));
}

function entryOf(absolutePath: string, path: string): ScanEntry | 'symlink' | undefined {
  let stat;
  try {
    stat = lstatSync(absolutePath, { throwIfNoEntry: false });
  } catch {
    return undefined; // unreadable now (a folder replaced by a file meanwhile): the next scan looks again
  }
  if (stat === undefined) return undefined; // gone between listing and lstat: the next scan will not see it either
  if (stat.isSymbolicLink()) return 'symlink';
  if (!stat.isFile()) return undefined;
  return { path, absolutePath, sizeBytes: stat.size, mtimeMs: stat.mtimeMs, device: stat.dev, inode: stat.ino, extensionClass: classifyByExtension(path) };
}

/** The walk lists and stats folders synchronously (an await per folder costs more than the listing) and lets the event loop run this often. */
const yieldEveryMs = 10;

/**
 * Every regular file under `folder` (inside `root`), in path order (comparePaths, the database's
 * order), one folder's run at a time: what is held at once is one folder's listing per level, not
 * the library. Hidden and system folders and hidden files are skipped. Symbolic links are never
 * followed: one leading inside the tree points at what the walk reaches anyway, one leading out of
 * it is not ours to import, and neither can loop.
 */
export async function* walkSorted(root: string, folder: string, database?: string): AsyncGenerator<WalkedRun> {
  // The database and its WAL and shared-memory files live in the root: they are not library files.
  const databaseFiles = new Set(database === undefined ? [] : ['', '-wal', '-shm', '-journal'].map((suffix) => database + suffix));
  const relative = relativeToRoot(root, folder);
  if (relative === undefined) return; // the folder asked for lies inside the root: only a link could lead out
  let since = performance.now();
  for (const run of walkFolder(folder, relative, databaseFiles)) {
    yield run;
    if (performance.now() - since >= yieldEveryMs) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}

function* walkFolder(absoluteFolder: string, folder: string, databaseFiles: ReadonlySet<string>): Generator<WalkedRun> {
  const listed = listFolder(absoluteFolder, databaseFiles);
  const prefix = folder === '' ? '' : `${folder}/`;
  // The files first, each lstat'ed once: the folder's cue sheets sign every audio file in it (scan/plan.ts).
  const folderFiles: ScanEntry[] = [];
  for (const item of listed) {
    if (item.dirent.isDirectory()) continue;
    item.entry = entryOf(absoluteFolder + sep + item.dirent.name, prefix + item.dirent.name);
    if (item.entry !== undefined && item.entry !== 'symlink') folderFiles.push(item.entry);
  }
  let run: WalkedRun = { folder, folderFiles, entries: [], skippedSymlinks: [] };
  for (const item of listed) {
    if (item.dirent.isDirectory()) {
      if (run.entries.length + run.skippedSymlinks.length > 0) yield run;
      run = { folder, folderFiles, entries: [], skippedSymlinks: [] };
      yield* walkFolder(absoluteFolder + sep + item.dirent.name, prefix + item.dirent.name, databaseFiles);
      continue;
    }
    if (item.entry === 'symlink') run.skippedSymlinks.push(prefix + item.dirent.name);
    else if (item.entry !== undefined) run.entries.push(item.entry);
  }
  if (run.entries.length + run.skippedSymlinks.length > 0) yield run;
}

/** The whole walk at once, for the tools that want a list (benchmarks); the import takes it run by run. */
export async function walkLibrary(root: string, folder: string, database?: string): Promise<ScanResult> {
  const result: ScanResult = { entries: [], skippedSymlinks: [] };
  for await (const run of walkSorted(root, folder, database)) {
    result.entries.push(...run.entries);
    result.skippedSymlinks.push(...run.skippedSymlinks);
  }
  return result;
}
