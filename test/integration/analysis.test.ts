/**
 * Full audio analysis end to end: runImport on temp roots holding copies of real audio, checked
 * against what the fixtures are known to contain (test/fixtures/README.md, "analysis/"): passages
 * at silences, lead-in and lead-out, fingerprints (compared with fpcalc), the embedded recording,
 * NO AUDIO, the tags-then-full upgrade, and what stops a file or an import: a worker that dies, the
 * per-file time limit, cancelling. ffmpeg and fpcalc are required (CI installs them): when either
 * is missing these tests fail, they do not skip. The tests that catch a file in flight watch
 * /proc/self/fd and /proc/<pid>/cmdline, so they need Linux.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYSIS_VERSION, TICKS_PER_SECOND } from '../../src/file-record.js';
import type { ImportEvent, ImportSummary } from '../../src/import/events.js';
import { createAnalysisPool } from '../../src/import/pool.js';
import { runImport } from '../../src/import/run.js';
import { parseImportMetadata } from '../../src/stored/import-metadata.js';
import { closeAfterTest, copyFixtureRootForFile, setSettings } from './db-helpers.js';
import { analyseTask, count, decodersReading, ffmpegs, fixtures, type FfmpegName, inspect, libraryAudio, makeEndlessWav, makeToneFlac, tempFolder, waitFor } from './helpers.js';

/** Every import below runs with each ffmpeg the project may decode with. */
const decoders = Object.keys(ffmpegs) as FfmpegName[];

// ---------------------------------------------------------------- what the fixtures contain

/** test/fixtures/analysis/three-songs.mp3 as make-fixtures.sh builds it (seconds from the file start). */
const threeSongs = {
  path: 'three-songs.mp3',
  seconds: 43,
  title: 'Three Songs',
  artist: 'Trio',
  recording: '66666666-6666-4666-8666-666666666666',
  /** Each song at full level: three sines of amplitude 0.2051, an RMS of 0.2512 (−12 dBFS). */
  songRms: 0.2051 * Math.sqrt(3 / 2),
  /** Song A: from 1 s, gain rising linearly from 0 to 1 over 4 s, then full level to its abrupt end at 13 s. */
  a: { fadeInStart: 1, fadeInSeconds: 4, end: 13 },
  /** Song B: full level from 15 s to 29 s but for 150 ms of digital silence at its 5 s mark. */
  b: { start: 15, end: 29, dip: { start: 20, end: 20.15 } },
  /** Song C: full level from 31 s, gain falling linearly to 0 over its last 3 s, which end at 42 s. */
  c: { start: 31, fadeOutSeconds: 3, fadeOutEnd: 42 },
};

/**
 * The sounding regions of three-songs.mp3 at a silence threshold of `thresholdDbfs`: where a
 * sample's magnitude reaches the threshold. A linear fade of a song whose peak is p (at most
 * 3 × 0.2051) crosses level L at the gain L / p, that fraction of the fade's length from its
 * silent end: a few milliseconds at −70 dBFS.
 */
function soundingRegions(thresholdDbfs: number): { start: number; end: number }[] {
  const gain = 10 ** (thresholdDbfs / 20) / (3 * 0.2051);
  const { a, b, c } = threeSongs;
  return [
    { start: a.fadeInStart + gain * a.fadeInSeconds, end: a.end },
    { start: b.start, end: b.end },
    { start: c.start, end: c.fadeOutEnd - gain * c.fadeOutSeconds },
  ];
}

/** silence.flac: 3 s of digital silence, NO AUDIO. whisper.flac: a 1 kHz sine at −50 dBFS RMS, quiet but sound. */
const silentFile = 'silence.flac';
const whisperFile = 'whisper.flac';
/**
 * Three songs of 11–14 s are fragments under the default minimum song length (15 s; 30 s in a
 * file titled as one track): these tests, about the arithmetic of edges, leads and fingerprints,
 * set it to 5 s, so that a titled file splits at gaps of 1.5 s with 10 s of sound on each side.
 */
const minSongSeconds = 5;

// ---------------------------------------------------------------- reading what an import left

interface LeadMetadata {
  seconds: number;
  quickRamp: boolean;
  peak: number;
  thresholdRms: number;
}

/** A passage's import_metadata after a full analysis (build-record.ts). */
interface FullAnalysisMetadata {
  analysis: 'full';
  analysisVersion: number;
  passage: { number: number; of: number };
  boundaries: { source: string; thresholdDbfs: number; noiseFloorDbfs: number | null; oneTrack: boolean; rejectedGaps: unknown[] };
  decoder: string;
  sampleRate: number;
  windowMs: number;
  segmentation: { silenceThresholdDb: number; minGapSeconds: number; minSongSeconds: number };
  amplitude: {
    rmsWindowMs: number; leadInThresholdDb: number; leadOutThresholdDb: number; quickRampThreshold: number;
    quickRampDurationS: number; maxLeadInDurationS: number; maxLeadOutDurationS: number; applyAWeighting: boolean;
  };
  leadIn: LeadMetadata;
  leadOut: LeadMetadata;
}

interface Chromaprint {
  fingerprint: string;
  durationSeconds: number;
}

