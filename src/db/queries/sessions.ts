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
const INSERT_SESSION = `
INSERT INTO import_sessions (session_id, state, root_folder, folder, parameters, owner_pid, started_at, updated_at)
VALUES (?, 'SCANNING', ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ'))`;
const UPDATE_PROGRESS = `
UPDATE import_sessions SET state = @state, files_total = @filesTotal, files_processed = @filesProcessed,
  current_operation = @currentOperation, counts = @counts, metrics = @metrics, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ')
WHERE session_id = @sessionId`;
const END_SESSION = `
UPDATE import_sessions SET state = @state, files_total = @filesTotal, files_processed = @filesProcessed,
  current_operation = NULL, counts = @counts, metrics = @metrics, errors = @errors,
  ended_at = strftime('%Y-%m-%dT%H:%M:%fZ'), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ')
WHERE session_id = @sessionId`;
const CANCEL_SESSION = `
UPDATE import_sessions SET state = 'CANCELLED', current_operation = NULL, ended_at = strftime('%Y-%m-%dT%H:%M:%fZ'),
  errors = ? WHERE session_id = ? AND state IN ('SCANNING', 'PROCESSING')`;
const SELECT_ERRORS = `
SELECT path, phase, code, message FROM import_errors WHERE session_id = ? ORDER BY id`;

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

export function updateSessionEnd(db: WriteDb, row: Omit<SessionProgressRow, 'currentOperation'> & { errors: string | null }): void {
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

export function listImportErrors(db: ReadDb, sessionId: string): ImportErrorRow[] {
  return db.prepare(SELECT_ERRORS).all(sessionId) as ImportErrorRow[];
}
