import { copyFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { TICKS_PER_SECOND } from '../../src/file-record.js';
import type { ImportEvent, ImportSummary } from '../../src/import/events.js';
import { runImport } from '../../src/import/run.js';
import { closeAfterTest, copyFixtureRootForFile } from './db-helpers.js';
import { copyFixtureRoot, count, fixtures, inspect, tempFolder } from './helpers.js';

/** The library fixtures and what their tags say (test/fixtures/README.md, make-fixtures.sh). */
const library = {
  first: {
    path: 'Artist A/Album One/01 First.mp3', format: 'mp3', codec: 'mp3', sampleRate: 44_100,
    tags: { title: 'First', artist: 'Artist A', album: 'Album One', trackNumber: 1, year: 2001 },
  },
  second: {
    path: 'Artist A/Album One/02 Second.flac', format: 'flac', codec: 'flac', sampleRate: 44_100,
    tags: { title: 'Second', artist: 'Artist A; Artist B', album: 'Album One', trackNumber: 2, year: 2001 },
  },
  third: { path: 'Artist B/Third.ogg', format: 'ogg', codec: 'vorbis', sampleRate: 44_100, tags: { title: 'Third', artist: 'Artist B', album: null, trackNumber: null, year: null } },
  fourth: { path: 'Artist B/Fourth.opus', format: 'ogg', codec: 'opus', sampleRate: 48_000, tags: { title: 'Fourth', artist: 'Artist B', album: null, trackNumber: null, year: null } },
  fifth: { path: 'Various/Fifth.m4a', format: 'mp4', codec: 'aac', sampleRate: 44_100, tags: { title: 'Fifth', artist: 'Artist C', album: 'Compilation', trackNumber: null, year: null } },
  sixth: { path: 'Various/Sixth.wav', format: 'wav', codec: 'pcm_s16le', sampleRate: 44_100, tags: { title: null, artist: null, album: null, trackNumber: null, year: null } },
  sixthCopy: { path: 'Various/Sixth copy.wav', format: 'wav', codec: 'pcm_s16le', sampleRate: 44_100, tags: { title: null, artist: null, album: null, trackNumber: null, year: null } },
} as const;
const audioPaths = Object.values(library).map((file) => file.path).sort();

const mbid = {
  first: '11111111-1111-4111-8111-111111111111',
  second: '22222222-2222-4222-8222-222222222222',
  fourth: '44444444-4444-4444-8444-444444444444',
  fifth: '55555555-5555-4555-8555-555555555555',
  artistA: 'aaaaaaaa-0000-4000-8000-00000000000a',
  artistB: 'aaaaaaaa-0000-4000-8000-00000000000b',
  artistC: 'aaaaaaaa-0000-4000-8000-00000000000c',
  albumOne: 'bbbbbbbb-0000-4000-8000-00000000000b',
  compilation: 'bbbbbbbb-0000-4000-8000-0000000000bb',
  work: 'cccccccc-0000-4000-8000-00000000000c',
};

interface FileRow {
  guid: string;
  path: string;
  hash: string;
  status: string;
  format: string | null;
  sampleRate: number | null;
  durationTicks: number | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  trackNumber: number | null;
  year: number | null;
  matchingHashes: string | null;
  missingSince: string | null;
  updatedAt: string;
}

function importLibrary(rootFolder: string, options: { folder?: string; events?: ImportEvent[] } = {}): Promise<ImportSummary> {
  return runImport({
    rootFolder,
    jobs: 2,
    ...(options.folder === undefined ? {} : { folder: options.folder }),
    onEvent: (event) => options.events?.push(event),
  });
}

function open(root: string): Database.Database {
  return closeAfterTest(inspect(join(root, 'wkmp.db')));
}

function files(db: Database.Database): Map<string, FileRow> {
  const rows = db.prepare(`
    SELECT guid, path, hash, status, format, codec, sample_rate AS sampleRate, duration_ticks AS durationTicks, title, artist, album,
           track_number AS trackNumber, year, matching_hashes AS matchingHashes, missing_since AS missingSince, updated_at AS updatedAt
    FROM files`).all() as FileRow[];
  return new Map(rows.map((row) => [row.path, row]));
}

function passagesOf(db: Database.Database, fileGuid: string): { guid: string; start: number; end: number; title: string | null; artist: string | null }[] {
  return db.prepare(`
    SELECT guid, start_time_ticks AS start, end_time_ticks AS end, title, artist FROM passages WHERE file_id = ? ORDER BY start_time_ticks`)
    .all(fileGuid) as { guid: string; start: number; end: number; title: string | null; artist: string | null }[];
}

/** Every row of the tables the import writes for files, to compare before and after a rescan. */
function snapshot(db: Database.Database): Record<string, unknown[]> {
  const tables = ['files', 'passages', 'songs', 'artists', 'albums', 'works', 'passage_songs', 'song_artists', 'passage_albums', 'song_works'];
  return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()]));
}