interface PassageRow {
  guid: string;
  /** Seconds from the file start, from the stored ticks. */
  start: number;
  end: number;
  leadIn: number | null;
  leadOut: number | null;
  startTicks: number;
  endTicks: number;
  leadInTicks: number | null;
  leadOutTicks: number | null;
  title: string | null;
  artist: string | null;
  metadata: FullAnalysisMetadata;
  chromaprint: Chromaprint | null;
  /** Recording MBIDs linked to the passage (passage_songs). */
  recordings: string[];
}

interface FileRow {
  guid: string;
  path: string;
  hash: string;
  status: string;
  analysis: string;
  durationTicks: number | null;
  title: string | null;
  matchingHashes: string | null;
}

function open(root: string): Database.Database {
  return closeAfterTest(inspect(join(root, 'wkmp.db')));
}

function fileRows(db: Database.Database): Map<string, FileRow> {
  const rows = db.prepare(`
    SELECT guid, path, hash, status, analysis, duration_ticks AS durationTicks, title, matching_hashes AS matchingHashes FROM files`).all() as FileRow[];
  return new Map(rows.map((row) => [row.path, row]));
}

function fileRow(db: Database.Database, path: string): FileRow {
  const row = fileRows(db).get(path);
  if (!row) throw new Error(`no files row for ${path}`);
  return row;
}

const seconds = (ticks: number): number => ticks / TICKS_PER_SECOND;

function passageRows(db: Database.Database, fileGuid: string): PassageRow[] {
  const rows = db.prepare(`
    SELECT guid, start_time_ticks AS startTicks, end_time_ticks AS endTicks, lead_in_start_ticks AS leadInTicks,
           lead_out_start_ticks AS leadOutTicks, title, artist, import_metadata AS metadata, additional_metadata AS additional
    FROM passages WHERE file_id = ? ORDER BY start_time_ticks`).all(fileGuid) as
    { guid: string; startTicks: number; endTicks: number; leadInTicks: number | null; leadOutTicks: number | null; title: string | null;
      artist: string | null; metadata: string; additional: string | null }[];
  const recordingsOf = db.prepare('SELECT s.recording_mbid AS mbid FROM passage_songs ps JOIN songs s ON s.guid = ps.song_id WHERE ps.passage_id = ?');
  return rows.map((row) => ({
    guid: row.guid,
    start: seconds(row.startTicks),
    end: seconds(row.endTicks),
    leadIn: row.leadInTicks === null ? null : seconds(row.leadInTicks),
    leadOut: row.leadOutTicks === null ? null : seconds(row.leadOutTicks),
    startTicks: row.startTicks,
    endTicks: row.endTicks,
    leadInTicks: row.leadInTicks,
    leadOutTicks: row.leadOutTicks,
    title: row.title,
    artist: row.artist,
    metadata: JSON.parse(row.metadata) as FullAnalysisMetadata,
    chromaprint: row.additional === null ? null : (JSON.parse(row.additional) as { chromaprint?: Chromaprint }).chromaprint ?? null,
    recordings: (recordingsOf.all(row.guid) as { mbid: string }[]).map((link) => link.mbid),
  }));
}

/** The length of the analysis windows the metadata describes: a whole number of samples. */
function windowSeconds(metadata: Pick<FullAnalysisMetadata, 'sampleRate'>, windowMs: number): number {
  return Math.round((metadata.sampleRate * windowMs) / 1000) / metadata.sampleRate;
}

// ---------------------------------------------------------------- external tools and the OS

const install: Record<string, string> = { ffmpeg: 'apt-get install ffmpeg', fpcalc: 'apt-get install libchromaprint-tools' };

