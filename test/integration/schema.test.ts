import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { latestSchemaVersion } from '../../src/db/migrations/index.js';
import { readSettings } from '../../src/config/settings.js';
import { openWkmpDatabase } from '../../src/db/setup.js';
import { SchemaMismatchError, SchemaTooNewError } from '../../src/errors.js';
import { closeAfterTest, openWriter } from './db-helpers.js';
import { fixtures, tempFolder } from './helpers.js';

/** Every table WKMP.md lists, and wkmp-ai's own. WKMP's `schema_version` is the shared start-up's, not created here. */
const wkmpTables = [
  'files', 'passages', 'songs', 'artists', 'works', 'albums',
  'passage_songs', 'song_artists', 'passage_albums', 'song_works',
  'import_sessions', 'settings', 'acoustid_cache', 'musicbrainz_cache', 'import_errors', 'wkmp_ai_schema_version',
];

function freshPath(): string {
  return join(tempFolder(), 'wkmp.db');
}

/** A plain connection, as another WKMP service would open the file. */
function plain(path: string): Database.Database {
  return closeAfterTest(new Database(path, { fileMustExist: true }));
}

/** A database as wkmp-ai 0.1 left it (its released schema, test/fixtures/databases/wkmp-ai-0.1.sql), with `sql` run on it. */
function releasedDatabase(sql = ''): string {
  const path = freshPath();
  const db = new Database(path);
  db.exec(readFileSync(join(fixtures, 'databases', 'wkmp-ai-0.1.sql'), 'utf8'));
  db.exec(sql);
  db.close();
  return path;
}

function tableNames(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name);
}

function columnNames(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);
}

function ownVersions(db: Database.Database): number[] {
  return (db.prepare('SELECT version FROM wkmp_ai_schema_version ORDER BY version').all() as { version: number }[]).map((row) => row.version);
}

function schemaSnapshot(db: Database.Database): unknown[] {
  return db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all();
}

function settingsOf(db: Database.Database): Map<string, string | null> {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string | null }[];
  return new Map(rows.map((row) => [row.key, row.value]));
}

function thrownBy(fn: () => unknown): Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  if (caught instanceof Error) return caught;
  throw new Error(caught === undefined ? 'expected an error, none was thrown' : `threw a non-Error: ${String(caught)}`);
}

const allVersions = Array.from({ length: latestSchemaVersion }, (_, i) => i + 1);

