/**
 * The two kinds of connection to wkmp.db, told apart by their types. A `ReadDb` can only prepare
 * statements to read from (no `run`), and is opened read-only: everything outside `db/` gets one.
 * A `WriteDb` is made only here, for the recorder (DESIGN.md: one connection writes, per process),
 * and eslint keeps `openWriteConnection` and better-sqlite3 inside `src/db/`, so a write anywhere
 * else does not compile.
 */
import Database from 'better-sqlite3';

/** A statement of a read-only connection: it reads. */
export interface ReadStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
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
 * service holds the lock, so it retries on the event loop instead (recorder.ts).
 */
export function openWriteConnection(path: string, busyTimeoutMs: number): WriteDb {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db as WriteDb;
}

/**
 * Opens `wkmp.db` read-only. In WAL mode a reader never waits for a writer; it waits, up to
 * `busyTimeoutMs` (`ai_database_lock_retry_ms`), only while the file's WAL index is being rebuilt
 * after another process crashed.
 */
export function openReadConnection(path: string, busyTimeoutMs: number): ReadDb & { close(): void } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  return db;
}

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
