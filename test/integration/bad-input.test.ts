import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseFile } from '../../src/analysis/worker.js';
import { TICKS_PER_SECOND } from '../../src/file-record.js';
import { formatSummary } from '../../src/cli/summary.js';
import { summaryErrorsLimit, type ImportSummary } from '../../src/import/events.js';
import { runImport } from '../../src/import/run.js';
import { closeAfterTest, copyFixtureRootForFile } from './db-helpers.js';
import { analyseTask, copyFixtureRoot, count, fixtures, inspect, spawnCli, tempFolder } from './helpers.js';

/** What each file of test/fixtures/bad must give (fixtures README). */
const expectedErrors = [
  { path: 'empty.mp3', code: 'EMPTY_FILE' },
  { path: 'picture.mp3', code: 'NOT_AUDIO' },
  { path: 'random.flac', code: 'NOT_AUDIO' },
  { path: 'text.flac', code: 'NOT_AUDIO' },
  { path: 'truncated.flac', code: 'DECODE_FAILED' },
];
const expectedImports = [
  { path: 'noext-audio', title: 'No Extension', format: 'flac' },
  { path: 'renamed-ogg.mp3', title: 'Renamed', format: 'ogg' },
  { path: 'truncated-audio.mp3', title: 'Truncated', format: 'mp3' },
];

function importFolder(rootFolder: string, folder?: string): Promise<ImportSummary> {
  return runImport({ rootFolder, jobs: 2, ...(folder === undefined ? {} : { folder }) });
}

function open(root: string): Database.Database {
  return closeAfterTest(inspect(join(root, 'wkmp.db')));
}

function byPath<T extends { path: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => a.path.localeCompare(b.path));
}

/** Every row the import wrote for the library (everything outside `bad/`). */
function librarySnapshot(db: Database.Database): Record<string, unknown[]> {
  const all = (sql: string) => db.prepare(sql).all();
  return {
    files: all("SELECT * FROM files WHERE path NOT LIKE 'bad/%' ORDER BY path"),
    passages: all("SELECT p.* FROM passages p JOIN files f ON f.guid = p.file_id WHERE f.path NOT LIKE 'bad/%' ORDER BY p.guid"),
    songs: all('SELECT * FROM songs ORDER BY guid'),
    artists: all('SELECT * FROM artists ORDER BY guid'),
    albums: all('SELECT * FROM albums ORDER BY guid'),
    works: all('SELECT * FROM works ORDER BY guid'),
    passageSongs: all('SELECT * FROM passage_songs ORDER BY passage_id'),
    songArtists: all('SELECT * FROM song_artists ORDER BY song_id, artist_id'),
    passageAlbums: all('SELECT * FROM passage_albums ORDER BY passage_id'),
    songWorks: all('SELECT * FROM song_works ORDER BY song_id'),
  };
}

