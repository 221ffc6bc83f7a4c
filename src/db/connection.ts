/**
 * The two kinds of connection to wkmp.db, told apart by their types. A `ReadDb` can only prepare
 * statements to read from (no `run`), and is opened read-only: everything outside `db/` gets one.
 * A `WriteDb` is made only here, for the recorder (DESIGN.md: one connection writes, per process),
 * and eslint keeps `openWriteConnection` and better-sqlite3 inside `src/db/`, so a write anywhere
 * else does not compile.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage, InvalidInputError } from '../errors.js';

/** A statement of a read-only connection: it reads. */
export interface ReadStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Rows one at a time, for reads that must not hold them all. */
  iterate(...params: unknown[]): IterableIterator<unknown>;
  /** Rows as arrays in column order instead of objects (better-sqlite3's `raw`): for reads of every file. */
  raw(toggle?: boolean): ReadStatement;
}

/** What readers see of a connection. */
export interface ReadDb {
  prepare(sql: string): ReadStatement;
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

declare const writeBrand: unique symbol;
/** The one writing connection of the process: the recorder's. */
export type WriteDb = Database.Database & { readonly [writeBrand]: true };

/**
 * Opens `wkmp.db` to write, with the pragmas every WKMP connection uses (DESIGN.md, the write
 * path). `busyTimeoutMs` serves the start-up (schema, settings), before anything else runs; the
 * recorder then sets it to 0: a blocking busy handler would freeze the event loop while another
 * service holds the lock, so it retries on the event loop instead (recorder.ts). A file that can't
 * be opened, or written, is an InvalidInputError naming it and saying why (unopenable).
 */
export function openWriteConnection(path: string, busyTimeoutMs: number): WriteDb {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // SQLite opens a file it may not write read-only, and says nothing until the first write.
    if (statOf(path) !== null && !isWritable(path)) throw new InvalidInputError('startup', `opening ${path}: no permission to write it`, { path });
    return db as WriteDb;
  } catch (error) {
    db?.close();
    throw unopenable(path, error);
  }
}

/**
 * Opens `wkmp.db` read-only. In WAL mode a reader never waits for a writer; it waits, up to
 * `busyTimeoutMs` (`ai_database_lock_retry_ms`), only while the file's WAL index is being rebuilt
 * after another process crashed.
 */
export function openReadConnection(path: string, busyTimeoutMs: number): ReadDb & { close(): void } {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    return db;
  } catch (error) {
    throw unopenable(path, error);
  }
}

function statOf(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * What is wrong with `path` as the place of a database file, worded for a person: a folder on the
 * way missing, or a file; the path itself a folder. Null when nothing is wrong with the place.
 */
export function databasePathProblem(path: string): string | null {
  const folder = dirname(path);
  let existing = folder;
  while (statOf(existing) === null && dirname(existing) !== existing) existing = dirname(existing);
  if (statOf(existing)?.isDirectory() === false) return `${existing} is a file, not a folder`;
  if (existing !== folder) return `the folder ${folder} does not exist`;
  if (statOf(path)?.isDirectory() === true) return 'it is a folder, not a database file';
  return null;
}

/** Why wkmp-ai may not write the database at `path`: the file, or the folder its -wal and -shm files go in. */
function writeProblem(path: string): string | null {
  const folder = dirname(path);
  if (statOf(path) !== null && !isWritable(path)) return 'no permission to write it';
  if (!isWritable(folder)) return `no permission to write in the folder ${folder}`;
  return null;
}

/** SQLite's word for what is wrong with the file's content, when that is what failed. */
function contentProblem(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_NOTADB') return 'it is not an SQLite database';
  if (code === 'SQLITE_CORRUPT') return `the database is damaged (${errorMessage(error)})`;
  return null;
}

/** The error to report for a database that could not be opened: which file, and why. Lock contention is not that: it is rethrown as it is. */
function unopenable(path: string, error: unknown): unknown {
  if (error instanceof InvalidInputError || isBusyError(error)) return error;
  const why = databasePathProblem(path) ?? contentProblem(error) ?? writeProblem(path) ?? errorMessage(error);
  return new InvalidInputError('startup', `opening ${path}: ${why}`, { path, cause: error });
}

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
