/** Import sessions written straight into wkmp.db, as other runs (or other importers) left them. */
import { insertSession } from '../../src/db/queries/sessions.js';
import { openWriter } from '../integration/db-helpers.js';

export interface SeededSession {
  id: string;
  /** As wkmp-ai writes it: 2024-01-01T10:00:00.000Z. */
  startedAt: string;
  /** The `parameters` column's text. */
  parameters: string;
  /** Its counts, as the `counts` column holds them. */
  counts?: Record<string, number>;
  /** How many per-file errors it has; each one's message is `message(i)`. */
  errors?: number;
  message?: (i: number) => string;
}

/** Writes ended (COMPLETED) sessions with their per-file errors; the service may start on the file after. */
export function seedSessions(dbPath: string, rows: readonly SeededSession[]): void {
  const db = openWriter(dbPath);
  const ended = db.prepare("UPDATE import_sessions SET state = 'COMPLETED', started_at = ?, ended_at = ?, owner_pid = NULL, counts = ? WHERE session_id = ?");
  const error = db.prepare("INSERT INTO import_errors (session_id, path, phase, code, message) VALUES (?, ?, 'decode', 'DECODE_FAILED', ?)");
  for (const row of rows) {
    insertSession(db, { sessionId: row.id, rootFolder: '/music', folder: '', parameters: row.parameters, ownerPid: process.pid });
    ended.run(row.startedAt, row.startedAt, row.counts === undefined ? null : JSON.stringify(row.counts), row.id);
    for (let i = 0; i < (row.errors ?? 0); i++) error.run(row.id, `f${i}.flac`, row.message?.(i) ?? `decoding f${i}.flac: broken`);
  }
}
