import type { ReadDb, WriteDb } from '../connection.js';

const INSERT_DEFAULT = 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING';
const SELECT_ALL = 'SELECT key, value FROM settings';

/** Adds the settings that are missing; never overwrites a value another service or a user set. */
export function insertMissingSettings(db: WriteDb, defaults: Readonly<Record<string, string | null>>): void {
  const insert = db.prepare(INSERT_DEFAULT);
  db.transaction(() => {
    for (const [key, value] of Object.entries(defaults)) insert.run(key, value);
  }).immediate();
}

export function listSettings(db: ReadDb): Map<string, string | null> {
  const rows = db.prepare(SELECT_ALL).all() as { key: string; value: string | null }[];
  return new Map(rows.map((row) => [row.key, row.value]));
}