/** Runs a tool to completion; a missing tool fails the test with how to install it. */
function runTool(command: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const ran = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (ran.error) {
    const missing = (ran.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? `${command} is not installed (not on PATH); these tests need it (Debian: ${install[command] ?? command})` : ran.error.message);
  }
  return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

function ffmpeg(args: readonly string[]): void {
  const ran = runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
  if (ran.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${ran.stderr}`);
}

/**
 * `fpcalc -json FILE`'s compressed fingerprint. fpcalc 1.5.1 ends many files with "ERROR: Error
 * decoding audio frame (End of file)" and exit status 3 after printing a correct result, so the
 * printed JSON is checked, not the status.
 */
function fpcalc(file: string): string {
  const ran = runTool('fpcalc', ['-json', file]);
  const text = ran.stdout.trim();
  if (text === '') throw new Error(`fpcalc gave no fingerprint for ${file}: ${ran.stderr}`);
  return (JSON.parse(text) as { fingerprint: string }).fingerprint;
}

function requireProc(): void {
  if (!existsSync('/proc/self/fd')) throw new Error('this test watches /proc/self/fd to see a file in analysis: it needs Linux');
}

/** Whether a thread of this process (an analysis worker: the tests themselves never open it) has `path` open. */
function openHere(path: string): boolean {
  const target = realpathSync(path);
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === target) return true;
    } catch {
      // closed between the listing and the look
    }
  }
  return false;
}

/** A folder that lasts for the whole test file. */
const fileScoped: string[] = [];
afterAll(() => {
  while (fileScoped.length > 0) rmSync(fileScoped.pop()!, { recursive: true, force: true });
});
function fileScopedFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wkmp-analysis-'));
  fileScoped.push(dir);
  return dir;
}

// ================================================================ passages, leads, fingerprints

describe('full analysis of test/fixtures/analysis', () => {
  const imports = new Map<FfmpegName, { root: string; summary: ImportSummary }>();
  beforeAll(async () => {
    // One import per decoder (one session at a time); the tests below only read what they left.
    for (const decoder of decoders) {
      const root = copyFixtureRootForFile('analysis');
      await setSettings(join(root, 'wkmp.db'), { minimum_song_duration_ticks: String(minSongSeconds * TICKS_PER_SECOND) });
      imports.set(decoder, { root, summary: await runImport({ rootFolder: root, jobs: 2, ffmpeg: ffmpegs[decoder] }) });
    }
  });

  function imported(decoder: FfmpegName): { root: string; summary: ImportSummary; db: Database.Database } {
    const found = imports.get(decoder);
    if (!found) throw new Error(`no import with the ${decoder} ffmpeg`);
    return { ...found, db: open(found.root) };
  }

  function threeSongsPassages(decoder: FfmpegName): { file: FileRow; passages: PassageRow[] } {
    const { db } = imported(decoder);
    const file = fileRow(db, threeSongs.path);
    return { file, passages: passageRows(db, file.guid) };
  }

  describe.each(decoders)('decoded by the %s ffmpeg', (decoder) => {
    it('imports the folder: three passages in three-songs.mp3, one in the whisper, the silent file NO AUDIO', () => {
      const { summary } = imported(decoder);
      expect(summary.state).toBe('COMPLETED');
      expect(summary.errors).toEqual([]);
      expect(summary.counts).toMatchObject({ new: 3, recorded: 3, failed: 0, passages: 4, songs: 1, noAudio: 1 });
      // Every second of the three files was decoded: 43 + 3 + 3.
      expect(summary.counts.audioSeconds).toBeCloseTo(threeSongs.seconds + 3 + 3, 1);
    });

    it('cuts three-songs.mp3 into exactly three passages at the edges of its sounding regions: the 150-ms dip splits nothing, the silence around them is outside', () => {
      const { file, passages } = threeSongsPassages(decoder);
      expect(file.status).toBe('INGEST COMPLETE');
      const expected = soundingRegions(passages[0]!.metadata.boundaries.thresholdDbfs);
      expect(passages.map(({ start, end }) => ({ start, end }))).toHaveLength(3);
      passages.forEach((passage, i) => {
        expect(Math.abs(passage.start - expected[i]!.start), `passage ${i} starts at ${passage.start} s, sound from ${expected[i]!.start} s`).toBeLessThanOrEqual(0.1);
        expect(Math.abs(passage.end - expected[i]!.end), `passage ${i} ends at ${passage.end} s, sound until ${expected[i]!.end} s`).toBeLessThanOrEqual(0.1);
      });
      // The dip lies inside passage B: no boundary near it.
      const { dip } = threeSongs.b;
      expect(passages[1]!.start).toBeLessThan(dip.start);
      expect(passages[1]!.end).toBeGreaterThan(dip.end);
      // Leading and trailing silence (1 s each, and the silent start and end of the fades) are outside.
      expect(passages[0]!.start).toBeGreaterThan(threeSongs.a.fadeInStart);
      expect(passages[2]!.end).toBeLessThan(threeSongs.c.fadeOutEnd);
    });

    it('records the decoded duration of three-songs.mp3 and of the silent files', () => {
      const { db } = imported(decoder);
      expect(Math.abs(seconds(fileRow(db, threeSongs.path).durationTicks!) - threeSongs.seconds)).toBeLessThanOrEqual(0.05);
      for (const path of [silentFile, whisperFile]) expect(Math.abs(seconds(fileRow(db, path).durationTicks!) - 3), path).toBeLessThanOrEqual(0.05);
    });

    it('finds the lead-in of the faded-in song A and the lead-out of the faded-out song C where the −12 dB rule puts them, and none for the abrupt edges', () => {
      const { passages } = threeSongsPassages(decoder);
      const [a, b, c] = passages as [PassageRow, PassageRow, PassageRow];
      const { amplitude } = a.metadata;
      const tolerance = 2 * windowSeconds(a.metadata, amplitude.rmsWindowMs);
      // A linear fade over T seconds reaches peak·10^(dB/20) at that fraction of T from its silent end.
      const leadInPoint = threeSongs.a.fadeInStart + threeSongs.a.fadeInSeconds * 10 ** (amplitude.leadInThresholdDb / 20);
      const leadOutPoint = threeSongs.c.fadeOutEnd - threeSongs.c.fadeOutSeconds * 10 ** (amplitude.leadOutThresholdDb / 20);
      expect(Math.abs(a.leadIn! - leadInPoint), `lead-in of A at ${a.leadIn} s, the rule says ${leadInPoint} s`).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(c.leadOut! - leadOutPoint), `lead-out of C at ${c.leadOut} s, the rule says ${leadOutPoint} s`).toBeLessThanOrEqual(tolerance);
      expect(a.metadata.leadIn.quickRamp).toBe(false);
      expect(c.metadata.leadOut.quickRamp).toBe(false);
      // B starts and ends at full level, A ends and C starts at it: quick ramps, no lead.
      expect(b.leadInTicks).toBe(b.startTicks);
      expect(b.leadOutTicks).toBe(b.endTicks);
      expect(a.leadOutTicks).toBe(a.endTicks);
      expect(c.leadInTicks).toBe(c.startTicks);
      expect([b.metadata.leadIn.quickRamp, b.metadata.leadOut.quickRamp, a.metadata.leadOut.quickRamp, c.metadata.leadIn.quickRamp]).toEqual([true, true, true, true]);
      for (const passage of passages) {
        expect(passage.leadInTicks).toBeGreaterThanOrEqual(passage.startTicks);
        expect(passage.leadOutTicks).toBeLessThanOrEqual(passage.endTicks);
        expect(passage.leadInTicks).toBeLessThanOrEqual(passage.leadOutTicks!);
      }
    });

    it('keeps in import_metadata the parameters used (silence, amplitude, decoder) and the measured levels and leads', () => {
      const { passages } = threeSongsPassages(decoder);
      expect(passages).toHaveLength(3);
      for (const [i, passage] of passages.entries()) {
        expect(passage.metadata).toEqual({
          analysis: 'full', analysisVersion: ANALYSIS_VERSION, passage: { number: i + 1, of: 3 },
          boundaries: { source: 'silence', thresholdDbfs: -70, noiseFloorDbfs: null, oneTrack: true, rejectedGaps: [] },
          decoder: 'ffmpeg', sampleRate: 11_025, windowMs: 100,
          segmentation: { silenceThresholdDb: 70, minGapSeconds: 0.5, minSongSeconds },
          amplitude: {
            rmsWindowMs: 100, leadInThresholdDb: -12, leadOutThresholdDb: -12, quickRampThreshold: 0.75,
            quickRampDurationS: 1, maxLeadInDurationS: 5, maxLeadOutDurationS: 5, applyAWeighting: true,
          },
          leadIn: { seconds: expect.any(Number) as unknown, quickRamp: expect.any(Boolean) as unknown, peak: expect.any(Number) as unknown, thresholdRms: expect.any(Number) as unknown },
          leadOut: { seconds: expect.any(Number) as unknown, quickRamp: expect.any(Boolean) as unknown, peak: expect.any(Number) as unknown, thresholdRms: expect.any(Number) as unknown },
        });
        // What identification and the file page read back of it (stored/import-metadata.ts).
        expect(parseImportMetadata(JSON.stringify(passage.metadata))).toEqual({ readable: true, value: passage.metadata });
        const { leadIn, leadOut } = passage.metadata;
        // The measured values are the ones stored as ticks, and the thresholds are −12 dB under the measured peak.
        expect(passage.leadInTicks).toBe(passage.startTicks + Math.round(leadIn.seconds * TICKS_PER_SECOND));
        expect(passage.leadOutTicks).toBe(passage.endTicks - Math.round(leadOut.seconds * TICKS_PER_SECOND));
        expect(leadIn.thresholdRms).toBeCloseTo(leadIn.peak * 10 ** (-12 / 20), 6);
        expect(leadOut.thresholdRms).toBeCloseTo(leadOut.peak * 10 ** (-12 / 20), 6);
        // The peak is the A-weighted level of a −12 dBFS song (its notes lie at 1–3 kHz, where A-weighting adds 0–1.3 dB).
        expect(20 * Math.log10(leadIn.peak / threeSongs.songRms)).toBeGreaterThan(-0.5);
        expect(20 * Math.log10(leadIn.peak / threeSongs.songRms)).toBeLessThan(2);
      }
    });

    it('fingerprints each passage of 10 s or more, over the passage', () => {
      const { passages } = threeSongsPassages(decoder);
      for (const passage of passages) {
        expect(passage.end - passage.start).toBeGreaterThanOrEqual(10);
        expect(passage.chromaprint?.fingerprint, `passage at ${passage.start} s`).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(passage.chromaprint!.durationSeconds).toBeCloseTo(passage.end - passage.start, 2);
      }
      // Three different songs, three different fingerprints.
      expect(new Set(passages.map((passage) => passage.chromaprint!.fingerprint)).size).toBe(3);
    });

    it('gives each passage the fingerprint fpcalc computes from an excerpt cut at the passage bounds', () => {
      const { passages } = threeSongsPassages(decoder);
      const folder = tempFolder();
      const source = join(fixtures, 'analysis', threeSongs.path);
      for (const [i, passage] of passages.entries()) {
        const excerpt = join(folder, `excerpt-${i}.wav`);
        ffmpeg(['-ss', String(passage.start), '-t', String(passage.end - passage.start), '-i', source, '-ac', '1', '-ar', '11025', excerpt]);
        expect(passage.chromaprint!.fingerprint, `passage ${i} (${passage.start}–${passage.end} s)`).toBe(fpcalc(excerpt));
      }
    });

    it('gives the embedded recording id to the first passage, where the tagged track starts; no passage takes the file\'s title; all keep the tag artist', () => {
      const { passages } = threeSongsPassages(decoder);
      const { db } = imported(decoder);
      const [a, b, c] = passages as [PassageRow, PassageRow, PassageRow];
      expect(a.recordings).toEqual([threeSongs.recording]);
      expect([b.recordings, c.recordings]).toEqual([[], []]);
      expect(passages.map((passage) => [passage.title, passage.artist])).toEqual([
        [null, threeSongs.artist], [null, threeSongs.artist], [null, threeSongs.artist],
      ]);
      expect(passages.map((passage) => passage.metadata.passage)).toEqual([{ number: 1, of: 3 }, { number: 2, of: 3 }, { number: 3, of: 3 }]);
      expect(db.prepare('SELECT recording_mbid AS mbid, title FROM songs').all()).toEqual([{ mbid: threeSongs.recording, title: threeSongs.title }]);
      expect(count(db, 'passage_songs')).toBe(1);
      // The link spans the whole passage, relative to its start.
      expect(db.prepare('SELECT start_time_ticks AS start, end_time_ticks AS end FROM passage_songs WHERE passage_id = ?').get(a.guid))
        .toEqual({ start: 0, end: a.endTicks - a.startTicks });
    });

    it('records digital silence as NO AUDIO, with no passages, and a whisper at −50 dBFS as one song: silence is below −70 dBFS', () => {
      const { db } = imported(decoder);
      const silent = fileRow(db, silentFile);
      expect(silent).toMatchObject({ status: 'NO AUDIO', analysis: 'full' });
      expect(silent.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(passageRows(db, silent.guid)).toEqual([]);
      const whisper = fileRow(db, whisperFile);
      expect(whisper.status).toBe('INGEST COMPLETE');
      const [passage] = passageRows(db, whisper.guid);
      expect(passage!.end - passage!.start).toBeGreaterThan(2.9);
    });
  });

  it('finds the same passages with both ffmpegs (the system\'s and the static one npm installs), to one window', () => {
    const [first, second] = decoders.map((decoder) => threeSongsPassages(decoder).passages) as [PassageRow[], PassageRow[]];
    expect(second).toHaveLength(first.length);
    const window = windowSeconds(first[0]!.metadata, first[0]!.metadata.windowMs);
    first.forEach((passage, i) => {
      const other = second[i]!;
      for (const edge of ['start', 'end', 'leadIn', 'leadOut'] as const) {
        expect(Math.abs(passage[edge]! - other[edge]!), `passage ${i} ${edge}: ${passage[edge]} s and ${other[edge]} s`).toBeLessThanOrEqual(window + 1e-9);
      }
    });
  });
});

// ================================================================ tags first, then full

describe('a tags pass over the library, then full analysis', () => {
  let root: string;
  const runs: { tags?: ImportSummary; full?: ImportSummary; again?: ImportSummary } = {};
  const states: { tags?: LibraryState; full?: LibraryState; again?: LibraryState } = {};

  interface LibraryState {
    files: Map<string, FileRow>;
    passages: Map<string, { start: number; end: number; startTicks: number; endTicks: number; leadInTicks: number | null; leadOutTicks: number | null;
      analysis: string; additional: string | null }[]>;
    rows: Record<string, unknown[]>;
  }

  function libraryState(): LibraryState {
    const db = open(root);
    const files = fileRows(db);
    const passages = new Map([...files.values()].map((file) => [file.path, passageRows(db, file.guid).map((passage) => ({
      start: passage.start, end: passage.end, startTicks: passage.startTicks, endTicks: passage.endTicks,
      leadInTicks: passage.leadInTicks, leadOutTicks: passage.leadOutTicks,
      analysis: (passage.metadata as { analysis: string }).analysis,
      additional: passage.chromaprint === null ? null : JSON.stringify(passage.chromaprint),
    }))]));
    const all = (sql: string) => db.prepare(sql).all();
    const rows = {
      files: all('SELECT * FROM files ORDER BY path'), passages: all('SELECT * FROM passages ORDER BY guid'),
      songs: all('SELECT * FROM songs ORDER BY guid'), passageSongs: all('SELECT * FROM passage_songs ORDER BY passage_id'),
    };
    db.close();
    return { files, passages, rows };
  }

  beforeAll(async () => {
    root = copyFixtureRootForFile('library');
    runs.tags = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    states.tags = libraryState();
    runs.full = await runImport({ rootFolder: root, jobs: 2, analysis: 'full' });
    states.full = libraryState();
    runs.again = await runImport({ rootFolder: root, jobs: 2, analysis: 'full' });
    states.again = libraryState();
  });

  it('records each file from its tags alone: analysis tags, no hash, one whole-file passage, nothing decoded', () => {
    expect(runs.tags!.state).toBe('COMPLETED');
    expect(runs.tags!.counts).toMatchObject({ new: 7, upgraded: 0, recorded: 7, failed: 0, passages: 7, noAudio: 0, audioSeconds: 0 });
    const { files, passages } = states.tags!;
    expect([...files.keys()].sort()).toEqual(libraryAudio.map((file) => file.path).sort());
    for (const [path, file] of files) {
      // No hash means the content was not read; no duplicate can be known yet either.
      expect({ analysis: file.analysis, hash: file.hash, status: file.status }, path).toEqual({ analysis: 'tags', hash: '', status: 'INGEST COMPLETE' });
      expect(passages.get(path), path).toEqual([{
        start: 0, end: seconds(file.durationTicks!), startTicks: 0, endTicks: file.durationTicks, leadInTicks: null, leadOutTicks: null,
        analysis: 'tags', additional: null,
      }]);
      // The container's duration of a 2-s tone.
      expect(Math.abs(seconds(file.durationTicks!) - 2), path).toBeLessThan(0.1);
    }
  });

  it('then analyses exactly the tagged files in full: hashes, duplicates found, passages from the audio, no fingerprint under 10 s', () => {
    expect(runs.full!.state).toBe('COMPLETED');
    expect(runs.full!.counts).toMatchObject({ new: 0, changed: 0, upgraded: 7, unchanged: 0, recorded: 7, failed: 0, duplicates: 1 });
    // Seven 2-s files decoded.
    expect(runs.full!.counts.audioSeconds).toBeGreaterThan(7 * 1.9);
    expect(runs.full!.counts.audioSeconds).toBeLessThan(7 * 2.2);
    const { files, passages } = states.full!;
    for (const [path, file] of files) {
      expect(file.analysis, path).toBe('full');
      expect(file.hash, path).toMatch(/^[0-9a-f]{64}$/);
      // A file keeps its guid when it is analysed again.
      expect(file.guid, path).toBe(states.tags!.files.get(path)!.guid);
      for (const passage of passages.get(path)!) {
        expect(passage.analysis, path).toBe('full');
        expect(passage.additional, `${path}: a 2-s passage has no fingerprint`).toBeNull();
        expect(passage.leadInTicks, path).not.toBeNull();
      }
    }
    const sixth = files.get('Various/Sixth.wav')!;
    const copy = files.get('Various/Sixth copy.wav')!;
    expect([sixth.status, copy.status].sort()).toEqual(['DUPLICATE HASH', 'INGEST COMPLETE']);
    expect(sixth.hash).toBe(copy.hash);
    expect(JSON.parse(sixth.matchingHashes!)).toEqual([copy.guid]);
    expect(JSON.parse(copy.matchingHashes!)).toEqual([sixth.guid]);
    const duplicate = sixth.status === 'DUPLICATE HASH' ? sixth : copy;
    expect(passages.get(duplicate.path)).toEqual([]);
  });

  it('and a third import analyses and writes nothing', () => {
    expect(runs.again!.state).toBe('COMPLETED');
    expect(runs.again!.counts).toMatchObject({ new: 0, changed: 0, upgraded: 0, unchanged: 7, recorded: 0, audioSeconds: 0 });
    expect(runs.again!.write.files).toBe(0);
    expect(states.again!.rows).toEqual(states.full!.rows);
  });
});

// ================================================================ what stops a file, or an import

describe('stopping the analysis of a file', () => {
  let long: string;
  beforeAll(() => {
    requireProc();
    long = join(fileScopedFolder(), 'long.flac');
    makeToneFlac(long, 30);
  });

  it('a worker thread that dies mid-file costs that file (WORKER_FAILED, naming it), and the pool goes on', async () => {
    const pool = await createAnalysisPool({ jobs: 1, fileTimeLimitMs: 60_000 });
    try {
      const running = pool.analyse(analyseTask(long, 'Long/long.flac'));
      await waitFor(() => openHere(long), 30_000, 'the worker to open the long file');
      expect(pool.threads).toHaveLength(1);
      await pool.threads[0]!.terminate();
      const result = await running;
      expect(result).toMatchObject({ kind: 'failure', path: 'Long/long.flac', phase: 'decode', code: 'WORKER_FAILED' });
      if (result?.kind !== 'failure') throw new Error('expected a failure');
      expect(result.message).toContain('Long/long.flac');
      expect(result.message).not.toMatch(/[\r\n]/);
      // The ffmpeg child it was reading from does not outlive it.
      await waitFor(() => decodersReading(long).length === 0, 10_000, 'the ffmpeg of the dead worker to end');

      const next = await pool.analyse(analyseTask(join(fixtures, 'library', 'Various', 'Sixth.wav'), 'Various/Sixth.wav'));
      expect(next).toMatchObject({ kind: 'record', path: 'Various/Sixth.wav', status: 'INGEST COMPLETE', analysis: 'full' });
    } finally {
      await pool.close();
    }
  });

  it('a file whose analysis runs past the time limit becomes an ANALYSIS_TIMEOUT error row; the import completes and records the others', async () => {
    const root = tempFolder();
    // Hashing and decoding 2 GB take far longer than the limit; a 2-s file takes a fraction of it
    // (the limit also covers starting the worker thread, which is why it is seconds, not milliseconds).
    makeEndlessWav(join(root, 'endless.wav'));
    mkdirSync(join(root, 'Various'));
    copyFileSync(join(fixtures, 'library', 'Various', 'Sixth.wav'), join(root, 'Various', 'Sixth.wav'));
    const fileTimeLimitMs = 5_000;
    const summary = await runImport({ rootFolder: root, jobs: 2, fileTimeLimitMs });

    expect(summary.state).toBe('COMPLETED');
    expect(summary.counts).toMatchObject({ new: 2, recorded: 1, failed: 1 });
    expect(summary.errors).toEqual([{
      path: 'endless.wav', phase: 'decode', code: 'ANALYSIS_TIMEOUT',
      message: `decoding endless.wav: analysis ran past ${fileTimeLimitMs / 1000} s; its worker was stopped`,
    }]);
    const db = open(root);
    expect(db.prepare('SELECT path, code FROM import_errors WHERE session_id = ?').all(summary.sessionId)).toEqual([{ path: 'endless.wav', code: 'ANALYSIS_TIMEOUT' }]);
    expect([...fileRows(db).values()].map(({ path, status }) => ({ path, status }))).toEqual([{ path: 'Various/Sixth.wav', status: 'INGEST COMPLETE' }]);
    expect(db.prepare('SELECT state FROM import_sessions WHERE session_id = ?').get(summary.sessionId)).toEqual({ state: 'COMPLETED' });
  });

  /** A tags pass's library: four short MP3s, and one whose frames go on for 16 GB (sparse, no disk used): counting them cannot finish in any limit a test waits for. */
  function tagsLibraryWithEndlessMp3(): string {
    const root = tempFolder();
    const short = join(root, 'short.mp3');
    const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'libmp3lame', '-write_xing', '0', short]);
    if (made.status !== 0) throw new Error(`ffmpeg could not make ${short}`);
    for (const name of ['a.mp3', 'b.mp3', 'c.mp3']) copyFileSync(short, join(root, name));
    copyFileSync(short, join(root, 'endless.mp3'));
    truncateSync(join(root, 'endless.mp3'), 16 * 2 ** 30);
    return root;
  }

  it('in a tags pass, which sends several files per task, a file past the time limit costs only itself: the others are analysed again one by one', async () => {
    const root = tagsLibraryWithEndlessMp3();
    // Seconds, as above: the limit also covers starting the worker thread again after each stop.
    const fileTimeLimitMs = 5_000;
    const summary = await runImport({ rootFolder: root, jobs: 1, analysis: 'tags', fileTimeLimitMs });

    expect(summary.state).toBe('COMPLETED');
    expect(summary.counts).toMatchObject({ new: 5, recorded: 4, failed: 1 });
    expect(summary.errors).toEqual([{
      path: 'endless.mp3', phase: 'decode', code: 'ANALYSIS_TIMEOUT',
      message: `decoding endless.mp3: analysis ran past ${fileTimeLimitMs / 1000} s; its worker was stopped`,
    }]);
    const db = open(root);
    expect([...fileRows(db).values()].map(({ path, status, analysis }) => ({ path, status, analysis }))).toEqual(['a.mp3', 'b.mp3', 'c.mp3', 'short.mp3']
      .map((path) => ({ path, status: 'INGEST COMPLETE', analysis: 'tags' })));
  });

  it('cancelling a tags pass stops the files sent with the one in flight: CANCELLED, none of them recorded as done', async () => {
    const root = tagsLibraryWithEndlessMp3();
    const endless = join(root, 'endless.mp3');
    const controller = new AbortController();
    const running = runImport({ rootFolder: root, jobs: 1, analysis: 'tags', signal: controller.signal });
    await waitFor(() => openHere(endless), 30_000, 'the endless file to be in analysis');
    controller.abort();
    const summary = await running;

    expect(summary.state).toBe('CANCELLED');
    expect(summary.errors).toEqual([]);
    // The five files went as one task: none of them is recorded, and the next import does them all.
    expect(summary.counts).toMatchObject({ recorded: 0, failed: 0 });
    expect(count(open(root), 'files')).toBe(0);
    await waitFor(() => !openHere(endless), 10_000, 'the stopped worker to let go of the endless file');
  });

  it('cancelling stops the file in flight instead of finishing it: CANCELLED, nothing recorded, no audio counted', async () => {
    const root = tempFolder();
    const paths = ['long-1.flac', 'long-2.flac'].map((name) => join(root, name));
    for (const path of paths) copyFileSync(long, path);
    const controller = new AbortController();
    const events: ImportEvent[] = [];
    const running = runImport({ rootFolder: root, jobs: 1, signal: controller.signal, onEvent: (event) => events.push(event) });
    // In the PROCESSING phase, with a worker analysing one of the files.
    const analysing = () => events.some((event) => event.type === 'ImportProgressUpdate' && event.progress.phase === 'analysing');
    await waitFor(() => analysing() && paths.some(openHere), 30_000, 'a long file to be in analysis');
    const inFlight = paths.filter(openHere);
    controller.abort();
    const summary = await running;

    expect(inFlight).toHaveLength(1);
    expect(summary.state).toBe('CANCELLED');
    expect(summary.errors).toEqual([]);
    // The file in flight was stopped, not finished: no second of its audio was counted.
    expect(summary.counts).toMatchObject({ recorded: 0, failed: 0, audioSeconds: 0 });
    expect(events.filter((event) => event.type === 'ImportSessionCancelled')).toHaveLength(1);
    const db = open(root);
    expect(count(db, 'files')).toBe(0);
    expect(count(db, 'passages')).toBe(0);
    expect(count(db, 'import_errors')).toBe(0);
    expect(db.prepare('SELECT state, files_processed AS processed FROM import_sessions').all()).toEqual([{ state: 'CANCELLED', processed: 0 }]);
    // Its worker was stopped (a terminated thread lets go of its file a moment later), and the ffmpeg decoding for it ends with it.
    await waitFor(() => !openHere(inFlight[0]!), 10_000, 'the stopped worker to let go of the cancelled file');
    await waitFor(() => decodersReading(inFlight[0]!).length === 0, 10_000, 'the ffmpeg of the cancelled file to end');
  });
});

// ================================================================ damaged files, decoded

describe.each(decoders)('full analysis of test/fixtures/bad with the %s ffmpeg', (decoder) => {
  let root: string;
  let summary: ImportSummary;
  beforeAll(async () => {
    root = copyFixtureRootForFile('bad');
    summary = await runImport({ rootFolder: root, jobs: 2, analysis: 'full', ffmpeg: ffmpegs[decoder] });
  });

  it('completes, with one error row per file it cannot use, each one line naming the file', () => {
    expect(summary.state).toBe('COMPLETED');
    expect(summary.errors.map(({ path, code }) => ({ path, code })).sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: 'empty.mp3', code: 'EMPTY_FILE' },
      { path: 'picture.mp3', code: 'NOT_AUDIO' },
      { path: 'random.flac', code: 'NOT_AUDIO' },
      { path: 'text.flac', code: 'NOT_AUDIO' },
      { path: 'truncated.flac', code: 'DECODE_FAILED' },
    ]);
    for (const error of summary.errors) {
      expect(error.message).toContain(error.path);
      expect(error.message).not.toMatch(/[\r\n]/);
    }
    const rows = open(root).prepare('SELECT path, message FROM import_errors WHERE session_id = ?').all(summary.sessionId) as { path: string; message: string }[];
    expect(rows).toHaveLength(summary.errors.length);
    for (const row of rows) expect(row.message.split('\n'), row.path).toEqual([expect.stringContaining(row.path) as unknown]);
  });

  it('records truncated-audio.mp3 with the duration that decodes (~1.75 s), not the 3.03 s its Xing header claims', () => {
    const db = open(root);
    const file = fileRow(db, 'truncated-audio.mp3');
    expect(file).toMatchObject({ status: 'INGEST COMPLETE', analysis: 'full', title: 'Truncated' });
    expect(Math.abs(seconds(file.durationTicks!) - 1.75)).toBeLessThan(0.1);
    const passages = passageRows(db, file.guid);
    expect(passages).toHaveLength(1);
    expect(passages[0]!.endTicks).toBeLessThanOrEqual(file.durationTicks!);
    // The other two audio files decode whole: 2-s tones.
    for (const path of ['noext-audio', 'renamed-ogg.mp3']) {
      const row = fileRow(db, path);
      expect(row.status, path).toBe('INGEST COMPLETE');
      expect(Math.abs(seconds(row.durationTicks!) - 2), path).toBeLessThan(0.1);
    }
  });
});

// ================================================================ a codec the ffmpeg in use can't decode

describe('a file whose codec the ffmpeg in use has no decoder for', () => {
  it('is recorded from its tags with a NO_DECODER warning, and a later import with an ffmpeg that decodes it finishes it', async () => {
    const root = tempFolder();
    // DFPWM (ffmpeg 5.0 and later) in a WAV: Debian's ffmpeg decodes it, the static 4.1 build has no decoder for it.
    const made = spawnSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=20:sample_rate=48000',
      '-c:a', 'dfpwm', join(root, 'dfpwm.wav')], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const first = await runImport({ rootFolder: root, jobs: 1, ffmpeg: ffmpegs.bundled });
    expect(first.counts).toMatchObject({ recorded: 1, failed: 0 });
    const db = open(root);
    expect(db.prepare('SELECT analysis, codec FROM files').get()).toMatchObject({ analysis: 'tags' });
    const warnings = db.prepare('SELECT path, code, message FROM import_errors WHERE session_id = ?').all(first.sessionId) as { path: string; code: string; message: string }[];
    expect(warnings.filter((row) => row.code === 'NO_DECODER')).toEqual([{
      path: 'dfpwm.wav', code: 'NO_DECODER',
      message: 'decoding dfpwm.wav: ffmpeg exited with code 1: Decoder (codec none) not found for input stream #0:0; recorded from its tags until an ffmpeg that decodes it imports it again',
    }]);

    const second = await runImport({ rootFolder: root, jobs: 1, ffmpeg: ffmpegs.system });
    expect(second.counts).toMatchObject({ upgraded: 1, failed: 0 });
    const row = db.prepare('SELECT analysis, format, codec, sample_rate AS sampleRate, channels, duration_ticks AS durationTicks FROM files').get() as Record<string, unknown>;
    expect(row).toMatchObject({ analysis: 'full', format: 'wav', codec: 'dfpwm', sampleRate: 48000, channels: 1 });
    expect(Math.abs(seconds(row.durationTicks as number) - 20)).toBeLessThan(0.1);
    expect(count(db, 'passages')).toBe(1);
  });
});
