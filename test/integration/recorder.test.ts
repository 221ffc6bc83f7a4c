import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { analyseFile } from '../../src/analysis/worker.js';
import type { WriteDb } from '../../src/db/connection.js';
import { Recorder, type FileRecording, type LockWait } from '../../src/db/recorder.js';
import { storeSettings } from '../../src/db/queries/settings.js';
import type { AnalysisResult, FileRecord } from '../../src/file-record.js';
import {
  closeAfterTest, fileRecord, insertTestSession, migratedDatabase, openLoggedWriter, openWriter, passageRecord, testMbid,
} from './db-helpers.js';
import { analyseTask, count, fixtures, holdWriteLock } from './helpers.js';

const first = {
  path: 'Artist A/Album One/01 First.mp3',
  recording: '11111111-1111-4111-8111-111111111111',
  artist: 'aaaaaaaa-0000-4000-8000-00000000000a',
  album: 'bbbbbbbb-0000-4000-8000-00000000000b',
  work: 'cccccccc-0000-4000-8000-00000000000c',
};

/** Analyses a library fixture as the worker does; the record is stored under `path` (default: its library path). */
async function analysedFixture(libraryPath: string, path = libraryPath): Promise<FileRecord> {
  const result = await analyseFile(analyseTask(join(fixtures, 'library', libraryPath), path));
  if (result.kind !== 'record') throw new Error(`analysing ${libraryPath} failed: ${JSON.stringify(result)}`);
  return result;
}

/** A recorder on `db` recording a new session's files; `options` may set the batch size. */
function recorderOn(db: WriteDb, options: { initialBatchSize?: number } = {}): { recorder: FileRecording; sessionId: string } {
  const sessionId = insertTestSession(db);
  return { recorder: new Recorder(db, { maxLockWaitMs: 30_000, maxBatchAgeMs: 60_000, ...options }).beginRecording(sessionId), sessionId };
}

async function record(recorder: FileRecording, items: readonly AnalysisResult[]): Promise<void> {
  for (const item of items) await recorder.add(item);
  await recorder.flush();
}

function rows<T>(db: Database.Database, sql: string, ...params: unknown[]): T[] {
  return db.prepare(sql).all(...params) as T[];
}

function passageGuidsOf(db: Database.Database, fileGuid: string): string[] {
  return rows<{ guid: string }>(db, 'SELECT guid FROM passages WHERE file_id = ? ORDER BY start_time_ticks', fileGuid).map((row) => row.guid);
}

function fileByPath(db: Database.Database, path: string): { guid: string; status: string; matchingHashes: string | null } | undefined {
  return db.prepare('SELECT guid, status, matching_hashes AS matchingHashes FROM files WHERE path = ?').get(path) as
    { guid: string; status: string; matchingHashes: string | null } | undefined;
}