describe('runImport on the bad fixtures', () => {
  let root: string;
  let summary: ImportSummary;
  beforeAll(async () => {
    root = copyFixtureRootForFile('bad');
    summary = await importFolder(root);
  });

  it('completes the import instead of stopping at a bad file', () => {
    expect(summary.state).toBe('COMPLETED');
    // New audio by content: empty.mp3 and the three damaged or renamed files and noext-audio; picture.mp3 is an image, random.flac and text.flac other.
    expect(summary.counts).toMatchObject({ new: 5, recorded: 3, failed: 5, classes: { audio: 5, image: 1, video: 0, other: 2 } });
  });

  it('records one error per bad file with the code that says what is wrong with it', () => {
    expect(byPath(summary.errors).map(({ path, code }) => ({ path, code }))).toEqual(expectedErrors);
    const rows = open(root).prepare('SELECT path, code FROM import_errors WHERE session_id = ?').all(summary.sessionId) as { path: string; code: string }[];
    expect(byPath(rows)).toEqual(expectedErrors);
  });

  it('says why in one line that names the file', () => {
    expect(summary.errors).toHaveLength(expectedErrors.length);
    for (const error of summary.errors) {
      expect(error.message).toContain(error.path);
      expect(error.message).not.toMatch(/[\r\n]/);
    }
  });

  it('tells an empty file, a file that is not audio and audio that cannot be parsed apart by phase', () => {
    const phases = Object.fromEntries(summary.errors.map((error) => [error.path, error.phase]));
    expect(phases).toEqual({
      'empty.mp3': 'classify', 'picture.mp3': 'classify', 'random.flac': 'classify', 'text.flac': 'classify', 'truncated.flac': 'decode',
    });
  });

  it('counts the picture as an image and the text and random bytes as other files, whatever their names say', () => {
    // The five others are audio by content or by name: noext-audio, renamed-ogg.mp3, truncated-audio.mp3, truncated.flac, empty.mp3.
    expect(summary.counts.classes).toEqual({ audio: 5, image: 1, video: 0, other: 2 });
  });

  it('imports renamed audio and audio without an extension by their content, and a truncated MP3, with their tag titles', () => {
    const db = open(root);
    const rows = db.prepare('SELECT guid, path, title, format, status FROM files ORDER BY path').all() as
      { guid: string; path: string; title: string; format: string; status: string }[];
    expect(rows.map(({ path, title, format }) => ({ path, title, format }))).toEqual(expectedImports);
    for (const row of rows) {
      expect(row.status, row.path).toBe('INGEST COMPLETE');
      expect(db.prepare('SELECT title FROM passages WHERE file_id = ?').all(row.guid), row.path).toEqual([{ title: row.title }]);
    }
  });

  it('leaves no row for a file that failed', () => {
    const db = open(root);
    const failedPaths = expectedErrors.map((error) => error.path);
    const rows = db.prepare('SELECT path FROM files WHERE path IN (SELECT value FROM json_each(?))').all(JSON.stringify(failedPaths));
    expect(rows).toEqual([]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });
});

/** A copy of a library FLAC whose Vorbis comment block claims a vendor string of 2 GiB: the tag reader gives up, ffmpeg plays it. */
function flacWithBrokenTags(folder: string): string {
  const bytes = readFileSync(join(fixtures, 'library', 'Artist A', 'Album One', '02 Second.flac'));
  let at = 4; // after "fLaC": metadata blocks, a 4-byte header each
  while ((bytes[at]! & 0x7f) !== 4) at += 4 + bytes.readUIntBE(at + 1, 3);
  bytes.writeUInt32LE(0x7fffff00, at + 4);
  const path = join(folder, 'broken tags.flac');
  writeFileSync(path, bytes);
  return path;
}

describe('a file whose tags cannot be read but whose audio decodes', () => {
  it.each(['full', 'tags'] as const)('is recorded without tag fields by a %s pass, with a TAGS_UNREADABLE warning naming it', async (analysis) => {
    const root = tempFolder();
    flacWithBrokenTags(root);
    const summary = await runImport({ rootFolder: root, jobs: 1, analysis });
    expect(summary.counts).toMatchObject({ recorded: 1, failed: 0 });
    const db = open(root);
    const file = db.prepare('SELECT status, analysis, title, artist, format, codec, sample_rate AS sampleRate, duration_ticks AS durationTicks FROM files').get();
    expect(file).toMatchObject({ status: 'INGEST COMPLETE', analysis, title: null, artist: null, format: 'flac', codec: 'flac', sampleRate: 44100 });
    expect(Math.abs((file as { durationTicks: number }).durationTicks / TICKS_PER_SECOND - 2)).toBeLessThan(0.05);
    const warnings = db.prepare('SELECT path, code, message FROM import_errors').all() as { path: string; code: string; message: string }[];
    expect(warnings.map(({ path, code }) => ({ path, code }))).toEqual([{ path: 'broken tags.flac', code: 'TAGS_UNREADABLE' }]);
    expect(warnings[0]!.message).toMatch(/^reading tags of broken tags\.flac: [^\n]+; recorded without tags$/);
    expect(count(db, 'passages')).toBe(1);
  });
});

describe('a tags pass over the bad fixtures', () => {
  it('refuses the truncated FLAC, whose tags cannot be read and in which ffmpeg finds no audio, as CORRUPT_AUDIO', async () => {
    const root = copyFixtureRootForFile('bad');
    const summary = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    expect(byPath(summary.errors).map(({ path, code }) => ({ path, code })))
      .toEqual(expectedErrors.map((error) => (error.path === 'truncated.flac' ? { ...error, code: 'CORRUPT_AUDIO' } : error)));
    const truncated = summary.errors.find((error) => error.path === 'truncated.flac')!;
    expect(truncated.message).toMatch(/^reading tags of truncated\.flac: \S/);
  });
});

describe('bad files next to an imported library', () => {
  it('loses nothing already imported when a folder of bad files is imported into the same database', async () => {
    const root = copyFixtureRoot();
    const first = await importFolder(root);
    expect(first.counts.recorded).toBe(7);
    const db = open(root);
    const before = librarySnapshot(db);

    cpSync(join(fixtures, 'bad'), join(root, 'bad'), { recursive: true });
    const summary = await importFolder(root, 'bad');

    expect(summary.state).toBe('COMPLETED');
    expect(summary.counts).toMatchObject({ new: 5, missing: 0, recorded: 3, failed: 5 });
    expect(byPath(summary.errors).map(({ path, code }) => ({ path, code })))
      .toEqual(expectedErrors.map((error) => ({ ...error, path: `bad/${error.path}` })));
    expect(librarySnapshot(db)).toEqual(before);
    expect(count(db, 'files')).toBe(7 + 3);
  });
});

describe('analyseFile on a file that cannot be read', () => {
  it('returns an UNREADABLE failure naming the file when the file vanished before it was opened', async () => {
    const folder = tempFolder();
    const result = await analyseFile(analyseTask(join(folder, 'gone.flac'), 'Artist/gone.flac'));
    expect(result).toMatchObject({ kind: 'failure', path: 'Artist/gone.flac', code: 'UNREADABLE' });
    if (result.kind !== 'failure') throw new Error('expected a failure');
    expect(result.message).toContain('Artist/gone.flac');
    expect(result.message).not.toMatch(/[\r\n]/);
  });
});

describe('the command line on bad input', () => {
  it('exits 0 after importing the bad folder and prints one JSON summary listing the failed files', async () => {
    const root = copyFixtureRoot('bad');
    const run = await spawnCli(['import', '--root-folder', root, '--json', '--jobs', '2']).exited;

    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]!) as ImportSummary;
    expect(printed.state).toBe('COMPLETED');
    expect(byPath(printed.errors).map(({ path, code }) => ({ path, code }))).toEqual(expectedErrors);
    const rows = open(root).prepare('SELECT path, phase, code, message FROM import_errors WHERE session_id = ?').all(printed.sessionId) as
      { path: string }[];
    expect(byPath(printed.errors)).toEqual(byPath(rows));
  });

  it('exits 1 with a one-line message naming the root folder when it does not exist', async () => {
    const missing = join(tempFolder(), 'no-such-music');
    const run = await spawnCli(['import', '--root-folder', missing, '--json']).exited;

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(missing);
  });
});

