/**
 * What the other WKMP services do to wkmp.db (MangoCats/McRhythm, branch ai-trial2), written out
 * as wkmp-ai's own test data from the facts in docs/schema.md: the shared start-up every service
 * runs (wkmp-common), the player's reads and writes (wkmp-ap) and the viewer's reads (wkmp-dr).
 * Run against a database wkmp-ai made, they show the other services can live with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fixtures } from './helpers.js';

/** wkmp.db as those services' start-up makes it: idempotent DDL, seed rows, schema_version at 4. */
export const upstreamSchemaSql = readFileSync(join(fixtures, 'databases', 'wkmp-upstream.sql'), 'utf8');

/** The tables whose columns the start-up completes, the others it only creates when missing. */
const syncedTables = ['files', 'passages', 'songs'];

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
}

function columnsOf(db: Database.Database, table: string): ColumnInfo[] {
  return db.pragma(`table_info(${table})`) as ColumnInfo[];
}

/**
 * The shared start-up on an existing file: (1) its tables and indexes, each only if missing, and
 * its seed rows; (2) the columns of files, passages and songs it expects and the table lacks,
 * added as it adds them (nullable unless NOT NULL with a constant default, no check); (3) its
 * migrations if its schema_version is below 4, each recorded by its version alone; (4) its
 * settings when absent. Returns the columns it had to add, as `table.column`.
 */
export function runWkmpStartup(db: Database.Database): string[] {
  db.pragma('foreign_keys = ON');
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  const expected = new Database(':memory:');
  expected.exec(upstreamSchemaSql);
  const added: string[] = [];
  db.exec(upstreamSchemaSql.replace(/^INSERT OR IGNORE INTO schema_version[^;]*;/m, ''));
  for (const table of syncedTables) {
    const present = new Set(columnsOf(db, table).map((column) => column.name));
    for (const column of columnsOf(expected, table).filter((c) => !present.has(c.name))) {
      const constant = column.dflt_value !== null && !/CURRENT_|\(/i.test(column.dflt_value);
      const notNull = column.notnull === 1 && constant ? ' NOT NULL' : '';
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column.name} ${column.type}${notNull}${constant ? ` DEFAULT ${column.dflt_value}` : ''}`);
      added.push(`${table}.${column.name}`);
    }
  }
  expected.close();
  const version = (db.prepare('SELECT coalesce(max(version), 0) AS version FROM schema_version').get() as { version: number }).version;
  for (let step = version + 1; step <= 4; step++) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(step);
  for (const [key, value] of [['volume_level', '0.5'], ['queue_max_size', '100'], ['api_shared_secret', '4242']]) {
    db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(key, value);
  }
  return added;
}

/**
 * The player's statements on the shared tables, restated: playing a passage (its file and timing,
 * its albums), marking one it cannot decode, its queue, its settings. Each runs once with the
 * given passage; returns what the reads gave, for the test to look at.
 */
export function runPlayer(db: Database.Database, passageGuid: string): { passage: unknown; albums: unknown[]; queue: unknown[] } {
  const passage = db.prepare(`
    SELECT p.guid, f.path, p.start_time_ticks, p.end_time_ticks, p.lead_in_start_ticks, p.lead_out_start_ticks,
           p.fade_in_start_ticks, p.fade_out_start_ticks, p.fade_in_curve, p.fade_out_curve, f.duration_ticks
    FROM passages p JOIN files f ON p.file_id = f.guid WHERE p.guid = ?`).get(passageGuid);
  const albums = db.prepare('SELECT album_id FROM passage_albums WHERE passage_id = ? ORDER BY created_at').all(passageGuid);
  db.prepare("UPDATE passages SET decode_status = 'unsupported_codec' WHERE guid = ?").run(passageGuid);
  const path = (passage as { path: string }).path;
  db.prepare(`INSERT INTO queue (guid, file_path, passage_guid, play_order, start_time_ms, end_time_ms, lead_in_point_ms, lead_out_point_ms,
    fade_in_point_ms, fade_out_point_ms, fade_in_curve, fade_out_curve) VALUES ('q-test', ?, ?, 10, 0, 1000, 0, 1000, 0, 1000, 'exponential', 'logarithmic')`)
    .run(path, passageGuid);
  db.prepare('UPDATE queue SET play_order = play_order + 10 WHERE play_order >= ?').run(0);
  const queue = db.prepare(`SELECT guid, file_path, passage_guid, play_order, start_time_ms, end_time_ms, lead_in_point_ms, lead_out_point_ms,
    fade_in_point_ms, fade_out_point_ms, fade_in_curve, fade_out_curve FROM queue ORDER BY play_order`).all();
  db.prepare("DELETE FROM queue WHERE guid = 'q-test'").run();
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run('last_played_passage_id', passageGuid);
  db.prepare('SELECT value FROM settings WHERE key = ?').get('volume_level');
  db.prepare("DELETE FROM settings WHERE key = 'queue_current_id'").run();
  return { passage, albums, queue };
}

/** The viewer's reads (read-only connection): whole tables a page at a time, and its four searches. */
export function runViewer(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const pages: Record<string, unknown[]> = {};
    for (const table of ['songs', 'passages', 'files', 'artists', 'albums', 'works', 'passage_songs', 'settings']) {
      db.prepare(`SELECT COUNT(*) FROM ${table}`).get();
      pages[table] = table === 'passages'
        ? db.prepare('SELECT passages.*, files.path AS file_path FROM passages LEFT JOIN files ON passages.file_id = files.guid LIMIT 100 OFFSET 0').all()
        : db.prepare(`SELECT * FROM ${table} LIMIT 100 OFFSET 0`).all();
    }
    pages.withoutRecording = db.prepare(`SELECT guid, file_id, start_time_ticks, end_time_ticks, title, created_at FROM passages
      WHERE guid NOT IN (SELECT DISTINCT passage_id FROM passage_songs) ORDER BY created_at DESC`).all();
    pages.withoutPassages = db.prepare(`SELECT guid, path, duration_ticks, hash, created_at FROM files
      WHERE guid NOT IN (SELECT DISTINCT file_id FROM passages) ORDER BY created_at DESC`).all();
    pages.byWork = db.prepare(`SELECT p.guid, p.file_id, p.start_time_ticks, p.end_time_ticks, s.recording_mbid, s.work_id
      FROM passages p JOIN passage_songs ps ON p.guid = ps.passage_id JOIN songs s ON ps.song_id = s.guid WHERE s.work_id = ? ORDER BY p.created_at DESC`).all('x');
    pages.byPath = db.prepare('SELECT guid, path, duration_ticks, hash, created_at FROM files WHERE path LIKE ? ORDER BY path').all('%Album%');
    return pages;
  } finally {
    db.close();
  }
}
