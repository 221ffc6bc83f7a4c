/**
 * Song boundaries on real recorded music (test/fixtures/real-music/README.md): the 34 songs of
 * Debian's asc-music and drascula-music, single and in six formats, and files joined from them
 * (digital gaps, noise gaps, gapless, a hidden track, a full stop, cue sheets). What each should
 * give is in the fixtures' manifest, computed from exact sample counts when they were built.
 */
import { appendFileSync, cpSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { TICKS_PER_SECOND } from '../../src/file-record.js';
import type { ImportSummary } from '../../src/import/events.js';
import { runImport } from '../../src/import/run.js';
import { realMusicDir } from '../real-music.js';
import { closeAfterTest, fileScopedFolder } from './db-helpers.js';
import { inspect, tempFolder } from './helpers.js';

interface ManifestFile {
  path: string;
  kind: string;
  tags: Record<string, string>;
  duration: number;
  passages: [number, number][];
  expectedPassages: number;
  cue?: string;
  tracks?: { number: number; title: string | null; performer: string | null; start: number; end: number }[];
}

const fixtures = realMusicDir();
const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as { files: ManifestFile[] };
const ofKind = (...kinds: string[]) => manifest.files.filter((file) => kinds.includes(file.kind));
/** One CD frame: how exactly a cue sheet's tracks must be met. */
const cueFrame = 1 / 75;

interface StoredPassage {
  guid: string;
  start: number;
  end: number;
  title: string | null;
  artist: string | null;
  album: string | null;
  metadata: {
    passage: { number: number; of: number };
    boundaries: { source: string; noiseFloorDbfs: number | null; sheet?: string; track?: number; rejectedGaps: unknown[] };
  };
  recordings: string[];
}

function passagesOf(db: Database.Database, path: string): StoredPassage[] {
  const rows = db.prepare(`
    SELECT p.guid, p.start_time_ticks AS startTicks, p.end_time_ticks AS endTicks, p.title, p.artist, p.album, p.import_metadata AS metadata
    FROM passages p JOIN files f ON f.guid = p.file_id WHERE f.path = ? ORDER BY p.start_time_ticks`).all(path) as
    { guid: string; startTicks: number; endTicks: number; title: string | null; artist: string | null; album: string | null; metadata: string }[];
  const recordings = db.prepare('SELECT s.recording_mbid AS mbid FROM passage_songs ps JOIN songs s ON s.guid = ps.song_id WHERE ps.passage_id = ?');
  return rows.map((row) => ({
    guid: row.guid, title: row.title, artist: row.artist, album: row.album,
    start: row.startTicks / TICKS_PER_SECOND, end: row.endTicks / TICKS_PER_SECOND,
    metadata: JSON.parse(row.metadata) as StoredPassage['metadata'],
    recordings: (recordings.all(row.guid) as { mbid: string }[]).map((link) => link.mbid),
  }));
}

interface Imported {
  summary: ImportSummary;
  /** A connection to the import's database, for one test. */
  readonly db: Database.Database;
}

/** Imports `folder` of the real-music fixtures into a database of its own that lasts for the test file (the fixtures folder is shared). */
async function importFixtures(folder: string): Promise<Imported> {
  const database = join(fileScopedFolder(), 'wkmp.db');
  const summary = await runImport({ rootFolder: fixtures, folder, database, jobs: 2 });
  return { summary, get db() { return closeAfterTest(inspect(database)); } };
}

function expectEdges(actual: StoredPassage[], expected: [number, number][], tolerance: number, what: string): void {
  expect(actual.map((p) => [p.start, p.end]), what).toHaveLength(expected.length);
  actual.forEach((passage, i) => {
    expect(Math.abs(passage.start - expected[i]![0]), `${what}: passage ${i + 1} starts at ${passage.start}, expected ${expected[i]![0]}`).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(passage.end - expected[i]![1]), `${what}: passage ${i + 1} ends at ${passage.end}, expected ${expected[i]![1]}`).toBeLessThanOrEqual(tolerance);
  });
}

