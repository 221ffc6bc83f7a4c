/**
 * wkmp-ai's migrations, recorded in a table of its own (`wkmp_ai_schema_version`): WKMP's
 * `schema_version` belongs to the shared start-up of the other services, and its numbers are
 * theirs. Tables, columns and indexes are not migrated by number but completed by ensureSchema
 * (ensure-schema.ts), whoever made the file; what is left here is what must happen once: moving a
 * database made by wkmp-ai 0.1 to the shared shape, and changing values another release stored.
 *
 * Opening runs, in order: the moves of `repairs.ts` (detected, so they run once whatever the
 * numbers say), ensureSchema, then the numbered steps not yet recorded.
 */
import { SchemaTooNewError } from '../../errors.js';
import type { ReadDb, WriteDb } from '../connection.js';
import { ensureSchema, listTables } from '../ensure-schema.js';
import { createIndexesSql, createTableSql, ownVersionTable, tables } from '../schema.js';
import { repairSharedSchema } from './repairs.js';

interface Migration {
  version: number;
  name: string;
  /** What must happen to the data once; tables and columns are ensureSchema's. */
  run?: (db: WriteDb) => void;
}

/**
 * Settings still at the defaults of wkmp-ai 0.1 (upstream's −35 dBFS, 300 ms, which cut real
 * songs at every quiet bar) move to the song-boundary ones (docs/adr/0003); a value someone chose
 * is kept.
 */
const MOVE_SILENCE_DEFAULTS = `
UPDATE settings SET value = '70' WHERE key = 'silence_threshold_dB' AND value = '35';
UPDATE settings SET value = '14112000' WHERE key = 'silence_min_duration_ticks' AND value = '8467200'`;

/**
 * `ingest_max_concurrent_jobs` was seeded with the core count of the machine that first opened the
 * file, which a database moved to another machine kept. Its default is now worked out where wkmp-ai
 * runs (config/settings.ts): a value still as seeded (written in the same moment as the settings
 * seeded with it, never changed since) goes back to NULL, "this machine's". A value someone set is kept.
 */
const FORGET_SEEDED_JOBS = `
UPDATE settings SET value = NULL
WHERE key = 'ingest_max_concurrent_jobs' AND value IS NOT NULL AND updated_at IN (
  SELECT updated_at FROM settings
  WHERE key IN ('ai_database_lock_retry_ms', 'ai_database_max_lock_wait_ms', 'silence_min_duration_ticks', 'minimum_passage_audio_duration_ticks'))`;

/** Applied in order, each recorded once; a migration, once released, is never edited: add the next one. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'wkmp schema' },
  { version: 2, name: 'import tracking' },
  { version: 3, name: 'analysis level' },
  { version: 4, name: 'song boundaries', run: (db) => db.exec(MOVE_SILENCE_DEFAULTS) },
  { version: 5, name: 'shared with WKMP' },
  // files.codec is ensureSchema's; the class check of wkmp_ai_other_files gains 'video', which only a
  // new table can have: it is a memo of what non-audio files were, so it is dropped and made again.
  { version: 6, name: 'stream facts', run: (db) => db.exec(remakeOtherFiles()) },
  { version: 7, name: 'machine defaults', run: (db) => db.exec(FORGET_SEEDED_JOBS) },
];

function remakeOtherFiles(): string {
  const table = tables.find((t) => t.name === 'wkmp_ai_other_files')!;
  return [`DROP TABLE IF EXISTS ${table.name}`, createTableSql(table), ...createIndexesSql(table)].join(';\n');
}

export const latestSchemaVersion = migrations.length;

const SELECT_VERSION = `SELECT coalesce(max(version), 0) AS version FROM ${ownVersionTable.name}`;
const INSERT_VERSION = `INSERT INTO ${ownVersionTable.name} (version, name) VALUES (?, ?)`;

/** The last of wkmp-ai's migrations recorded in the file; 0 before its first. */
export function getSchemaVersion(db: ReadDb): number {
  return (db.prepare(SELECT_VERSION).get() as { version: number }).version;
}

/**
 * Brings the database to what this wkmp-ai needs, each step in its own immediate transaction so
 * that two processes starting at once cannot both apply it. Refuses only a file that a newer
 * wkmp-ai migrated (its own numbers), never one because of WKMP's. Returns the versions applied.
 */
export function migrate(db: WriteDb, dbPath: string): number[] {
  const recorded = listTables(db).has(ownVersionTable.name) ? getSchemaVersion(db) : 0;
  if (recorded > latestSchemaVersion) {
    throw new SchemaTooNewError(
      'startup',
      `opening ${dbPath}: wkmp-ai's schema version ${recorded} is newer than this wkmp-ai supports (${latestSchemaVersion}); upgrade wkmp-ai`,
      { path: dbPath },
    );
  }
  repairSharedSchema(db);
  ensureSchema(db, dbPath);
  const found = getSchemaVersion(db);
  const applied: number[] = [];
  const step = db.transaction((migration: Migration) => {
    if (getSchemaVersion(db) >= migration.version) return;
    migration.run?.(db);
    db.prepare(INSERT_VERSION).run(migration.version, migration.name);
    applied.push(migration.version);
  });
  for (const migration of migrations) if (migration.version > found) step.immediate(migration);
  return applied;
}