describe('Recorder', () => {
  it('ends a recording that recorded nothing, with nothing queued (it used to wait for ever)', async () => {
    const db = openWriter(migratedDatabase());
    const recorder = new Recorder(db, { maxLockWaitMs: 30_000 });
    await recorder.beginRecording(insertTestSession(db)).end();
    expect(recorder.isIdle).toBe(true);
  });

  it('links a file to the song, artist, album and work rows that already hold its MBIDs, creating none', async () => {
    const db = openWriter(migratedDatabase());
    db.prepare("INSERT INTO songs (guid, recording_mbid, title) VALUES ('song-existing', ?, 'Known title')").run(first.recording);
    db.prepare("INSERT INTO artists (guid, artist_mbid, name) VALUES ('artist-existing', ?, 'Known Artist')").run(first.artist);
    db.prepare("INSERT INTO albums (guid, album_mbid, title) VALUES ('album-existing', ?, 'Known Album')").run(first.album);
    db.prepare("INSERT INTO works (guid, work_mbid, title) VALUES ('work-existing', ?, 'Known Work')").run(first.work);
    const { recorder } = recorderOn(db);

    await record(recorder, [await analysedFixture(first.path)]);

    expect([count(db, 'songs'), count(db, 'artists'), count(db, 'albums'), count(db, 'works')]).toEqual([1, 1, 1, 1]);
    const file = fileByPath(db, first.path)!;
    const [passage] = passageGuidsOf(db, file.guid);
    expect(rows(db, 'SELECT song_id AS songId FROM passage_songs WHERE passage_id = ?', passage)).toEqual([{ songId: 'song-existing' }]);
    expect(rows(db, 'SELECT album_id AS albumId FROM passage_albums WHERE passage_id = ?', passage)).toEqual([{ albumId: 'album-existing' }]);
    expect(rows(db, 'SELECT artist_id AS artistId, weight FROM song_artists WHERE song_id = ?', 'song-existing'))
      .toEqual([{ artistId: 'artist-existing', weight: 1 }]);
    expect(rows(db, 'SELECT work_id AS workId FROM song_works WHERE song_id = ?', 'song-existing')).toEqual([{ workId: 'work-existing' }]);
    // What another service or a person set is kept.
    expect(db.prepare("SELECT name FROM artists WHERE guid = 'artist-existing'").get()).toEqual({ name: 'Known Artist' });
    expect(db.prepare("SELECT title FROM albums WHERE guid = 'album-existing'").get()).toEqual({ title: 'Known Album' });
  });

  it('shares one song, artist and album row between files of the same recording, release and artist', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder } = recorderOn(db);
    const credit = { mbid: testMbid('a', 1), name: 'Shared Artist', weight: 1 };
    const release = { mbid: testMbid('b', 1), title: 'Shared Album', releaseDate: '2001' };
    const recording = { recordingMbid: testMbid('c', 1), title: 'Shared', works: [] };
    const files = ['one.flac', 'two.flac'].map((path) => {
      const passage = passageRecord({
        recording: { ...recording, songGuid: randomUUID(), artists: [{ ...credit, guid: randomUUID() }] },
        release: { ...release, guid: randomUUID() },
      });
      return fileRecord(path, { passages: [passage] });
    });

    await record(recorder, files);

    expect([count(db, 'songs'), count(db, 'artists'), count(db, 'albums')]).toEqual([1, 1, 1]);
    expect([count(db, 'passage_songs'), count(db, 'passage_albums'), count(db, 'song_artists')]).toEqual([2, 2, 1]);
  });

  it('rolls back only the file whose rows fail, records why, and commits the rest of the batch', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder, sessionId } = recorderOn(db);
    const good = [fileRecord('A/good-1.flac'), fileRecord('A/good-2.flac')];
    // Refused at its first passage: a passage must end after it starts (CHECK).
    const emptyPassage = fileRecord('A/empty-passage.flac', { passages: [passageRecord({ startTicks: 500, endTicks: 500 })] });
    // Refused late, after its file row, passage, album and song were written: a credit weight must be in (0, 1].
    const zeroWeight = fileRecord('A/zero-weight.flac', {
      passages: [passageRecord({
        recording: {
          songGuid: randomUUID(), recordingMbid: testMbid('c', 9), title: 'Doomed', works: [{ guid: randomUUID(), mbid: testMbid('d', 9), title: 'Doomed work' }],
          artists: [{ guid: randomUUID(), mbid: testMbid('a', 9), name: 'Doomed Artist', weight: 0 }],
        },
        release: { guid: randomUUID(), mbid: testMbid('b', 9), title: 'Doomed Album', releaseDate: null },
      })],
    });

    await record(recorder, [good[0]!, emptyPassage, zeroWeight, good[1]!]);

    const paths = rows<{ path: string }>(db, 'SELECT path FROM files ORDER BY path').map((row) => row.path);
    expect(paths).toEqual(['A/good-1.flac', 'A/good-2.flac']);
    for (const bad of [emptyPassage, zeroWeight]) {
      const passageGuids = bad.passages.map((passage) => passage.guid);
      expect(rows(db, 'SELECT guid FROM passages WHERE guid IN (SELECT value FROM json_each(?))', JSON.stringify(passageGuids))).toEqual([]);
      expect(rows(db, 'SELECT passage_id FROM passage_songs WHERE passage_id IN (SELECT value FROM json_each(?))', JSON.stringify(passageGuids))).toEqual([]);
      expect(rows(db, 'SELECT passage_id FROM passage_albums WHERE passage_id IN (SELECT value FROM json_each(?))', JSON.stringify(passageGuids))).toEqual([]);
    }
    expect(rows(db, 'SELECT guid FROM songs WHERE recording_mbid = ?', testMbid('c', 9))).toEqual([]);
    expect(rows(db, 'SELECT guid FROM albums WHERE album_mbid = ?', testMbid('b', 9))).toEqual([]);
    expect(rows(db, 'SELECT guid FROM artists WHERE artist_mbid = ?', testMbid('a', 9))).toEqual([]);
    expect(rows(db, 'SELECT guid FROM works WHERE work_mbid = ?', testMbid('d', 9))).toEqual([]);
    expect(count(db, 'passages')).toBe(2);

    const errors = rows<{ sessionId: string; path: string; phase: string; code: string; message: string }>(
      db, 'SELECT session_id AS sessionId, path, phase, code, message FROM import_errors ORDER BY id',
    );
    expect(errors.map((error) => [error.sessionId, error.path, error.phase, error.code])).toEqual([
      [sessionId, 'A/empty-passage.flac', 'record', 'RECORD_FAILED'],
      [sessionId, 'A/zero-weight.flac', 'record', 'RECORD_FAILED'],
    ]);
    for (const error of errors) {
      expect(error.message).toContain(error.path);
      expect(error.message).not.toContain('\n');
    }
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('records an analysis failure as an import error without any file row', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder, sessionId } = recorderOn(db);
    await record(recorder, [{ kind: 'failure', path: 'A/broken.flac', phase: 'tags', code: 'CORRUPT_AUDIO', message: 'reading tags of A/broken.flac: bad header' }]);
    expect(count(db, 'files')).toBe(0);
    expect(rows(db, 'SELECT session_id AS sessionId, path, phase, code FROM import_errors')).toEqual([
      { sessionId, path: 'A/broken.flac', phase: 'tags', code: 'CORRUPT_AUDIO' },
    ]);
  });

  it('replaces a changed file\'s passages and links, keeping its guid, instead of adding to them', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder } = recorderOn(db);
    const linked = (n: number) => passageRecord({
      startTicks: n * 1000, endTicks: n * 1000 + 900,
      recording: { songGuid: randomUUID(), recordingMbid: testMbid('c', n), title: `Song ${n}`, works: [], artists: [] },
      release: { guid: randomUUID(), mbid: testMbid('b', 1), title: 'Album', releaseDate: null },
    });
    const before = fileRecord('A/changing.flac', { hash: 'old content', passages: [linked(1), linked(2)] });
    await record(recorder, [before]);
    const guid = fileByPath(db, 'A/changing.flac')!.guid;
    expect(passageGuidsOf(db, guid)).toHaveLength(2);

    // Analysis of the changed file: new content, new passage guids; the guid it proposes is not used for a known path.
    const after = fileRecord('A/changing.flac', { hash: 'new content', passages: [linked(3)] });
    await record(recorder, [after]);

    expect(rows(db, 'SELECT guid, hash FROM files')).toEqual([{ guid, hash: 'new content' }]);
    expect(passageGuidsOf(db, guid)).toEqual([after.passages[0]!.guid]);
    expect(count(db, 'passages')).toBe(1);
    expect(rows(db, 'SELECT passage_id AS passageId FROM passage_songs')).toEqual([{ passageId: after.passages[0]!.guid }]);
    expect(rows(db, 'SELECT passage_id AS passageId FROM passage_albums')).toEqual([{ passageId: after.passages[0]!.guid }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('keeps a changed file\'s previous passages when its new rows are refused: delete and insert share one savepoint', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder } = recorderOn(db);
    const before = fileRecord('A/changing.flac', { hash: 'old content' });
    await record(recorder, [before]);
    const guid = fileByPath(db, 'A/changing.flac')!.guid;

    await record(recorder, [fileRecord('A/changing.flac', { hash: 'new content', passages: [passageRecord({ startTicks: 10, endTicks: 5 })] })]);

    expect(rows(db, 'SELECT guid, hash FROM files')).toEqual([{ guid, hash: 'old content' }]);
    expect(passageGuidsOf(db, guid)).toEqual([before.passages[0]!.guid]);
    expect(rows(db, 'SELECT path, code FROM import_errors')).toEqual([{ path: 'A/changing.flac', code: 'RECORD_FAILED' }]);
  });

  it('records the second copy of the same content, in the same batch, as DUPLICATE HASH with no passages, the two naming each other', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder } = recorderOn(db);
    const original = await analysedFixture('Various/Sixth.wav');
    const copy = await analysedFixture('Various/Sixth copy.wav');
    expect(copy.hash).toBe(original.hash);

    await record(recorder, [original, copy]);

    const kept = fileByPath(db, 'Various/Sixth.wav')!;
    const duplicate = fileByPath(db, 'Various/Sixth copy.wav')!;
    expect(kept.status).toBe('INGEST COMPLETE');
    expect(duplicate.status).toBe('DUPLICATE HASH');
    expect(passageGuidsOf(db, kept.guid)).toHaveLength(1);
    expect(passageGuidsOf(db, duplicate.guid)).toEqual([]);
    expect(JSON.parse(kept.matchingHashes!)).toEqual([duplicate.guid]);
    expect(JSON.parse(duplicate.matchingHashes!)).toEqual([kept.guid]);
  });

  it('finds a copy of content committed by an earlier batch', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder } = recorderOn(db);
    await record(recorder, [await analysedFixture('Various/Sixth.wav')]);
    await record(recorder, [await analysedFixture('Various/Sixth copy.wav')]);

    const kept = fileByPath(db, 'Various/Sixth.wav')!;
    const duplicate = fileByPath(db, 'Various/Sixth copy.wav')!;
    expect([kept.status, duplicate.status]).toEqual(['INGEST COMPLETE', 'DUPLICATE HASH']);
    expect(passageGuidsOf(db, duplicate.guid)).toEqual([]);
    expect(JSON.parse(kept.matchingHashes!)).toEqual([duplicate.guid]);
    expect(JSON.parse(duplicate.matchingHashes!)).toEqual([kept.guid]);
  });

  it('names a new copy in an original whose matching_hashes cannot be read, starting the list afresh', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder } = recorderOn(db);
    await record(recorder, [await analysedFixture('Various/Sixth.wav')]);
    db.prepare("UPDATE files SET matching_hashes = '[not json' WHERE path = 'Various/Sixth.wav'").run();
    // The recorder's cache of contents holds what it committed; a new recorder reads the row as it is now.
    const { recorder: next } = recorderOn(db);
    await record(next, [await analysedFixture('Various/Sixth copy.wav')]);

    const kept = fileByPath(db, 'Various/Sixth.wav')!;
    const duplicate = fileByPath(db, 'Various/Sixth copy.wav')!;
    expect([kept.status, duplicate.status]).toEqual(['INGEST COMPLETE', 'DUPLICATE HASH']);
    expect(JSON.parse(kept.matchingHashes!)).toEqual([duplicate.guid]);
    expect(rows(db, 'SELECT code FROM import_errors')).toEqual([]);
  });

  it('commits all files of a batch under a single BEGIN IMMEDIATE, one savepoint per file', async () => {
    const path = migratedDatabase();
    const { db, statements } = openLoggedWriter(path);
    const { recorder } = recorderOn(db, { initialBatchSize: 64 });
    const files = Array.from({ length: 10 }, (_, i) => fileRecord(`A/track-${i}.flac`));
    statements.length = 0;

    await record(recorder, files);

    const begins = statements.filter((sql) => sql.trim().toUpperCase().startsWith('BEGIN'));
    expect(begins).toEqual(['BEGIN IMMEDIATE']);
    expect(statements.filter((sql) => sql.trim().toUpperCase() === 'COMMIT')).toHaveLength(1);
    expect(statements.filter((sql) => sql.startsWith('SAVEPOINT'))).toHaveLength(10);
    expect(count(db, 'files')).toBe(10);
  });

  it('takes the write lock at most once per ten files over 200 files', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder } = recorderOn(db);
    const files = Array.from({ length: 200 }, (_, i) => fileRecord(`Artist ${i % 20}/track-${i}.flac`));

    await record(recorder, files);

    const summary = recorder.metrics.summary();
    expect(summary.files).toBe(200);
    expect(summary.lockAcquisitionsPerFile).toBeLessThanOrEqual(0.1);
    expect(count(db, 'files')).toBe(200);
    expect(count(db, 'passages')).toBe(200);
  });

  it('links later files to an artist it created without asking the database again, and recreates one another service deleted', async () => {
    const path = migratedDatabase();
    const { db, statements } = openLoggedWriter(path);
    const { recorder } = recorderOn(db);
    const artist = { mbid: testMbid('a', 1), name: 'Shared Artist', weight: 1 };
    const credited = (n: number) => fileRecord(`Shared/track-${n}.flac`, {
      passages: [passageRecord({
        recording: { songGuid: randomUUID(), recordingMbid: testMbid('c', n), title: `Track ${n}`, artists: [{ ...artist, guid: randomUUID() }], works: [] },
      })],
    });
    await record(recorder, [credited(1)]);
    statements.length = 0;
    await record(recorder, [credited(2)]);
    expect(statements.filter((sql) => sql.includes('INSERT INTO artists'))).toEqual([]);

    // Another WKMP service removes the artist the recorder knows; the next file must not fail.
    const other = closeAfterTest(new Database(path));
    other.pragma('foreign_keys = ON');
    other.prepare('DELETE FROM artists WHERE artist_mbid = ?').run(artist.mbid);
    await record(recorder, [credited(3)]);

    expect(count(db, 'import_errors')).toBe(0);
    const links = rows<{ path: string }>(db, `
      SELECT f.path FROM files f JOIN passages p ON p.file_id = f.guid JOIN passage_songs ps ON ps.passage_id = p.guid
      JOIN song_artists sa ON sa.song_id = ps.song_id JOIN artists a ON a.guid = sa.artist_id WHERE a.artist_mbid = ?`, artist.mbid);
    expect(links.map((row) => row.path)).toEqual(['Shared/track-3.flac']);
  });
});

