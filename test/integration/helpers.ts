/** Shared set-up for integration tests: real SQLite files in temp folders, real fixture audio. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import type { AnalyseTask } from '../../src/analysis/worker.js';
import { audioAnalysisOptions } from '../../src/analysis/settings.js';

export const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const made: string[] = [];
afterEach(() => {
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test. */
export function tempFolder(prefix = 'wkmp-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A root folder holding a copy of `test/fixtures/<name>` (default: the library). */
export function copyFixtureRoot(name = 'library'): string {
  const root = tempFolder();
  // A wkmp.db left in the fixtures by a hand-run import is not part of the fixture.
  cpSync(join(fixtures, name), root, { recursive: true, filter: (source) => !/wkmp\.db/.test(source) });
  return root;
}

/** A plain better-sqlite3 connection for asserting what an import left in the file. */
export function inspect(dbPath: string): Database.Database {
  return new Database(dbPath, { fileMustExist: true });
}

export function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

// ---------------------------------------------------------------------------------------------
// Larger roots, child processes and the shape of what an import leaves in wkmp.db.

/** The audio files of `test/fixtures/library` (the hidden one is skipped by the scanner), with what their tags say (fixtures README). */
export const libraryAudio = [
  { path: 'Artist A/Album One/01 First.mp3', recording: '11111111-1111-4111-8111-111111111111', release: 'bbbbbbbb-0000-4000-8000-00000000000b' },
  { path: 'Artist A/Album One/02 Second.flac', recording: '22222222-2222-4222-8222-222222222222', release: 'bbbbbbbb-0000-4000-8000-00000000000b' },
  { path: 'Artist B/Third.ogg', recording: null, release: null },
  { path: 'Artist B/Fourth.opus', recording: '44444444-4444-4444-8444-444444444444', release: null },
  { path: 'Various/Fifth.m4a', recording: '55555555-5555-4555-8555-555555555555', release: 'bbbbbbbb-0000-4000-8000-0000000000bb' },
  { path: 'Various/Sixth.wav', recording: null, release: null },
  { path: 'Various/Sixth copy.wav', recording: null, release: null },
] as const;

/**
 * A root with `copies` folders `c000/…`, each holding the library's 7 audio files with 4 bytes
 * (the folder's number) appended: every folder has its own contents (the parsers ignore the
 * trailing bytes), and in each folder `Sixth.wav` and `Sixth copy.wav` stay identical.
 * Returns the root and the stored paths of its audio files.
 */
export function makeCopiesRoot(copies: number, root = tempFolder()): { root: string; paths: string[] } {
  const paths: string[] = [];
  for (let i = 0; i < copies; i++) {
    const folder = `c${String(i).padStart(3, '0')}`;
    const suffix = Buffer.alloc(4);
    suffix.writeUInt32BE(i);
    for (const file of libraryAudio) {
      const target = join(root, folder, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, Buffer.concat([readFileSync(join(fixtures, 'library', file.path)), suffix]));
      paths.push(`${folder}/${file.path}`);
    }
  }
  return { root, paths };
}

/** A fresh root holding the same files as `root` (same paths, same contents), without its database. */
export function copyRoot(root: string): string {
  const copy = tempFolder();
  cpSync(root, copy, { recursive: true, filter: (source) => !basename(source).startsWith('wkmp.db') });
  return copy;
}

const children = new Set<ChildProcess>();
afterEach(async () => {
  // A test that failed half-way must not leave an import or a lock holder running.
  const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => once(child, 'exit').catch(() => undefined)));
  children.clear();
});

