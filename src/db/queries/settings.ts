import type { ReadDb, WriteDb } from '../connection.js';
import { writeUnit, type WriteUnit } from '../write-unit.js';

const INSERT_DEFAULT = 'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP) ON CONFLICT (key) DO NOTHING';
const SELECT_ALL = 'SELECT key, value FROM settings';
const UPSERT = `
INSERT INTO settings (key, value, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;

/**
 * Adds the settings that are missing; never overwrites a value another service or a user set.
 * Reads first: when nothing is missing (every start but the first) it takes no write lock, so a
 * start-up never blocks on, or fails for, another service holding the lock.
 */
export function insertMissingSettings(db: WriteDb, defaults: Readonly<Record<string, string | null>>): void {
  const present = listSettings(db);
  const missing = Object.entries(defaults).filter(([key]) => !present.has(key));
  if (missing.length === 0) return;
  const insert = db.prepare(INSERT_DEFAULT);
  db.transaction(() => {
    for (const [key, value] of missing) insert.run(key, value);
  }).immediate();
}

export function listSettings(db: ReadDb): Map<string, string | null> {
  const rows = db.prepare(SELECT_ALL).all() as { key: string; value: string | null }[];
  return new Map(rows.map((row) => [row.key, row.value]));
}

/** Stores the given settings, all in one transaction (values already checked). */
export function storeSettings(values: ReadonlyMap<string, string | null>): WriteUnit<void> {
  return writeUnit('settings', `storing the settings ${[...values.keys()].join(', ')}`, (db) => {
    const upsert = db.prepare(UPSERT);
    for (const [key, value] of values) upsert.run(key, value);
  });
}
