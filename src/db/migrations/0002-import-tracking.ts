/**
 * What wkmp-ai keeps for itself on top of the WKMP schema: per-file import errors, a mark on
 * files that vanished from disk (WKMP has no status for them, and they are never deleted
 * silently), and the session's counters, write-path metrics and owner process, so that a second
 * process can tell a running import from one that died.
 */
export const importTracking = `
ALTER TABLE files ADD COLUMN missing_since TEXT;

ALTER TABLE import_sessions ADD COLUMN folder TEXT;
ALTER TABLE import_sessions ADD COLUMN owner_pid INTEGER;
ALTER TABLE import_sessions ADD COLUMN counts TEXT;
ALTER TABLE import_sessions ADD COLUMN metrics TEXT;
ALTER TABLE import_sessions ADD COLUMN updated_at TEXT;
CREATE INDEX IF NOT EXISTS idx_import_sessions_state ON import_sessions(state);

CREATE TABLE IF NOT EXISTS import_errors (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES import_sessions(session_id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  phase TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_import_errors_session ON import_errors(session_id);
`;