describe('single songs of real music', () => {
  let imported: Imported;
  beforeAll(async () => {
    imported = await importFixtures('singles');
  });

  it('gives every one of the 40 files, in every format, exactly one passage', () => {
    const singles = ofKind('single');
    expect(singles.length).toBeGreaterThanOrEqual(40);
    expect(imported.summary.errors).toEqual([]);
    for (const file of singles) expect(passagesOf(imported.db, file.path).length, file.path).toBe(1);
    expect(imported.summary.counts.passagesPerFile).toEqual({ one: singles.length, twoToFive: 0, moreThanFive: 0 });
  });

  it('puts the passage over the song\'s sound, its leading and trailing silence outside', () => {
    for (const file of ofKind('single')) {
      const [passage] = passagesOf(imported.db, file.path) as [StoredPassage];
      const [soundStart, soundEnd] = file.passages[0]!;
      expect(passage.start, file.path).toBeGreaterThanOrEqual(0);
      expect(passage.end, file.path).toBeLessThanOrEqual(file.duration + 0.05);
      if (passage.metadata.boundaries.noiseFloorDbfs !== null) continue;
      // The manifest's edges are where ffmpeg finds −60 dBFS; the passage may reach further, down to −70.
      expect(passage.start, file.path).toBeLessThanOrEqual(soundStart + 0.1);
      expect(passage.end, file.path).toBeGreaterThanOrEqual(soundEnd - 0.1);
    }
  });

  it('leaves the hiss a song fades in from and out into outside its passage, and no more', () => {
    // The asc soundtracks were mastered with hiss under them: their passages are the music above it.
    const hissy = ofKind('single').filter((file) => passagesOf(imported.db, file.path)[0]!.metadata.boundaries.noiseFloorDbfs !== null);
    expect(hissy.map((file) => file.path).sort()).toEqual(['singles/frontiers.mp3', 'singles/machine_wars.mp3', 'singles/machine_wars.ogg']);
    for (const file of hissy) {
      const [passage] = passagesOf(imported.db, file.path) as [StoredPassage];
      const [soundStart, soundEnd] = file.passages[0]!;
      expect(passage.start - soundStart, file.path).toBeLessThan(1.5);
      expect(soundEnd - passage.end, file.path).toBeLessThan(5);
    }
  });

  it('names the passage of a one-song file from the file\'s tags', () => {
    for (const file of ofKind('single').filter((single) => single.tags.title)) {
      const [passage] = passagesOf(imported.db, file.path) as [StoredPassage];
      expect(passage.title, file.path).toBe(file.tags.title);
    }
  });
});