export interface ChildRun {
  child: ChildProcess;
  /** Resolves when the process has ended and been reaped (so its pid is gone), with what it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
}

/** Starts `node args…` from the repository root (or `cwd`), stdout and stderr captured. Killed after the test if still running. */
export function spawnNode(args: readonly string[], cwd = repoRoot, env: NodeJS.ProcessEnv = process.env, stdin: 'ignore' | 'pipe' = 'ignore'): ChildRun {
  const child = spawn(process.execPath, args, { cwd, env, stdio: [stdin, 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    // 'close' comes after 'exit' and after the pipes are drained.
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** The wkmp-ai command line run from its TypeScript sources, as a separate process, from the repository root or `cwd`. */
export function spawnCli(args: readonly string[], cwd = repoRoot, env: NodeJS.ProcessEnv = process.env): ChildRun {
  return spawnNode(['--import', import.meta.resolve('tsx'), join(repoRoot, 'src', 'cli', 'main.ts'), ...args], cwd, env);
}

export interface LockHolder extends ChildRun {
  /** Lets go of the lock; resolves when the holder has committed and ended. */
  release(): Promise<Awaited<ChildRun['exited']>>;
}

/**
 * A process that holds the write lock of `dbPath` until the test releases it (see hold-lock.mjs),
 * so that a test waits on what it asserts, never on a hold that is "long enough"; resolves once it
 * holds the lock.
 */
export async function holdWriteLock(dbPath: string): Promise<LockHolder> {
  const holder = spawnNode([fileURLToPath(new URL('./hold-lock.mjs', import.meta.url)), dbPath], repoRoot, process.env, 'pipe');
  await waitFor(() => holder.output().stdout.includes('locked'), 20_000, 'the lock holder to take the lock', holder.exited);
  return {
    ...holder,
    release() {
      holder.child.stdin?.end('release\n');
      return holder.exited;
    },
  };
}

/**
 * Polls `condition` every 10 ms until it is true. Fails after `timeoutMs` (a safety net, not a
 * measurement) or as soon as `ended` settles first (the process it waits on is gone).
 */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string, ended?: Promise<unknown>): Promise<void> {
  let over = false;
  void ended?.then(() => { over = true; }, () => { over = true; });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (condition()) return;
    if (over) throw new Error(`the process ended before ${what}`);
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** Counts rows with a short-lived read-only connection; 0 while the database or the table does not exist yet. */
export function peekCount(dbPath: string, table: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    return count(db, table);
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

/** What SQLite itself says is wrong with the file: integrity_check and foreign_key_check findings. */
export function sqliteProblems(db: Database.Database): string[] {
  const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
  const foreignKeys = db.pragma('foreign_key_check') as unknown[];
  return [
    ...integrity.filter((line) => line !== 'ok'),
    ...foreignKeys.map((row) => `foreign key: ${JSON.stringify(row)}`),
  ];
}

export interface FileShape {
  guid: string;
  hash: string;
  status: string;
  /** Everything the recorder writes for the file in its savepoint, in one comparable string. */
  shape: string;
  /** For each passage, the recording MBIDs linked to it (passage_songs) and the release MBIDs (passage_albums). */
  passages: { recordings: string[]; releases: string[] }[];
  matchingHashes: string[];
}

/**
 * Every `files` row with all that one savepoint of the recorder writes for it: the row, its
 * passages, and per passage its songs (with their artists and works) and albums, by MBID.
 */
export function fileShapes(db: Database.Database): Map<string, FileShape> {
  const files = db.prepare('SELECT guid, path, hash, status, matching_hashes AS matchingHashes FROM files').all() as
    { guid: string; path: string; hash: string; status: string; matchingHashes: string | null }[];
  const passages = db.prepare('SELECT guid, file_id AS fileId, start_time_ticks AS start, end_time_ticks AS end, status FROM passages ORDER BY start_time_ticks, guid').all() as
    { guid: string; fileId: string; start: number; end: number; status: string }[];
  const groups = (sql: string): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    for (const row of db.prepare(sql).all() as { owner: string; item: string }[]) {
      map.set(row.owner, [...(map.get(row.owner) ?? []), row.item].sort());
    }
    return map;
  };
  const artistsOfSong = groups('SELECT sa.song_id AS owner, a.artist_mbid || \'@\' || sa.weight AS item FROM song_artists sa JOIN artists a ON a.guid = sa.artist_id');
  const worksOfSong = groups('SELECT sw.song_id AS owner, w.work_mbid AS item FROM song_works sw JOIN works w ON w.guid = sw.work_id');
  const songsOfPassage = groups(`
    SELECT ps.passage_id AS owner, s.guid || ' ' || s.recording_mbid || ' ' || ps.start_time_ticks || '-' || ps.end_time_ticks AS item
    FROM passage_songs ps JOIN songs s ON s.guid = ps.song_id`);
  const albumsOfPassage = groups('SELECT pa.passage_id AS owner, al.album_mbid AS item FROM passage_albums pa JOIN albums al ON al.guid = pa.album_id');
  const passagesOfFile = new Map<string, typeof passages>();
  for (const passage of passages) passagesOfFile.set(passage.fileId, [...(passagesOfFile.get(passage.fileId) ?? []), passage]);

  const shapes = new Map<string, FileShape>();
  for (const file of files) {
    const own = passagesOfFile.get(file.guid) ?? [];
    const described = own.map((passage) => {
      const songs = (songsOfPassage.get(passage.guid) ?? []).map((item) => {
        const [songGuid = '', mbid = '', span = ''] = item.split(' ');
        return { mbid, text: `${mbid} ${span} artists[${(artistsOfSong.get(songGuid) ?? []).join(',')}] works[${(worksOfSong.get(songGuid) ?? []).join(',')}]` };
      });
      const releases = albumsOfPassage.get(passage.guid) ?? [];
      return {
        recordings: songs.map((song) => song.mbid),
        releases,
        text: `${passage.start}-${passage.end} ${passage.status} songs{${songs.map((song) => song.text).join(';')}} albums{${releases.join(',')}}`,
      };
    });
    shapes.set(file.path, {
      guid: file.guid,
      hash: file.hash,
      status: file.status,
      shape: `${file.status} ${own.length} passages: ${described.map((passage) => passage.text).join(' | ')}`,
      passages: described.map(({ recordings, releases }) => ({ recordings, releases })),
      matchingHashes: file.matchingHashes === null ? [] : (JSON.parse(file.matchingHashes) as string[]),
    });
  }
  return shapes;
}

/**
 * Files recorded only in part, judged from what the recorder writes in one savepoint: an
 * INGEST COMPLETE file has at least one passage, each linked to exactly the recording and the
 * release its tags carry (the library's fixtures, by file name); a DUPLICATE HASH file has no
 * passages and names the present files with its content; each content has one original.
 * (Every file is assumed present: none is marked missing.) Returns one line per problem.
 */
export function partialFiles(shapes: ReadonlyMap<string, FileShape>): string[] {
  const problems: string[] = [];
  const guids = new Map([...shapes.values()].map((file) => [file.guid, file]));
  // Every content recorded is playable: exactly one of the files holding it is not a duplicate.
  const originals = new Map<string, number>();
  for (const file of shapes.values()) originals.set(file.hash, (originals.get(file.hash) ?? 0) + (file.status === 'DUPLICATE HASH' ? 0 : 1));
  for (const [hash, n] of originals) if (n !== 1) problems.push(`content ${hash}: ${n} files that are not DUPLICATE HASH, expected 1`);
  for (const [path, file] of shapes) {
    const fixture = libraryAudio.find((candidate) => path === candidate.path || path.endsWith(`/${candidate.path}`));
    if (!fixture) {
      problems.push(`${path}: not a file of the library`);
      continue;
    }
    if (file.status === 'DUPLICATE HASH') {
      if (file.passages.length !== 0) problems.push(`${path}: a duplicate with ${file.passages.length} passages`);
      if (file.matchingHashes.length === 0) problems.push(`${path}: a duplicate naming no file with its content`);
      for (const guid of file.matchingHashes) {
        if (guids.get(guid)?.hash !== file.hash) problems.push(`${path}: matching_hashes names ${guid}, which is not a file with its content`);
      }
      continue;
    }
    if (file.status !== 'INGEST COMPLETE') {
      problems.push(`${path}: status ${file.status}`);
      continue;
    }
    if (file.passages.length === 0) problems.push(`${path}: INGEST COMPLETE without passages`);
    for (const passage of file.passages) {
      const recordings = JSON.stringify(passage.recordings);
      const releases = JSON.stringify(passage.releases);
      if (recordings !== JSON.stringify(fixture.recording ? [fixture.recording] : [])) problems.push(`${path}: passage linked to songs ${recordings}`);
      if (releases !== JSON.stringify(fixture.release ? [fixture.release] : [])) problems.push(`${path}: passage linked to albums ${releases}`);
    }
  }
  return problems;
}

/** Row counts of every table the import fills. */
export function libraryCounts(db: Database.Database): Record<string, number> {
  const tables = ['files', 'passages', 'songs', 'artists', 'albums', 'works', 'passage_songs', 'song_artists', 'passage_albums', 'song_works', 'import_errors'];
  return Object.fromEntries(tables.map((table) => [table, count(db, table)]));
}

export interface SessionRecord {
  sessionId: string;
  state: string;
  ownerPid: number | null;
  errors: string | null;
  endedAt: string | null;
}

/** The import_sessions rows, oldest first. */
export function sessionRows(db: Database.Database): SessionRecord[] {
  return db.prepare('SELECT session_id AS sessionId, state, owner_pid AS ownerPid, errors, ended_at AS endedAt FROM import_sessions ORDER BY started_at, rowid').all() as SessionRecord[];
}

/** A worker task for `analyseFile`, with the settings' defaults: a full analysis unless told otherwise. */
export function analyseTask(absolutePath: string, path: string, overrides: Partial<AnalyseTask> = {}): AnalyseTask {
  return {
    kind: 'analyse', absolutePath, path, knownGuid: null, expectsAudio: true, analysis: 'full', ffmpeg: 'ffmpeg', cueSignature: null, cueSheet: null, sameAs: [],
    audio: audioAnalysisOptions(new Map()), ...overrides,
  };
}

/** The two ffmpegs an import may decode with: the system's on the PATH, and the static one npm installs (src/analysis/decode/decoder.ts). */
export const ffmpegs = {
  system: 'ffmpeg',
  bundled: (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path,
} as const;
export type FfmpegName = keyof typeof ffmpegs;

/** Processes (any) whose command line names `path` as ffmpeg's input (`file:PATH`, ffmpeg.ts): a decoder at work on it. Linux only. */
export function decodersReading(path: string): number[] {
  const needle = `file:${path}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(needle)) pids.push(Number(entry));
    } catch {
      // ended between the listing and the look
    }
  }
  return pids;
}

/** Minutes of a 440 Hz tone as 8 kHz mono FLAC (30 min: ~7 MB, about a second to analyse, 0.5 s to make). Needs ffmpeg. */
export function makeToneFlac(path: string, minutes: number): void {
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'lavfi',
    '-i', `sine=frequency=440:sample_rate=8000:duration=${minutes * 60}`, '-ac', '1', '-c:a', 'flac', '-sample_fmt', 's16', path], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`ffmpeg could not make ${path}: ${made.error?.message ?? made.stderr}`);
}

/**
 * A WAV file of digital silence whose data chunk claims ~2 GB (35 hours of 8 kHz 16-bit mono),
 * written sparse: no disk is used, yet hashing and decoding it take many seconds. A file whose
 * analysis cannot finish within any time limit a test would wait for.
 */
export function makeEndlessWav(path: string): void {
  const dataBytes = 2_000_000_000;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24); // sample rate
  header.writeUInt32LE(16_000, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  writeFileSync(path, header);
  truncateSync(path, 44 + dataBytes);
}