describe('more per-file errors than a summary holds', () => {
  it('gives the first 1,000 with the total, says where the rest are, and the database keeps them all', async () => {
    const root = tempFolder();
    const album = join(root, 'Album');
    cpSync(join(fixtures, 'library', 'Various', 'Sixth copy.wav'), join(album, 'track.wav'));
    // A cue sheet without an INDEX is unusable: one error row each, found before anything is decoded.
    for (let i = 0; i < summaryErrorsLimit + 1; i++) writeFileSync(join(album, `${i}.cue`), 'FILE "track.wav" WAVE\n  TRACK 01 AUDIO\n');
    const summary = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    expect(summary.errorsTotal).toBe(summaryErrorsLimit + 1);
    expect(summary.errors).toHaveLength(summaryErrorsLimit);
    expect(summary.errors[0]).toMatchObject({ code: 'CUE_INVALID', phase: 'cue' });
    expect(count(closeAfterTest(inspect(join(root, 'wkmp.db'))), 'import_errors')).toBe(summaryErrorsLimit + 1);
    expect(formatSummary(summary).split('\n').at(-1)).toBe(
      `    … and 1 more, in wkmp.db's import_errors (session ${summary.sessionId}; the service pages them: GET /import/errors?session=${summary.sessionId})`,
    );
  });
});

describe('an unusable cue sheet in a folder the walk meets in several runs', () => {
  it('is one error row, the sheet read once for all the folder\'s files', async () => {
    const root = tempFolder();
    // In path order: Album/a.wav, then Album/b/x.wav, then Album/bad.cue and Album/c.wav: Album comes in two runs.
    for (const path of ['Album/a.wav', 'Album/b/x.wav', 'Album/c.wav']) cpSync(join(fixtures, 'library', 'Various', 'Sixth copy.wav'), join(root, path));
    writeFileSync(join(root, 'Album', 'bad.cue'), 'FILE "c.wav" WAVE\n  TRACK 01 AUDIO\n');
    const summary = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    expect(summary.errors.map(({ path, code }) => [path, code])).toEqual([['Album/bad.cue', 'CUE_INVALID']]);
    expect(summary.counts.recorded).toBe(3);
  });
});
