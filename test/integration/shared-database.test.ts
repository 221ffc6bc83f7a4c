/**
 * wkmp.db shared with the other WKMP services, both ways (docs/schema.md): wkmp-ai imports into a
 * database their start-up made, and their start-up and statements run on a database wkmp-ai made.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { latestSchemaVersion } from '../../src/db/migrations/index.js';
import { openWkmpDatabase } from '../../src/db/setup.js';
import { runImport } from '../../src/import/run.js';
import { closeAfterTest } from './db-helpers.js';
import { copyFixtureRoot, fixtures, libraryAudio, tempFolder } from './helpers.js';
import { runPlayer, runViewer, runWkmpStartup, upstreamSchemaSql } from './wkmp-services.js';

/** What the other services keep that wkmp-ai must leave as it found it. */
function theirRows(db: Database.Database): Record<string, unknown[]> {
  const all = (sql: string) => db.prepare(sql).all();
  return {
    schemaVersion: all('SELECT version, applied_at FROM schema_version ORDER BY version'),
    users: all('SELECT * FROM users ORDER BY guid'),
    moduleConfig: all('SELECT * FROM module_config ORDER BY module_name'),
    queue: all('SELECT * FROM queue ORDER BY guid'),
    images: all('SELECT * FROM images ORDER BY guid'),
    theirSettings: all("SELECT key, value FROM settings WHERE key IN ('volume_level', 'initial_play_state', 'global_fade_curve', 'queue_max_size') ORDER BY key"),
    theirSong: all("SELECT * FROM songs WHERE guid = 'their-song'"),
    theirArtist: all("SELECT * FROM artists WHERE guid = 'their-artist'"),
    // Their columns of it: wkmp-ai adds its own columns to the table, empty on their rows.
    theirSession: all(`SELECT session_id, state, root_folder, parameters, progress_current, progress_total, progress_percentage,
      current_operation, errors, started_at, ended_at FROM import_sessions WHERE session_id = 'their-session'`),
  };
}

function open(path: string): Database.Database {
  return closeAfterTest(new Database(path));
}

describe('a database the other WKMP services made', () => {
  function theirDatabase(): { root: string; database: string } {
    const root = copyFixtureRoot();
    const database = join(root, 'wkmp.db');
    const db = new Database(database);
    db.exec(upstreamSchemaSql);
    db.exec(`
      INSERT INTO queue (guid, file_path, play_order, fade_in_curve, fade_out_curve) VALUES ('their-queue', 'Elsewhere/x.flac', 1, 'equal_power', 'cosine');
      INSERT INTO images (guid, file_path, image_type, entity_id) VALUES ('their-image', 'cover.jpg', 'album_front', 'a1');
      INSERT INTO songs (guid, recording_mbid, title, flavor_vector, status) VALUES ('their-song', '99999999-9999-4999-8999-999999999999', 'Theirs', '[1]', 'FLAVOR READY');
      INSERT INTO artists (guid, artist_mbid, name) VALUES ('their-artist', '99999999-9999-4999-8999-99999999999a', 'Them');
      INSERT INTO import_sessions (session_id, state, root_folder, parameters, progress_current, progress_total, progress_percentage,
        current_operation, errors, started_at) VALUES ('their-session', '"COMPLETED"', '/music', '{}', 3, 3, 100, 'done', '[]', '2025-11-01T00:00:00Z')`);
    db.close();
    return { root, database };
  }

  it('is imported into as it is: WKMP\'s schema_version at 4 refuses nothing, their rows stay as they were', async () => {
    const { root, database } = theirDatabase();
    const before = theirRows(open(database));
    const summary = await runImport({ rootFolder: root, jobs: 2 });
    expect(summary.state).toBe('COMPLETED');
    expect(summary.errors).toEqual([]);
    expect(summary.counts).toMatchObject({ new: libraryAudio.length, recorded: libraryAudio.length, failed: 0 });
    const db = open(database);
    expect(theirRows(db)).toEqual(before);
    expect(db.prepare('SELECT count(*) AS n FROM passages').get()).toEqual({ n: libraryAudio.length - 1 });
    expect(db.prepare("SELECT state, progress_current AS done, progress_total AS total, current_operation AS operation FROM import_sessions WHERE session_id = ?")
      // Every file looked at: the audio, the cover and the notes.
      .get(summary.sessionId)).toEqual({ state: 'COMPLETED', done: libraryAudio.length + 2, total: libraryAudio.length + 2, operation: 'finished' });
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('is rescanned without a write to its files or passages, and their start-up still finds it complete', async () => {
    const { root, database } = theirDatabase();
    await runImport({ rootFolder: root, jobs: 2 });
    const rows = (db: Database.Database) => [db.prepare('SELECT * FROM files ORDER BY guid').all(), db.prepare('SELECT * FROM passages ORDER BY guid').all()];
    const before = rows(open(database));
    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ new: 0, changed: 0, unchanged: libraryAudio.length });
    expect(again.write.files).toBe(0);
    const db = open(database);
    expect(rows(db)).toEqual(before);
    expect(runWkmpStartup(db)).toEqual([]);
  });
});