function guidOf(db: Database.Database, table: 'songs' | 'artists' | 'albums' | 'works', column: string, value: string): string {
  const row = db.prepare(`SELECT guid FROM ${table} WHERE ${column} = ?`).get(value) as { guid: string } | undefined;
  if (!row) throw new Error(`no ${table} row with ${column} ${value}`);
  return row.guid;
}

/** The guid of the one passage of the file at `path`. */
function onlyPassage(db: Database.Database, path: string): { guid: string; start: number; end: number } {
  const file = files(db).get(path);
  if (!file) throw new Error(`no files row for ${path}`);
  const passages = passagesOf(db, file.guid);
  expect(passages).toHaveLength(1);
  return passages[0]!;
}

describe('runImport on the fixture library', () => {
  // One import of a fresh copy of the library; the tests below only read what it left.
  let root: string;
  let summary: ImportSummary;
  beforeAll(async () => {
    root = copyFixtureRootForFile();
    summary = await importLibrary(root);
  });

  it('imports the library and reports what it found and recorded', () => {
    expect(summary.state).toBe('COMPLETED');
    expect(summary.counts).toMatchObject({
      classes: { audio: 7, image: 1, other: 1 },
      new: 7, changed: 0, unchanged: 0, missing: 0, recorded: 7, failed: 0, duplicates: 1, passages: 6, songs: 4,
    });
    expect(summary.errors).toEqual([]);
    // The seven audio files, and the cover and the notes, remembered as not audio so that a rescan skips them unopened.
    expect(summary.write.files).toBe(9);

    const db = open(root);
    expect([...files(db).keys()].sort()).toEqual(audioPaths);
    expect(count(db, 'passages')).toBe(6);
    expect(db.prepare('SELECT state, ended_at IS NOT NULL AS ended FROM import_sessions').all()).toEqual([{ state: 'COMPLETED', ended: 1 }]);
  });

  it('skips the hidden folder, the cover image and the notes', () => {
    const paths = [...files(open(root)).keys()];
    expect(paths.filter((path) => path.startsWith('.hidden/') || path.endsWith('cover.jpg') || path.endsWith('notes.txt'))).toEqual([]);
  });

  it('records each file with its status, container, codec and sample rate (the decoded stream\'s), duration and tag copies', () => {
    const rows = files(open(root));
    for (const fixture of Object.values(library)) {
      const row = rows.get(fixture.path)!;
      expect(row, fixture.path).toMatchObject({ format: fixture.format, codec: fixture.codec, sampleRate: fixture.sampleRate, ...fixture.tags });
      // Every fixture is a 2 s tone.
      expect(row.durationTicks! / TICKS_PER_SECOND, fixture.path).toBeGreaterThan(1.9);
      expect(row.durationTicks! / TICKS_PER_SECOND, fixture.path).toBeLessThan(2.2);
      expect(row.hash, fixture.path).toMatch(/^[0-9a-f]{64}$/);
    }
    const statuses = [...rows.values()].map((row) => row.status).sort();
    expect(statuses).toEqual([...Array(6).fill('INGEST COMPLETE'), 'DUPLICATE HASH'].sort());
  });

  it('records one passage over the sound of each non-duplicate file, with the tag title and artist', () => {
    const db = open(root);
    const window = TICKS_PER_SECOND / 10;
    for (const [path, row] of files(db)) {
      if (row.status === 'DUPLICATE HASH') {
        expect(passagesOf(db, row.guid), path).toEqual([]);
        continue;
      }
      const passages = passagesOf(db, row.guid);
      expect(passages, path).toHaveLength(1);
      // The fixtures are 2-s tones from the first sample to the last: the passage is the whole decoded file, to a window.
      expect(passages[0], path).toMatchObject({ title: row.title, artist: row.artist });
      expect(passages[0]!.start, path).toBeLessThan(window);
      expect(passages[0]!.end, path).toBeGreaterThan(row.durationTicks! - window);
      expect(passages[0]!.end, path).toBeLessThanOrEqual(row.durationTicks!);
    }
  });

  it('creates the songs, artists, albums and works named by the embedded MusicBrainz ids', () => {
    const db = open(root);
    const column = (sql: string) => (db.prepare(sql).all() as { v: string }[]).map((row) => row.v).sort();
    expect(column('SELECT recording_mbid AS v FROM songs')).toEqual([mbid.first, mbid.second, mbid.fourth, mbid.fifth].sort());
    expect(db.prepare('SELECT artist_mbid AS mbid, name FROM artists ORDER BY artist_mbid').all()).toEqual([
      { mbid: mbid.artistA, name: 'Artist A' }, { mbid: mbid.artistB, name: 'Artist B' }, { mbid: mbid.artistC, name: 'Artist C' },
    ]);
    expect(db.prepare('SELECT album_mbid AS mbid, title FROM albums ORDER BY album_mbid').all()).toEqual([
      { mbid: mbid.albumOne, title: 'Album One' }, { mbid: mbid.compilation, title: 'Compilation' },
    ]);
    expect(column('SELECT work_mbid AS v FROM works')).toEqual([mbid.work]);
    expect(db.prepare('SELECT title FROM songs WHERE recording_mbid = ?').get(mbid.first)).toEqual({ title: 'First' });
  });

  it('credits each song\'s artists with weights summing to 1', () => {
    const db = open(root);
    const credits = db.prepare(`
      SELECT s.recording_mbid AS recording, a.artist_mbid AS artist, sa.weight AS weight
      FROM song_artists sa JOIN songs s ON s.guid = sa.song_id JOIN artists a ON a.guid = sa.artist_id
      ORDER BY s.recording_mbid, a.artist_mbid`).all();
    expect(credits).toEqual([
      { recording: mbid.first, artist: mbid.artistA, weight: 1 },
      { recording: mbid.second, artist: mbid.artistA, weight: 0.5 },
      { recording: mbid.second, artist: mbid.artistB, weight: 0.5 },
      { recording: mbid.fourth, artist: mbid.artistB, weight: 1 },
      { recording: mbid.fifth, artist: mbid.artistC, weight: 1 },
    ]);
    const sums = db.prepare('SELECT sum(weight) AS total FROM song_artists GROUP BY song_id').all() as { total: number }[];
    for (const { total } of sums) expect(total).toBeCloseTo(1, 9);
  });

  it('links each identified passage to its song over the whole passage, to its album, and the song to its work', () => {
    const db = open(root);
    const links: [keyof typeof library, string, string | null][] = [
      ['first', mbid.first, mbid.albumOne], ['second', mbid.second, mbid.albumOne], ['fourth', mbid.fourth, null], ['fifth', mbid.fifth, mbid.compilation],
    ];
    for (const [name, recording, album] of links) {
      const passage = onlyPassage(db, library[name].path);
      expect(db.prepare('SELECT song_id AS songId, start_time_ticks AS start, end_time_ticks AS end FROM passage_songs WHERE passage_id = ?').all(passage.guid), name)
        .toEqual([{ songId: guidOf(db, 'songs', 'recording_mbid', recording), start: 0, end: passage.end - passage.start }]);
      expect(db.prepare('SELECT album_id AS albumId FROM passage_albums WHERE passage_id = ?').all(passage.guid), name)
        .toEqual(album === null ? [] : [{ albumId: guidOf(db, 'albums', 'album_mbid', album) }]);
    }
    const firstSong = guidOf(db, 'songs', 'recording_mbid', mbid.first);
    const work = guidOf(db, 'works', 'work_mbid', mbid.work);
    expect(db.prepare('SELECT song_id AS songId, work_id AS workId FROM song_works').all()).toEqual([{ songId: firstSong, workId: work }]);
    expect(db.prepare('SELECT work_id AS workId FROM songs WHERE guid = ?').get(firstSong)).toEqual({ workId: work });
  });

  it('keeps Third.ogg, which has no MusicBrainz id, as an unidentified passage with its tag title and artist', () => {
    const db = open(root);
    const passage = onlyPassage(db, library.third.path);
    expect(db.prepare('SELECT title, artist FROM passages WHERE guid = ?').get(passage.guid)).toEqual({ title: 'Third', artist: 'Artist B' });
    expect(db.prepare('SELECT count(*) AS n FROM passage_songs WHERE passage_id = ?').get(passage.guid)).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM passage_albums WHERE passage_id = ?').get(passage.guid)).toEqual({ n: 0 });
  });

  it('records one of the two identical WAV files as a duplicate of the other, with no passage, the two naming each other', () => {
    const rows = files(open(root));
    const pair = [rows.get(library.sixth.path)!, rows.get(library.sixthCopy.path)!];
    const duplicate = pair.find((row) => row.status === 'DUPLICATE HASH')!;
    const original = pair.find((row) => row.status === 'INGEST COMPLETE')!;
    expect(duplicate).toBeDefined();
    expect(original).toBeDefined();
    expect(passagesOf(open(root), duplicate.guid)).toEqual([]);
    expect(JSON.parse(duplicate.matchingHashes!)).toEqual([original.guid]);
    expect(JSON.parse(original.matchingHashes!)).toEqual([duplicate.guid]);
  });
});