describe('Recorder: sessions, writers and deadlines', () => {
  it('drops what a failed recording held: the next session records none of it under its own id', async () => {
    const db = openWriter(migratedDatabase());
    const recorder = new Recorder(db, { maxLockWaitMs: 30_000, maxBatchAgeMs: 60_000 });
    const [first, second] = [insertTestSession(db), insertTestSession(db)];
    // A batch SQLite rolls back as a whole (a disk full would do the same): the error row of poison.flac aborts it.
    db.exec("CREATE TRIGGER poison BEFORE INSERT ON import_errors WHEN NEW.path = 'poison.flac' BEGIN SELECT RAISE(ROLLBACK, 'poisoned batch'); END");
    const failing = recorder.beginRecording(first);
    await failing.add({ kind: 'failure', path: 'poison.flac', phase: 'decode', code: 'DECODE_FAILED', message: 'decoding poison.flac: bad' });
    await failing.add(fileRecord('A/one.flac'));
    await expect(failing.flush()).rejects.toThrow(/poisoned batch/);
    await expect(failing.add(fileRecord('A/two.flac'))).rejects.toThrow(/poisoned batch/);
    await expect(failing.end()).rejects.toThrow(`recording session ${first}: poisoned batch; 2 analysed files were not recorded (the next import records them)`);
    db.exec('DROP TRIGGER poison');

    const next = recorder.beginRecording(second);
    await next.add(fileRecord('B/three.flac'));
    await next.end();

    expect(rows(db, 'SELECT session_id AS sessionId, path FROM import_errors')).toEqual([]);
    expect(rows(db, 'SELECT path FROM files')).toEqual([{ path: 'B/three.flac' }]);
    expect(recorder.isIdle).toBe(true);
  });

  it('gives up a write unit past ai_database_max_lock_wait_ms, naming what it was doing, tells every lock-wait listener, and writes it once the lock is free', async () => {
    const path = migratedDatabase();
    const db = openWriter(path);
    const recorder = new Recorder(db, { maxLockWaitMs: 200 });
    const waits: LockWait[] = [];
    recorder.onLockWait((wait) => waits.push(wait));
    const holder = await holdWriteLock(path); // held until released below, however slow the machine

    await expect(recorder.write(storeSettings(new Map([['rms_window_ms', '50']]))))
      .rejects.toThrow(/^storing the settings rms_window_ms: wkmp\.db is still locked by another process after \d+\.\d s \(ai_database_max_lock_wait_ms\); nothing was written, try again$/);
    expect(waits).toMatchObject([{ writer: 'settings', doing: 'storing the settings rms_window_ms', gaveUp: true }]);
    expect(waits[0]!.waitedMs).toBeGreaterThanOrEqual(200);
    expect(recorder.figures().settings).toBeUndefined(); // it never held the lock

    await holder.release();
    await recorder.write(storeSettings(new Map([['rms_window_ms', '50']])));
    expect(db.prepare("SELECT value FROM settings WHERE key = 'rms_window_ms'").get()).toEqual({ value: '50' });
    expect(recorder.figures().settings).toMatchObject({ transactions: 1, files: 0 });
  });

  it('ends a recording while other writers keep it busy: a unit and a due batch take turns, and flush waits for its own items only', async () => {
    const db = openWriter(migratedDatabase());
    const recorder = new Recorder(db, { maxLockWaitMs: 30_000, maxBatchAgeMs: 60_000 });
    const recording = recorder.beginRecording(insertTestSession(db));
    for (const path of ['A/1.flac', 'A/2.flac']) await recording.add(fileRecord(path));
    // Settings writes one after another, each sent as the last is answered, as bench:service sends them during an import.
    let writes = 0;
    let ended = false;
    const writer = (async () => {
      while (!ended && writes < 1000) {
        await recorder.write(storeSettings(new Map([['rms_window_ms', String(50 + (writes % 10))]])));
        writes++;
      }
    })();
    await recording.end();
    ended = true;
    await writer;
    // Before, the recording waited for the recorder to fall idle, which these writes never let it: all 1000 went by.
    expect(writes).toBeLessThan(10);
    expect(count(db, 'files')).toBe(2);
  });

  it('keeps the figures of each writer apart, and an import\'s figures hold only its own transactions', async () => {
    const db = openWriter(migratedDatabase());
    const recorder = new Recorder(db, { maxLockWaitMs: 30_000, maxBatchAgeMs: 60_000 });
    const recording = recorder.beginRecording(insertTestSession(db));
    for (const path of ['A/1.flac', 'A/2.flac', 'A/3.flac']) await recording.add(fileRecord(path));
    await recorder.write(storeSettings(new Map([['rms_window_ms', '60']])));
    await recording.end();
    expect(recorder.figures()).toMatchObject({ import: { transactions: 1, files: 3 }, settings: { transactions: 1, files: 0 } });
    expect(recording.metrics.summary()).toMatchObject({ transactions: 1, files: 3 });
    expect(recorder.metrics.summary()).toMatchObject({ transactions: 2, files: 3 });
  });
});

