/**
 * What the watcher does not watch: what the import does not import (hidden files, hidden and
 * system folders), and the database's own files, which change on every write the service makes.
 */
import { relativeToRoot } from '../scan/folders.js';

/** The database and the files SQLite keeps beside it (write-ahead log, shared memory, rollback journal). */
export function databaseFilePaths(database: string): string[] {
  return ['', '-wal', '-shm', '-journal'].map((suffix) => database + suffix);
}

export interface IgnoreRules {
  root: string;
  /** A folder name that is never walked (the import's `isSkippedFolder`). */
  isSkipped(name: string): boolean;
  /** Absolute paths, as the watcher reports them (under `root` as given). */
  ignorePaths: ReadonlySet<string>;
}

/**
 * Whether the watcher leaves `absolutePath` alone: an ignored path, a hidden name, or anything
 * inside a skipped folder. Only the part below the root is judged: a root inside a hidden folder
 * is still watched. Whether the last part is a file or a folder is often not known when this is
 * asked (chokidar asks before it stats), so it is judged as a folder name: a file with a name the
 * import skips for folders ('@eaDir', 'lost+found') is not music anyway.
 */
export function isIgnoredPath(absolutePath: string, rules: IgnoreRules): boolean {
  if (rules.ignorePaths.has(absolutePath)) return true;
  const rel = relativeToRoot(rules.root, absolutePath);
  if (rel === undefined || rel === '') return false;
  return rel.split('/').some((name) => name.startsWith('.') || rules.isSkipped(name));
}