describe('runImport again on the same library', () => {
  it('writes no file when nothing changed, and says all 7 are unchanged', async () => {
    const root = copyFixtureRoot();
    await importLibrary(root);
    const before = snapshot(open(root));

    const summary = await importLibrary(root);

    expect(summary.state).toBe('COMPLETED');
    expect(summary.counts).toMatchObject({ new: 0, changed: 0, unchanged: 7, missing: 0, recorded: 0, failed: 0 });
    expect(summary.write.files).toBe(0);
    expect(snapshot(open(root))).toEqual(before);
  });

  it('cuts a file whose release plan cannot be read at its silences, saying so, and finishes', async () => {
    const root = copyFixtureRoot();
    await importLibrary(root);
    const db = open(root);
    const third = files(db).get(library.third.path)!;
    const writer = closeAfterTest(new Database(join(root, 'wkmp.db')));
    writer.prepare("INSERT INTO wkmp_ai_release_plans (file_id, file_hash, release_mbid, sheet) VALUES (?, ?, ?, '{\"source\":\"MusicBrainz release\",\"tracks\":3}')")
      .run(third.guid, third.hash, mbid.albumOne);
    writer.prepare('UPDATE files SET analysis_version = 0 WHERE guid = ?').run(third.guid);
    const events: ImportEvent[] = [];

    const summary = await importLibrary(root, { events });

    expect(summary).toMatchObject({ state: 'COMPLETED', counts: { upgraded: 1, recorded: 1, failed: 0 } });
    expect(events).toContainEqual({
      type: 'AnalysisLog', level: 'warn',
      message: `reading the release plan of ${library.third.path}: wkmp_ai_release_plans.sheet: album must be an object, got nothing; the file is cut at its silences`,
    });
    expect(onlyPassage(db, library.third.path)).toMatchObject({ start: 0 });
  });

  it('re-analyses a file whose content changed, keeping its guid, and its passage\'s where the new one lies where the old one did', async () => {
    const root = copyFixtureRoot();
    await importLibrary(root);
    const db = open(root);
    const before = files(db).get(library.third.path)!;
    const oldPassage = onlyPassage(db, library.third.path);

    // Another Ogg Vorbis file, tagged "Renamed" by "Artist R", written over Third.ogg.
    const target = join(root, library.third.path);
    copyFileSync(join(fixtures, 'bad', 'renamed-ogg.mp3'), target);
    const later = new Date(statSync(target).mtimeMs + 60_000);
    utimesSync(target, later, later);
    const summary = await importLibrary(root);

    expect(summary.counts).toMatchObject({ new: 0, changed: 1, unchanged: 6, missing: 0 });
    const after = files(db).get(library.third.path)!;
    expect(after.guid).toBe(before.guid);
    expect(after.hash).not.toBe(before.hash);
    expect(after).toMatchObject({ title: 'Renamed', artist: 'Artist R' });
    // Both are 2-s tones: the new passage has the old one's edges, so it is that passage, renamed.
    const newPassage = onlyPassage(db, library.third.path);
    expect(newPassage.guid).toBe(oldPassage.guid);
    expect(db.prepare('SELECT title FROM passages WHERE guid = ?').get(newPassage.guid)).toEqual({ title: 'Renamed' });
    expect(count(db, 'passages')).toBe(6);
    expect(count(db, 'files')).toBe(7);
  });

  it('keeps and marks a file that went missing, with its passages, reports it, and unmarks it when it is back', async () => {
    const root = copyFixtureRoot();
    await importLibrary(root);
    const db = open(root);
    const path = library.second.path;
    const before = files(db).get(path)!;
    const passage = onlyPassage(db, path);
    const away = join(tempFolder(), 'Second.flac');

    renameSync(join(root, path), away);
    const events: ImportEvent[] = [];
    const gone = await importLibrary(root, { events });

    expect(gone.state).toBe('COMPLETED');
    expect(gone.counts).toMatchObject({ new: 0, changed: 0, unchanged: 6, missing: 1 });
    const marked = files(db).get(path)!;
    expect(marked.guid).toBe(before.guid);
    expect(marked.missingSince).not.toBeNull();
    expect(onlyPassage(db, path).guid).toBe(passage.guid);
    expect(db.prepare('SELECT count(*) AS n FROM passage_songs WHERE passage_id = ?').get(passage.guid)).toEqual({ n: 1 });
    const warnings = events.flatMap((event) => (event.type === 'AnalysisLog' && event.level === 'warn' ? [event.message] : []));
    expect(warnings.some((message) => /missing/.test(message))).toBe(true);

    // Back with the same size and modification time (a rename keeps them): restored, not re-analysed.
    renameSync(away, join(root, path));
    const back = await importLibrary(root);

    expect(back.counts).toMatchObject({ new: 0, changed: 0, unchanged: 7, missing: 0 });
    expect(back.write.files).toBe(0);
    const restored = files(db).get(path)!;
    expect(restored.missingSince).toBeNull();
    expect(restored.guid).toBe(before.guid);
    expect(onlyPassage(db, path).guid).toBe(passage.guid);
  });

  it('keeps the missing mark of a file that stays missing over several imports', async () => {
    const root = copyFixtureRoot();
    await importLibrary(root);
    rmSync(join(root, library.fourth.path));
    await importLibrary(root);
    const firstMark = files(open(root)).get(library.fourth.path)!.missingSince;
    const again = await importLibrary(root);
    expect(again.counts.missing).toBe(1);
    expect(files(open(root)).get(library.fourth.path)!.missingSince).toBe(firstMark);
  });

  it('plans only the subfolder it is asked to import: files elsewhere are not marked missing', async () => {
    const root = copyFixtureRoot();
    await importLibrary(root);
    rmSync(join(root, library.fifth.path));

    const summary = await importLibrary(root, { folder: 'Artist A' });

    expect(summary.folder).toBe('Artist A');
    expect(summary.counts).toMatchObject({ new: 0, changed: 0, unchanged: 2, missing: 0, classes: { audio: 2, image: 1, other: 0 } });
    expect(files(open(root)).get(library.fifth.path)!.missingSince).toBeNull();
  });

  it('imports only the subfolder asked for into a new database', async () => {
    const root = copyFixtureRoot();
    const summary = await importLibrary(root, { folder: 'Artist B' });
    expect(summary.counts).toMatchObject({ new: 2, unchanged: 0, missing: 0 });
    expect([...files(open(root)).keys()].sort()).toEqual([library.fourth.path, library.third.path]);
  });
});