describe('a database wkmp-ai 0.1 made', () => {
  it('stopped the other services\' start-up (no decode_status to index, a schema_version it could not write), and no longer does once wkmp-ai opened it', () => {
    const path = join(tempFolder(), 'wkmp.db');
    const old = new Database(path);
    old.exec(readFileSync(join(fixtures, 'databases', 'wkmp-ai-0.1.sql'), 'utf8'));
    expect(() => runWkmpStartup(old)).toThrow(/decode_status/);
    old.close();
    openWkmpDatabase(path).close();
    const db = open(path);
    expect(runWkmpStartup(db)).toEqual([]);
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual([1, 2, 3, 4].map((version) => ({ version })));
  });
});

describe('a database wkmp-ai made', () => {
  async function ourDatabase(): Promise<string> {
    const root = copyFixtureRoot();
    await runImport({ rootFolder: root, jobs: 2 });
    return join(root, 'wkmp.db');
  }

  it('takes the other services\' start-up without an error and without a column to add', async () => {
    const db = open(await ourDatabase());
    expect(runWkmpStartup(db)).toEqual([]);
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual([1, 2, 3, 4].map((version) => ({ version })));
    expect(db.prepare('SELECT max(version) AS version FROM wkmp_ai_schema_version').get()).toEqual({ version: latestSchemaVersion });
  });

  it('answers the player\'s reads and takes its writes: a passage to play, its albums, its decode status, the queue, settings', async () => {
    const db = open(await ourDatabase());
    runWkmpStartup(db);
    const first = db.prepare(`SELECT p.guid FROM passages p JOIN files f ON f.guid = p.file_id WHERE f.path = 'Artist A/Album One/01 First.mp3'`).get() as { guid: string };
    const played = runPlayer(db, first.guid);
    expect(played.passage).toMatchObject({ guid: first.guid, path: 'Artist A/Album One/01 First.mp3', fade_in_curve: null });
    expect(played.albums).toHaveLength(1);
    expect(played.queue).toEqual([expect.objectContaining({ guid: 'q-test', passage_guid: first.guid, play_order: 20 })]);
    expect(db.prepare('SELECT decode_status AS status FROM passages WHERE guid = ?').get(first.guid)).toEqual({ status: 'unsupported_codec' });
  });

  it('shows in the viewer, every table and search', async () => {
    const path = await ourDatabase();
    runWkmpStartup(open(path));
    const pages = runViewer(path);
    expect(pages.files).toHaveLength(libraryAudio.length);
    expect(pages.passages).toHaveLength(libraryAudio.length - 1);
    expect(pages.withoutPassages).toHaveLength(1); // the duplicate copy
    for (const row of pages.withoutRecording as { created_at: unknown }[]) expect(typeof row.created_at).toBe('string');
    expect(pages.byPath?.length).toBeGreaterThan(0);
  });

  it('is imported into again after the other services started on it, with nothing to write', async () => {
    const root = copyFixtureRoot();
    await runImport({ rootFolder: root, jobs: 2 });
    runWkmpStartup(open(join(root, 'wkmp.db')));
    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.state).toBe('COMPLETED');
    expect(again.write.files).toBe(0);
  });
});