describe('the WKMP schema', () => {
  it('gives a fresh database every WKMP table, records wkmp-ai\'s migrations in its own table, and leaves schema_version to WKMP', () => {
    const db = openWriter(freshPath());
    expect(tableNames(db)).toEqual(expect.arrayContaining(wkmpTables));
    expect(tableNames(db)).not.toContain('schema_version');
    expect(ownVersions(db)).toEqual(allVersions);
  });

  it('gives the tables the columns WKMP.md names, and those WKMP\'s start-up adds', () => {
    const db = openWriter(freshPath());
    expect(columnNames(db, 'files')).toEqual(expect.arrayContaining([
      'guid', 'path', 'hash', 'modification_time', 'file_size_bytes', 'duration_ticks', 'format', 'sample_rate', 'channels',
      'status', 'matching_hashes', 'artist', 'title', 'album', 'track_number', 'year', 'created_at', 'updated_at',
    ]));
    expect(columnNames(db, 'passages')).toEqual(expect.arrayContaining([
      'guid', 'file_id', 'start_time_ticks', 'end_time_ticks', 'fade_in_start_ticks', 'lead_in_start_ticks',
      'lead_out_start_ticks', 'fade_out_start_ticks', 'fade_in_curve', 'fade_out_curve', 'title', 'user_title', 'artist',
      'album', 'musical_flavor_vector', 'import_metadata', 'additional_metadata', 'status', 'decode_status',
      'recording_mbid', 'song_id', 'identity_confidence', 'import_strategy',
    ]));
    expect(columnNames(db, 'songs')).toEqual(expect.arrayContaining(['title', 'status', 'artist_name', 'flavor_vector', 'flavor_source_blend']));
    expect(columnNames(db, 'passage_songs')).toEqual(expect.arrayContaining(['passage_id', 'song_id', 'start_time_ticks', 'end_time_ticks']));
    expect(columnNames(db, 'song_artists')).toEqual(expect.arrayContaining(['song_id', 'artist_id', 'weight']));
    expect(columnNames(db, 'import_sessions')).toEqual(expect.arrayContaining(['progress_current', 'progress_total', 'progress_percentage']));
    expect(columnNames(db, 'settings')).toEqual(['key', 'value', 'updated_at']);
    expect(columnNames(db, 'acoustid_cache')).toEqual(['fingerprint_hash', 'mbid', 'cached_at']);
  });

  it('indexes files by path and hash and passages by file, title and decode status', () => {
    const db = openWriter(freshPath());
    const indexed = (table: string) => (db.pragma(`index_list(${table})`) as { name: string }[])
      .flatMap((index) => (db.pragma(`index_info(${index.name})`) as { name: string }[]).map((column) => column.name));
    expect(indexed('files')).toEqual(expect.arrayContaining(['path', 'hash']));
    expect(indexed('passages')).toEqual(expect.arrayContaining(['file_id', 'title', 'decode_status']));
  });

  it('accepts every fade curve a WKMP service may write, at both ends, and the player\'s decode statuses', () => {
    const db = openWriter(freshPath());
    db.prepare(`INSERT INTO files (guid, path, hash, modification_time) VALUES ('f1', 'a.mp3', 'h', 't')`).run();
    const insert = db.prepare(`INSERT INTO passages (guid, file_id, start_time_ticks, end_time_ticks, fade_in_curve, fade_out_curve, decode_status)
      VALUES (?, 'f1', 0, 100, ?, ?, ?)`);
    const curves = ['exponential', 'cosine', 'linear', 'logarithmic', 'equal_power'];
    const statuses = ['pending', 'successful', 'unsupported_codec', 'failed'];
    curves.forEach((curve, i) => insert.run(`p${i}`, curve, curve, statuses[i % statuses.length]));
    expect(() => insert.run('bad', 's-curve', null, null)).toThrow(/CHECK constraint failed/);
    expect(() => insert.run('bad', null, null, 'playing')).toThrow(/CHECK constraint failed/);
    expect(db.prepare("SELECT decode_status AS status FROM passages WHERE guid = 'p0'").get()).toEqual({ status: 'pending' });
  });

  it('writes nothing when a complete database is opened again', () => {
    const path = freshPath();
    openWkmpDatabase(path).close();
    const before = plain(path);
    const schema = schemaSnapshot(before);
    const settings = settingsOf(before);
    const changes = before.pragma('data_version', { simple: true });
    before.close();

    openWkmpDatabase(path).close();
    const after = plain(path);
    expect(schemaSnapshot(after)).toEqual(schema);
    expect(ownVersions(after)).toEqual(allVersions);
    expect(settingsOf(after)).toEqual(settings);
    expect(after.pragma('data_version', { simple: true })).toBe(changes);
  });

  it('moves a database wkmp-ai 0.1 made to the shared shape, keeping its rows', () => {
    const path = releasedDatabase(`
      INSERT INTO files (guid, path, hash, modification_time, status, analysis) VALUES ('f1', 'A/one.mp3', 'h1', '2024-01-01T00:00:00.000Z', 'INGEST COMPLETE', 'full');
      INSERT INTO passages (guid, file_id, start_time_ticks, end_time_ticks, fade_in_curve, status) VALUES ('p1', 'f1', 0, 100, 'cosine', 'INGEST COMPLETE');
      INSERT INTO songs (guid, recording_mbid, title) VALUES ('s1', '11111111-1111-4111-8111-111111111111', 'One');
      INSERT INTO passage_songs (passage_id, song_id, start_time_ticks, end_time_ticks) VALUES ('p1', 's1', 0, 100);
      INSERT INTO settings (key, value) VALUES ('volume', '0.8')`);

    const db = openWriter(path);
    // Its migrations are wkmp-ai's own now; schema_version is left for WKMP's start-up to make.
    expect(ownVersions(db)).toEqual(allVersions);
    expect(tableNames(db)).not.toContain('schema_version');
    expect(db.prepare('SELECT guid, path, hash, missing_since AS missingSince, analysis_version AS version FROM files').all()).toEqual([
      { guid: 'f1', path: 'A/one.mp3', hash: 'h1', missingSince: null, version: 1 },
    ]);
    expect(db.prepare('SELECT guid, file_id AS fileId, fade_in_curve AS curve, decode_status AS decode FROM passages').all())
      .toEqual([{ guid: 'p1', fileId: 'f1', curve: 'cosine', decode: 'pending' }]);
    expect(db.prepare('SELECT passage_id AS passageId, song_id AS songId FROM passage_songs').all()).toEqual([{ passageId: 'p1', songId: 's1' }]);
    expect(settingsOf(db).get('volume')).toBe('0.8');
    // The fade curves are WKMP's five at both ends now; the passage's indexes are back, decode status's too.
    db.prepare("UPDATE passages SET fade_in_curve = 'equal_power', fade_out_curve = 'exponential' WHERE guid = 'p1'").run();
    const indexes = (db.pragma('index_list(passages)') as { name: string }[]).map((index) => index.name);
    expect(indexes).toEqual(expect.arrayContaining(['idx_passages_file_id', 'idx_passages_title', 'idx_passages_decode_status']));
    expect(columnNames(db, 'acoustid_cache')).toEqual(['fingerprint_hash', 'mbid', 'cached_at']);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // Deleting the file still deletes its passages and links: the rebuilt table kept its references.
    db.prepare("DELETE FROM files WHERE guid = 'f1'").run();
    expect(db.prepare('SELECT count(*) AS n FROM passage_songs').get()).toEqual({ n: 0 });
  });

  it('moves the silence settings still at upstream\'s old defaults to the song-boundary ones, once, keeping chosen values', () => {
    const path = releasedDatabase(`
      DELETE FROM schema_version WHERE version = 4;
      INSERT INTO settings (key, value) VALUES ('silence_threshold_dB', '35'), ('silence_min_duration_ticks', '9000000')`);
    const db = openWriter(path);
    expect(settingsOf(db).get('silence_threshold_dB')).toBe('70');
    expect(settingsOf(db).get('silence_min_duration_ticks')).toBe('9000000');
    db.prepare("UPDATE settings SET value = '35' WHERE key = 'silence_threshold_dB'").run();
    db.close();
    expect(settingsOf(openWriter(path)).get('silence_threshold_dB')).toBe('35');
  });

  it('sets aside an acoustid_cache of wkmp-ai 0.1\'s shape that someone wrote to, and makes WKMP\'s', () => {
    const path = releasedDatabase("INSERT INTO acoustid_cache (fingerprint, recording_mbid, score) VALUES ('AQAA', 'x', 0.9)");
    const db = openWriter(path);
    expect(columnNames(db, 'acoustid_cache')).toEqual(['fingerprint_hash', 'mbid', 'cached_at']);
    expect(db.prepare('SELECT fingerprint FROM acoustid_cache_wkmp_ai_0_1').all()).toEqual([{ fingerprint: 'AQAA' }]);
  });

  it('refuses a database a newer wkmp-ai migrated, naming the file and saying to upgrade, and changes nothing', () => {
    const path = freshPath();
    openWkmpDatabase(path).close();
    const newer = plain(path);
    newer.prepare("INSERT INTO wkmp_ai_schema_version (version, name) VALUES (?, 'from the future')").run(latestSchemaVersion + 1);
    const schema = schemaSnapshot(newer);
    newer.close();

    const error = thrownBy(() => openWkmpDatabase(path));
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/upgrade/i);
    expect(error.message).not.toContain('\n');
    expect(schemaSnapshot(plain(path))).toEqual(schema);
  });

  it('never refuses a database because of WKMP\'s own schema version', () => {
    const path = freshPath();
    const other = new Database(path);
    other.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP); INSERT INTO schema_version (version) VALUES (1), (2), (3), (4), (99)');
    other.close();
    const db = openWriter(path);
    expect(ownVersions(db)).toEqual(allVersions);
    expect(db.prepare('SELECT max(version) AS version FROM schema_version').get()).toEqual({ version: 99 });
  });

  it('refuses, naming the table and the column, a table that lacks a key column it cannot add', () => {
    const path = freshPath();
    const other = new Database(path);
    other.exec('CREATE TABLE files (guid TEXT PRIMARY KEY, hash TEXT)');
    other.close();
    const error = thrownBy(() => openWkmpDatabase(path));
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect(error.message).toMatch(/table files has no column path/);
    expect(error.message).toContain(path);
  });

  it('seeds the settings WKMP.md lists with their defaults, and the core count as NULL: worked out on the machine that runs', () => {
    const settings = settingsOf(openWriter(freshPath()));
    expect(Object.fromEntries(settings)).toMatchObject({
      ingest_max_concurrent_jobs: null,
      ai_database_lock_retry_ms: '5000',
      ai_database_max_lock_wait_ms: '30000',
      silence_threshold_dB: '70',
      silence_min_duration_ticks: '14112000',
      minimum_passage_audio_duration_ticks: '2822400',
      minimum_song_duration_ticks: '423360000',
      music_directories: '[]',
    });
    expect(settings.has('acoustid_api_key')).toBe(true);
    expect(settings.get('acoustid_api_key')).toBeNull();
  });

  it('forgets a core count seeded by an older wkmp-ai on another machine, and keeps one a person set', () => {
    // As wkmp-ai up to migration 6 seeded it: every missing key in one transaction, the core count with them.
    const seededThere = freshPath();
    const old = new Database(seededThere);
    old.exec(`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
      INSERT INTO settings (key, value, updated_at) VALUES ('ingest_max_concurrent_jobs', '32', '2026-01-01 10:00:00'),
        ('ai_database_lock_retry_ms', '5000', '2026-01-01 10:00:00'), ('silence_min_duration_ticks', '14112000', '2026-01-01 10:00:00')`);
    old.close();
    expect(settingsOf(openWriter(seededThere)).get('ingest_max_concurrent_jobs')).toBeNull();
    expect(readSettings(settingsOf(openWriter(seededThere))).ingest_max_concurrent_jobs).toBe(availableParallelism());

    const setByHand = freshPath();
    const chosen = new Database(setByHand);
    chosen.exec(`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
      INSERT INTO settings (key, value, updated_at) VALUES ('ingest_max_concurrent_jobs', '3', '2026-02-03 08:15:00'),
        ('ai_database_lock_retry_ms', '5000', '2026-01-01 10:00:00'), ('silence_min_duration_ticks', '14112000', '2026-01-01 10:00:00')`);
    chosen.close();
    expect(settingsOf(openWriter(setByHand)).get('ingest_max_concurrent_jobs')).toBe('3');
  });

  it('never overwrites a setting someone else set, and seeds one that was deleted', () => {
    const path = freshPath();
    openWkmpDatabase(path).close();
    const other = plain(path);
    other.prepare("UPDATE settings SET value = '250' WHERE key = 'ai_database_lock_retry_ms'").run();
    other.prepare("DELETE FROM settings WHERE key = 'silence_threshold_dB'").run();
    other.close();

    const settings = settingsOf(openWriter(path));
    expect(settings.get('ai_database_lock_retry_ms')).toBe('250');
    expect(settings.get('silence_threshold_dB')).toBe('70');
  });

  it('keeps settings another service wrote before wkmp-ai first opened the file', () => {
    const path = freshPath();
    const other = new Database(path);
    other.exec("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT); INSERT INTO settings VALUES ('silence_threshold_dB', '40'), ('volume', '0.5')");
    other.close();

    const settings = settingsOf(openWriter(path));
    expect(settings.get('silence_threshold_dB')).toBe('40');
    expect(settings.get('volume')).toBe('0.5');
    expect(settings.get('ai_database_max_lock_wait_ms')).toBe('30000');
  });

  it('opens the file with WAL, foreign keys on, synchronous NORMAL and a busy timeout', () => {
    const path = freshPath();
    const db = openWriter(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    // WAL is a property of the file: every other service's connection gets it too.
    expect(plain(path).pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('enforces the constraints other services rely on: a passage ends after it starts and belongs to a file', () => {
    const db = openWriter(freshPath());
    db.prepare(`INSERT INTO files (guid, path, hash, modification_time) VALUES ('f1', 'a.mp3', 'h', 't')`).run();
    expect(() => db.prepare(`INSERT INTO passages (guid, file_id, start_time_ticks, end_time_ticks) VALUES ('p1', 'f1', 100, 100)`).run())
      .toThrow(/CHECK constraint failed/);
    expect(() => db.prepare(`INSERT INTO passages (guid, file_id, start_time_ticks, end_time_ticks) VALUES ('p2', 'nope', 0, 100)`).run())
      .toThrow(/FOREIGN KEY constraint failed/);
    db.prepare(`INSERT INTO passages (guid, file_id, start_time_ticks, end_time_ticks) VALUES ('p3', 'f1', 0, 100)`).run();
    db.prepare(`DELETE FROM files WHERE guid = 'f1'`).run();
    expect(db.prepare('SELECT count(*) AS n FROM passages').get()).toEqual({ n: 0 });
  });
});
