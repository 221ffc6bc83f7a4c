import type { ReadDb, WriteDb } from '../connection.js';

export type SessionState = 'SCANNING' | 'PROCESSING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface SessionRow {
  sessionId: string;
  state: SessionState;
  rootFolder: string;
  folder: string | null;
  parameters: string | null;
  filesTotal: number;
  filesProcessed: number;
  currentOperation: string | null;
  counts: string | null;
  metrics: string | null;
  errors: string | null;
  ownerPid: number | null;
  startedAt: string;
  endedAt: string | null;
}

const SESSION_COLUMNS = `
session_id AS sessionId, state, root_folder AS rootFolder, folder, parameters, files_total AS filesTotal,
files_processed AS filesProcessed, current_operation AS currentOperation, counts, metrics, errors,
owner_pid AS ownerPid, started_at AS startedAt, ended_at AS endedAt`;
const SELECT_ONE = `SELECT ${SESSION_COLUMNS} FROM import_sessions WHERE session_id = ?`;
const SELECT_RUNNING = `SELECT ${SESSION_COLUMNS} FROM import_sessions WHERE state IN ('SCANNING', 'PROCESSING')`;
// Every column WKMP's start-up declares NOT NULL without a default is written, so that a table it
// created takes these rows too: progress_*, current_operation, errors (docs/schema.md).
const INSERT_SESSION = `
INSERT INTO import_sessions (session_id, state, root_folder, folder, parameters, owner_pid, progress_current, progress_total,
  progress_percentage, current_operation, errors, started_at, updated_at)
VALUES (?, 'SCANNING', ?, ?, ?, ?, 0, 0, 0, 'scanning', '[]', strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ'))`;
const PROGRESS = `files_total = @filesTotal, files_processed = @filesProcessed, progress_current = @filesProcessed,
  progress_total = @filesTotal, progress_percentage = CASE WHEN @filesTotal > 0 THEN 100.0 * @filesProcessed / @filesTotal ELSE 0 END`;
const UPDATE_PROGRESS = `
UPDATE import_sessions SET state = @state, ${PROGRESS}, current_operation = @currentOperation, counts = @counts, metrics = @metrics,
  updated_at = strftime('%Y-%m-%dT%H:%M:%fZ')
WHERE session_id = @sessionId`;
const END_SESSION = `
UPDATE import_sessions SET state = @state, ${PROGRESS}, current_operation = 'finished', counts = @counts, metrics = @metrics,
  errors = @errors, ended_at = strftime('%Y-%m-%dT%H:%M:%fZ'), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ')
WHERE session_id = @sessionId`;
const CANCEL_SESSION = `
UPDATE import_sessions SET state = 'CANCELLED', current_operation = 'finished', ended_at = strftime('%Y-%m-%dT%H:%M:%fZ'),
  errors = ? WHERE session_id = ? AND state IN ('SCANNING', 'PROCESSING')`;
const SELECT_ERRORS = `
SELECT path, phase, code, message FROM import_errors WHERE session_id = ? ORDER BY id LIMIT ?`;
const SELECT_ERRORS_AFTER = `
SELECT id, path, phase, code, message FROM import_errors WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?`;
const COUNT_ERRORS = 'SELECT count(*) AS n FROM import_errors WHERE session_id = ?';
// The latest first, by start and then id (idx_import_sessions_started); the cursor is the last session listed.
const LISTED_SESSIONS = `
SELECT s.session_id AS sessionId, s.state, s.root_folder AS rootFolder, s.folder, s.parameters, s.files_total AS filesTotal,
  s.files_processed AS filesProcessed, s.counts, s.metrics, s.errors, s.started_at AS startedAt, s.ended_at AS endedAt,
  (SELECT count(*) FROM import_errors e WHERE e.session_id = s.session_id) AS fileErrors
FROM import_sessions s`;
const LIST_LATEST_SESSIONS = `${LISTED_SESSIONS}
ORDER BY s.started_at DESC, s.session_id DESC LIMIT ?`;
const LIST_SESSIONS_BEFORE = `${LISTED_SESSIONS}
WHERE (s.started_at, s.session_id) < (SELECT c.started_at, c.session_id FROM import_sessions c WHERE c.session_id = ?)
ORDER BY s.started_at DESC, s.session_id DESC LIMIT ?`;

export function getSession(db: ReadDb, sessionId: string): SessionRow | undefined {
  return db.prepare(SELECT_ONE).get(sessionId) as SessionRow | undefined;
}

export function listRunningSessions(db: ReadDb): SessionRow[] {
  return db.prepare(SELECT_RUNNING).all() as SessionRow[];
}

export function insertSession(
  db: WriteDb,
  row: { sessionId: string; rootFolder: string; folder: string; parameters: string; ownerPid: number },
): void {
  db.prepare(INSERT_SESSION).run(row.sessionId, row.rootFolder, row.folder, row.parameters, row.ownerPid);
}

export interface SessionProgressRow {
  sessionId: string;
  state: SessionState;
  filesTotal: number;
  filesProcessed: number;
  currentOperation: string | null;
  counts: string;
  metrics: string;
}

export function updateSessionProgress(db: WriteDb, row: SessionProgressRow): void {
  db.prepare(UPDATE_PROGRESS).run(row);
}

/** `errors`: a JSON array of the session's own errors (file errors are import_errors rows). */
export function updateSessionEnd(db: WriteDb, row: Omit<SessionProgressRow, 'currentOperation'> & { errors: string }): void {
  db.prepare(END_SESSION).run(row);
}

/** Ends a session left running by a process that is gone. */
export function updateSessionCancelled(db: WriteDb, sessionId: string, reason: string): void {
  db.prepare(CANCEL_SESSION).run(JSON.stringify([reason]), sessionId);
}

export interface ImportErrorRow {
  path: string;
  phase: string;
  code: string;
  message: string;
}

/** A session's first `limit` per-file errors, oldest first (the command line's summary). */
export function listImportErrors(db: ReadDb, sessionId: string, limit: number): ImportErrorRow[] {
  return db.prepare(SELECT_ERRORS).all(sessionId, limit) as ImportErrorRow[];
}

/** A stored per-file error with its id, the cursor of the pages below. */
export interface StoredImportError extends ImportErrorRow {
  id: number;
}

/** A session's per-file errors after the error `afterId` (0: from the first), oldest first, at most `limit`. */
export function listImportErrorsAfter(db: ReadDb, sessionId: string, afterId: number, limit: number): StoredImportError[] {
  return db.prepare(SELECT_ERRORS_AFTER).all(sessionId, afterId, limit) as StoredImportError[];
}

export function countImportErrors(db: ReadDb, sessionId: string): number {
  return (db.prepare(COUNT_ERRORS).get(sessionId) as { n: number }).n;
}

/** A session in the list of sessions: its row and how many per-file errors it has. */
export interface ListedSession extends Omit<SessionRow, 'currentOperation' | 'ownerPid'> {
  fileErrors: number;
}

/**
 * The latest sessions first, whoever ran them, at most `limit`; with `before` (a session id), the
 * ones that started before it. A `before` that names no session lists nothing: check it first.
 */
export function listSessions(db: ReadDb, before: string | null, limit: number): ListedSession[] {
  const rows = before === null ? db.prepare(LIST_LATEST_SESSIONS).all(limit) : db.prepare(LIST_SESSIONS_BEFORE).all(before, limit);
  return rows as ListedSession[];
}
