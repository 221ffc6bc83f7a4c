import { SchemaTooNewError } from '../../errors.js';
import type { WriteDb } from '../connection.js';
import { wkmpSchema } from './0001-wkmp-schema.js';
import { importTracking } from './0002-import-tracking.js';
import { analysisLevel } from './0003-analysis-level.js';
import { songBoundaries } from './0004-song-boundaries.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Applied in order; a migration, once released, is never edited: add the next one instead. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'wkmp schema', sql: wkmpSchema },
  { version: 2, name: 'import tracking', sql: importTracking },
  { version: 3, name: 'analysis level', sql: analysisLevel },
  { version: 4, name: 'song boundaries', sql: songBoundaries },
];

export const latestSchemaVersion = migrations.length;

const CREATE_SCHEMA_VERSION = `
CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;
const SELECT_SCHEMA_VERSION = 'SELECT coalesce(max(version), 0) AS version FROM schema_version';
const INSERT_SCHEMA_VERSION = 'INSERT INTO schema_version (version, name) VALUES (?, ?)';

export function getSchemaVersion(db: WriteDb): number {
  db.exec(CREATE_SCHEMA_VERSION);
  return (db.prepare(SELECT_SCHEMA_VERSION).get() as { version: number }).version;
}

/**
 * Brings the database to the latest schema, each migration in its own immediate transaction so
 * that two processes starting at once cannot both apply it. Returns the versions applied.
 */
export function migrate(db: WriteDb, dbPath: string, upTo: number = latestSchemaVersion): number[] {
  const applied: number[] = [];
  const step = db.transaction((migration: Migration) => {
    if (getSchemaVersion(db) >= migration.version) return;
    db.exec(migration.sql);
    db.prepare(INSERT_SCHEMA_VERSION).run(migration.version, migration.name);
    applied.push(migration.version);
  });
  const found = getSchemaVersion(db);
  if (found > latestSchemaVersion) {
    throw new SchemaTooNewError(
      'startup',
      `opening ${dbPath}: schema version ${found} is newer than this wkmp-ai supports (${latestSchemaVersion}); upgrade wkmp-ai`,
      { path: dbPath },
    );
  }
  for (const migration of migrations) {
    if (migration.version > upTo) break;
    if (migration.version > found) step.immediate(migration);
  }
  return applied;
}