describe('Recorder: a known file found by its content', () => {
  const sameFile = (guid: string, path: string, how: 'moved' | 'retagged' = 'moved'): AnalysisResult => ({
    kind: 'same file', how, guid, path, hash: 'h', audioHash: 'a', modificationTime: '2024-05-01T12:00:00.000Z', sizeBytes: 10,
    place: { device: 1, inode: 2 }, tags: how === 'retagged' ? { title: 'T', artist: 'A', album: null, trackNumber: null, year: null } : null,
  });

  it('records an error row naming the path when the file it was is gone from the database, and writes nothing else', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder, sessionId } = recorderOn(db);
    await record(recorder, [sameFile(randomUUID(), 'Elsewhere/gone.flac', 'retagged')]);
    expect(rows(db, 'SELECT session_id AS sessionId, path, phase, code FROM import_errors')).toEqual([{ sessionId, path: 'Elsewhere/gone.flac', phase: 'record', code: 'RECORD_FAILED' }]);
    expect(rows<{ message: string }>(db, 'SELECT message FROM import_errors')[0]!.message).toMatch(/^recording Elsewhere\/gone\.flac: the file it was \(.*\) is no longer in the database; it is imported again on the next import$/);
    expect(count(db, 'files')).toBe(0);
  });

  it('rolls back alone a move onto a path another file holds now, with its reason, and commits the rest of the batch', async () => {
    const db = openWriter(migratedDatabase());
    const { recorder } = recorderOn(db);
    const a = fileRecord('A/one.flac');
    const b = fileRecord('B/two.flac');
    await record(recorder, [a, b]);
    await record(recorder, [sameFile(a.guid, 'B/two.flac'), sameFile(b.guid, 'C/two.flac')]);
    expect(rows(db, 'SELECT guid, path FROM files ORDER BY path')).toEqual([{ guid: a.guid, path: 'A/one.flac' }, { guid: b.guid, path: 'C/two.flac' }]);
    expect(rows<{ path: string; message: string }>(db, "SELECT path, message FROM import_errors WHERE code = 'RECORD_FAILED'"))
      .toEqual([{ path: 'B/two.flac', message: 'recording B/two.flac: UNIQUE constraint failed: files.path' }]);
  });
});
