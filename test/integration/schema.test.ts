import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { latestSchemaVersion, migrate } from '../../src/db/migrations/index.js';
import { openWkmpDatabase } from '../../src/db/setup.js';
import { SchemaTooNewError } from '../../src/errors.js';
import { closeAfterTest, openWriter } from './db-helpers.js';
import { tempFolder } from './helpers.js';

/** Every table WKMP.md lists, and the schema_version table. */
const wkmpTables = [
  'files', 'passages', 'songs', 'artists', 'works', 'albums',
  'passage_songs', 'song_artists', 'passage_albums', 'song_works',
  'import_sessions', 'settings', 'acoustid_cache', 'musicbrainz_cache', 'schema_version',
];

function freshPath(): string {
  return join(tempFolder(), 'wkmp.db');
}

/** A plain connection, as another WKMP service would open the file. */
function plain(path: string): Database.Database {
  return closeAfterTest(new Database(path, { fileMustExist: true }));
}

function tableNames(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name);
}

function columnNames(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);
}

function schemaVersions(db: Database.Database): number[] {
  return (db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[]).map((row) => row.version);
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
  it('gives a fresh database every WKMP table and one schema_version row per migration', () => {
    const db = openWriter(freshPath());
    expect(tableNames(db)).toEqual(expect.arrayContaining(wkmpTables));
    expect(schemaVersions(db)).toEqual(allVersions);
  });

  it('gives the tables the columns WKMP.md names', () => {
    const db = openWriter(freshPath());
    expect(columnNames(db, 'files')).toEqual(expect.arrayContaining([
      'guid', 'path', 'hash', 'modification_time', 'file_size_bytes', 'duration_ticks', 'format', 'sample_rate', 'channels',
      'status', 'matching_hashes', 'artist', 'title', 'album', 'track_number', 'year', 'created_at', 'updated_at',
    ]));
    expect(columnNames(db, 'passages')).toEqual(expect.arrayContaining([
      'guid', 'file_id', 'start_time_ticks', 'end_time_ticks', 'fade_in_start_ticks', 'lead_in_start_ticks',
      'lead_out_start_ticks', 'fade_out_start_ticks', 'fade_in_curve', 'fade_out_curve', 'title', 'user_title', 'artist',
      'album', 'musical_flavor_vector', 'import_metadata', 'additional_metadata', 'status',
    ]));
    expect(columnNames(db, 'passage_songs')).toEqual(expect.arrayContaining(['passage_id', 'song_id', 'start_time_ticks', 'end_time_ticks']));
    expect(columnNames(db, 'song_artists')).toEqual(expect.arrayContaining(['song_id', 'artist_id', 'weight']));
  });

  it('indexes files by path and hash and passages by file and title', () => {
    const db = openWriter(freshPath());
    const indexed = (table: string) => (db.pragma(`index_list(${table})`) as { name: string }[])
      .flatMap((index) => (db.pragma(`index_info(${index.name})`) as { name: string }[]).map((column) => column.name));
    expect(indexed('files')).toEqual(expect.arrayContaining(['path', 'hash']));
    expect(indexed('passages')).toEqual(expect.arrayContaining(['file_id', 'title']));
  });

  it('does nothing when a database at the latest version is opened again', () => {
    const path = freshPath();
    openWkmpDatabase(path).close();
    const before = plain(path);
    const schema = schemaSnapshot(before);
    const versions = before.prepare('SELECT * FROM schema_version ORDER BY version').all();
    const settings = settingsOf(before);
    before.close();

    openWkmpDatabase(path).close();
    const after = plain(path);
    expect(schemaSnapshot(after)).toEqual(schema);
    expect(after.prepare('SELECT * FROM schema_version ORDER BY version').all()).toEqual(versions);
    expect(settingsOf(after)).toEqual(settings);
  });

  it('migrates a database at version 1 to the latest version, keeping its rows', () => {
    const path = freshPath();
    const old = openDatabase(path);
    expect(migrate(old, path, 1)).toEqual([1]);
    old.prepare(`INSERT INTO files (guid, path, hash, modification_time, status) VALUES ('f1', 'A/one.mp3', 'h1', '2024-01-01T00:00:00.000Z', 'INGEST COMPLETE')`).run();
    old.prepare(`INSERT INTO passages (guid, file_id, start_time_ticks, end_time_ticks, status) VALUES ('p1', 'f1', 0, 100, 'INGEST COMPLETE')`).run();
    old.prepare(`INSERT INTO songs (guid, recording_mbid, title) VALUES ('s1', '11111111-1111-4111-8111-111111111111', 'One')`).run();
    old.prepare(`INSERT INTO passage_songs (passage_id, song_id, start_time_ticks, end_time_ticks) VALUES ('p1', 's1', 0, 100)`).run();
    old.prepare(`INSERT INTO settings (key, value) VALUES ('volume', '0.8')`).run();
    old.close();

    const db = openWriter(path);
    expect(schemaVersions(db)).toEqual(allVersions);
    expect(db.prepare('SELECT guid, path, hash, missing_since AS missingSince FROM files').all()).toEqual([
      { guid: 'f1', path: 'A/one.mp3', hash: 'h1', missingSince: null },
    ]);
    expect(db.prepare('SELECT guid, file_id AS fileId FROM passages').all()).toEqual([{ guid: 'p1', fileId: 'f1' }]);
    expect(db.prepare('SELECT passage_id AS passageId, song_id AS songId FROM passage_songs').all()).toEqual([{ passageId: 'p1', songId: 's1' }]);
    expect(settingsOf(db).get('volume')).toBe('0.8');
    expect(tableNames(db)).toContain('import_errors');
  });

  it('moves the silence settings still at upstream\'s old defaults to the song-boundary ones, keeping chosen values, and marks old analyses for re-analysis', () => {
    const path = freshPath();
    const old = openDatabase(path);
    migrate(old, path, 3);
    old.exec(`INSERT INTO settings (key, value) VALUES ('silence_threshold_dB', '35'), ('silence_min_duration_ticks', '9000000');
      INSERT INTO files (guid, path, hash, modification_time, status, analysis) VALUES ('f1', 'A/one.mp3', 'h1', '2024-01-01T00:00:00.000Z', 'INGEST COMPLETE', 'full')`);
    old.close();

    const db = openWriter(path);
    expect(settingsOf(db).get('silence_threshold_dB')).toBe('70');
    expect(settingsOf(db).get('silence_min_duration_ticks')).toBe('9000000');
    expect(db.prepare('SELECT analysis_version AS version, cue_signature AS cue FROM files').get()).toEqual({ version: 1, cue: null });
  });

  it('refuses a database migrated by a newer version, naming the file and saying to upgrade', () => {
    const path = freshPath();
    openWkmpDatabase(path).close();
    const newer = plain(path);
    newer.prepare("INSERT INTO schema_version (version, name) VALUES (?, 'from the future')").run(latestSchemaVersion + 1);
    const schema = schemaSnapshot(newer);
    newer.close();

    const error = thrownBy(() => openWkmpDatabase(path));
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/upgrade/i);
    expect(error.message).not.toContain('\n');

    const after = plain(path);
    expect(schemaVersions(after)).toEqual([...allVersions, latestSchemaVersion + 1]);
    expect(schemaSnapshot(after)).toEqual(schema);
  });

  it('seeds the settings WKMP.md lists with their defaults', () => {
    const settings = settingsOf(openWriter(freshPath()));
    expect(Object.fromEntries(settings)).toMatchObject({
      ingest_max_concurrent_jobs: String(availableParallelism()),
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
