import Database from 'better-sqlite3';

type Connection = Database.Database;
/** A connection used only to read. Queries take this; they never begin a transaction. */
export type ReadDb = Connection & { readonly __read: unique symbol };
/** The one writing connection: held by the recorder and the session store alone. */
export type WriteDb = ReadDb & { readonly __write: unique symbol };

export interface ConnectionOptions {
  /** SQLite busy_timeout (`ai_database_lock_retry_ms`). */
  busyTimeoutMs: number;
  readonly?: boolean;
}

export const defaultBusyTimeoutMs = 5000;

/** Opens `wkmp.db` with the pragmas every WKMP connection uses (DESIGN.md, the write path). */
export function openDatabase(path: string, options: ConnectionOptions = { busyTimeoutMs: defaultBusyTimeoutMs }): WriteDb {
  const db = new Database(path, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs))}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db as WriteDb;
}

export function setBusyTimeout(db: ReadDb, ms: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(ms))}`);
}

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