describe('real songs joined into one file', () => {
  let imported: Imported;
  beforeAll(async () => {
    imported = await importFixtures('joins');
  });

  it.each(ofKind('digital-gaps', 'side-rip', 'hidden-track', 'gapless', 'full-stop').map((file) => [file.kind, file] as const))(
    '%s: one passage per song, each boundary within 0.1 s of the gap\'s edge',
    (_, file) => {
      expectEdges(passagesOf(imported.db, file.path), file.passages, 0.1, file.path);
    },
  );

  it('an analogue rip with −50 dBFS noise in its gaps splits at its gaps, within 0.2 s of where each song meets the noise', () => {
    const [file] = ofKind('noise-gaps');
    const passages = passagesOf(imported.db, file!.path);
    // The end of a song fades into the noise a little before the join: the sound stops where it sinks under the floor.
    expectEdges(passages, file!.passages, 0.2, file!.path);
    expect(passages[0]!.metadata.boundaries).toMatchObject({ source: 'silence', noiseFloorDbfs: expect.any(Number) as unknown });
  });

  it('keeps a full stop of 1 s inside a song tagged as one track, and shows it as a rejected candidate', () => {
    const [file] = ofKind('full-stop');
    const [passage] = passagesOf(imported.db, file!.path) as [StoredPassage];
    expect(passage.title).toBe(file!.tags.title);
    expect(passage.metadata.boundaries.rejectedGaps).toEqual([
      { startTicks: expect.any(Number) as unknown, endTicks: expect.any(Number) as unknown, verdict: 'short for one track' },
    ]);
  });

  it('numbers the passages of a file of several songs as unidentified, taking no title from a side\'s tag', () => {
    const [file] = ofKind('side-rip');
    const passages = passagesOf(imported.db, file!.path);
    expect(passages.map((p) => p.title)).toEqual([null, null, null]);
    expect(passages.map((p) => p.metadata.passage)).toEqual([{ number: 1, of: 3 }, { number: 2, of: 3 }, { number: 3, of: 3 }]);
  });

  it.each(ofKind('cue', 'cue-multi', 'cue-embedded').map((file) => [file.path, file] as const))(
    '%s: the cue sheet\'s tracks exactly, to a frame, with their titles and performers',
    (_, file) => {
      const passages = passagesOf(imported.db, file.path);
      expectEdges(passages, file.tracks!.map((track) => [track.start, track.end]), cueFrame, file.path);
      for (const [i, track] of file.tracks!.entries()) {
        expect(passages[i]!.metadata.boundaries, file.path).toMatchObject({ source: 'cue sheet', track: track.number });
        if (track.title !== null) expect(passages[i]!.title, file.path).toBe(track.title);
        if (track.performer !== null) expect(passages[i]!.artist, file.path).toBe(track.performer);
      }
    },
  );

  it('links a track to the recording its cue sheet names', () => {
    const [file] = ofKind('cue');
    const sheet = readFileSync(join(fixtures, file!.cue!), 'utf8');
    const recording = /REM MUSICBRAINZ_TRACKID "?([0-9a-f-]{36})/.exec(sheet)![1];
    expect(passagesOf(imported.db, file!.path)[0]!.recordings).toEqual([recording]);
  });

  it('records a broken cue sheet and one naming a missing file as error rows, and cuts their audio at its silences', () => {
    const errors = imported.summary.errors.map(({ path, phase, code }) => ({ path, phase, code }));
    expect(errors).toEqual(expect.arrayContaining([
      { path: 'joins/cue-broken/Album.cue', phase: 'cue', code: 'CUE_INVALID' },
      { path: 'joins/cue-missing/Other.cue', phase: 'cue', code: 'CUE_FILE_MISSING' },
    ]));
    expect(imported.summary.errors.find((error) => error.code === 'CUE_INVALID')!.message).toMatch(/^reading cue sheet joins\/cue-broken\/Album\.cue: line \d+: /);
    expect(imported.summary.errors.find((error) => error.code === 'CUE_FILE_MISSING')!.message).toContain('Missing.flac');
    for (const file of ofKind('cue-broken', 'cue-missing')) {
      const passages = passagesOf(imported.db, file.path);
      expectEdges(passages, file.passages, 0.1, file.path);
      expect(passages[0]!.metadata.boundaries.source, file.path).toBe('silence');
    }
  });

  it('does not import a .cue file as audio', () => {
    expect(imported.db.prepare("SELECT count(*) AS n FROM files WHERE path LIKE '%.cue'").get()).toEqual({ n: 0 });
  });
});

describe('cue sheets', () => {
  it('reads a Windows-1252 sheet that names the WAV its FLAC was ripped from, accents and all', async () => {
    const [file] = ofKind('cue-latin1');
    const { db, summary } = await importFixtures('joins/cue-latin1');
    expect(summary.errors).toEqual([]);
    const passages = passagesOf(db, file!.path);
    expect(passages.map((p) => p.title)).toEqual(file!.tracks!.map((track) => track.title));
    expect(passages.map((p) => p.title).join(' ')).toMatch(/é/);
    expectEdges(passages, file!.tracks!.map((track) => [track.start, track.end]), cueFrame, file!.path);
  });

  it('re-imports the audio when its cue sheet is edited', async () => {
    const root = tempFolder();
    cpSync(join(fixtures, 'joins', 'cue-album'), root, { recursive: true });
    const first = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    expect(first.counts).toMatchObject({ new: 1, passages: 4 });
    const sheet = join(root, 'Album.cue');
    appendFileSync(sheet, 'REM COMMENT "edited"\n');
    const later = new Date(statSync(sheet).mtimeMs + 60_000);
    utimesSync(sheet, later, later);
    const second = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    expect(second.counts).toMatchObject({ new: 0, changed: 1 });
    const third = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    expect(third.counts).toMatchObject({ changed: 0, unchanged: 1 });
  });
});
