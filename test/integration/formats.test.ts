/**
 * A full import of a broad corpus of audio formats (format-corpus.ts: every container/codec pair
 * the system ffmpeg can encode, and the edge cases of real libraries), with each ffmpeg the
 * project may decode with, checked file by file against what ffprobe says of the file: container,
 * codec, rate, channels, duration, tags, one passage over the whole file, no error. Truncated
 * files are recorded shorter or reported, never silently dropped; videos are counted and skipped.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TICKS_PER_SECOND } from '../../src/file-record.js';
import type { ImportSummary } from '../../src/import/events.js';
import { runImport } from '../../src/import/run.js';
import { fileScopedFolder } from './db-helpers.js';
import { makeFormatCorpus, planFormatCorpus, type CorpusFile } from './format-corpus.js';
import { analyseFile } from '../../src/analysis/worker.js';
import { fileTypeFromBuffer } from 'file-type';
import { commonAudioType } from '../../src/analysis/content-type.js';
import { contentHeadOf, differencesFromMusicMetadata } from './tag-corpus.js';
import { analyseTask, ffmpegs, type FfmpegName, inspect } from './helpers.js';

const decoders = Object.keys(ffmpegs) as FfmpegName[];

/** Known at collection, before any file is made: one test per file. */
const plan = planFormatCorpus();
const audioFiles = plan.files.filter((file) => file.kind === 'audio');
const truncatedFiles = plan.files.filter((file) => file.kind === 'truncated');
const videoFiles = plan.files.filter((file) => file.kind === 'video');
const yearOnly = 'vorbis/vorbis-year-only.ogg';

/** A files row, the columns looked at. */
interface FileRow {
  guid: string;
  path: string;
  status: string;
  analysis: string;
  format: string | null;
  codec: string | null;
  sample_rate: number | null;
  channels: number | null;
  duration_ticks: number | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  year: number | null;
}

interface ErrorRow {
  path: string;
  code: string;
  message: string;
}

/** What one import left, read once (the tests only look). */
interface Imported {
  summary: ImportSummary | null;
  /** Why runImport threw, if it did. */
  failure: string | null;
  files: Map<string, FileRow>;
  passages: Map<string, { start: number; end: number }[]>;
  errors: ErrorRow[];
}

let corpus = new Map<string, CorpusFile>();
let corpusRoot = '';
const imports = new Map<FfmpegName, Imported>();

async function importWith(decoder: FfmpegName, corpusFolder: string): Promise<Imported> {
  const root = fileScopedFolder();
  cpSync(corpusFolder, root, { recursive: true });
  let summary: ImportSummary | null = null;
  let failure: string | null = null;
  try {
    summary = await runImport({ rootFolder: root, jobs: 2, analysis: 'full', ffmpeg: ffmpegs[decoder] });
  } catch (error) {
    failure = String(error);
  }
  const imported: Imported = { summary, failure, files: new Map(), passages: new Map(), errors: [] };
  let db;
  try {
    db = inspect(join(root, 'wkmp.db'));
  } catch {
    return imported; // no database: every test of this ffmpeg fails, naming `failure`
  }
  try {
    for (const row of db.prepare('SELECT * FROM files').all() as FileRow[]) imported.files.set(row.path, row);
    const passages = db.prepare('SELECT file_id AS fileId, start_time_ticks AS start, end_time_ticks AS end FROM passages ORDER BY start_time_ticks')
      .all() as { fileId: string; start: number; end: number }[];
    for (const { fileId, start, end } of passages) imported.passages.set(fileId, [...(imported.passages.get(fileId) ?? []), { start, end }]);
    imported.errors = db.prepare('SELECT path, code, message FROM import_errors ORDER BY id').all() as ErrorRow[];
  } finally {
    db.close();
  }
  return imported;
}

function run(decoder: FfmpegName): Imported {
  const imported = imports.get(decoder);
  if (!imported) throw new Error(`no import with the ${decoder} ffmpeg`);
  return imported;
}

function expectedOf(path: string): CorpusFile {
  const file = corpus.get(path);
  if (!file) throw new Error(`${path} was not made`);
  return file;
}

const seconds = (ticks: number | null): number | null => ticks === null ? null : ticks / TICKS_PER_SECOND;

/** One line per file: what ffprobe says, and what each import stored (or the error it reported). */
function table(): string {
  const cell = (parts: (string | number | null | undefined)[]): string => parts.map((part) => part ?? '?').join(' ');
  const lines = [['file', 'ffprobe', ...decoders.map((decoder) => `stored (${decoder} ffmpeg)`)]];
  for (const file of corpus.values()) {
    const probe = file.expected;
    lines.push([
      file.path,
      probe ? cell([probe.container, probe.codec, probe.sampleRate, probe.channels, `${probe.durationSeconds.toFixed(2)}s`]) : '(no audio stream)',
      ...decoders.map((decoder) => {
        const imported = imports.get(decoder);
        const row = imported?.files.get(file.path);
        if (row) return cell([row.format, row.codec, row.sample_rate, row.channels, `${seconds(row.duration_ticks)?.toFixed(2) ?? '?'}s`, row.status]);
        const error = imported?.errors.find((candidate) => candidate.path === file.path);
        return error ? `error ${error.code}` : '-';
      }),
    ]);
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  return lines.map((line) => line.map((text, i) => text.padEnd(widths[i]!)).join(' | ').trimEnd()).join('\n');
}

describe('an import of the format corpus', () => {
  beforeAll(async () => {
    const started = performance.now();
    const corpusFolder = fileScopedFolder();
    corpusRoot = corpusFolder;
    corpus = new Map((await makeFormatCorpus(corpusFolder)).map((file) => [file.path, file]));
    const made = performance.now();
    for (const decoder of decoders) imports.set(decoder, await importWith(decoder, corpusFolder));
    const took = (from: number, to: number): string => `${((to - from) / 1000).toFixed(1)} s`;
    console.log([
      `format corpus: ${corpus.size} files made in ${took(started, made)}, imported with ${decoders.length} ffmpegs in ${took(made, performance.now())}`,
      `not made: ${plan.skipped.map((skip) => `${skip.path} (${skip.reason})`).join('; ')}`,
      table(),
    ].join('\n'));
  }, 115_000);

  it('is made as planned, ffprobe finding an audio stream in every audio file and video', () => {
    expect([...corpus.keys()]).toEqual(plan.files.map((file) => file.path));
    const unreadable = [...corpus.values()].filter((file) => file.kind !== 'truncated' && file.expected === null).map((file) => file.path);
    expect(unreadable).toEqual([]);
  });

  describe.each(decoders)('with the %s ffmpeg', (decoder) => {
    it('completes, and counts the videos as video', () => {
      const { summary, failure } = run(decoder);
      expect(failure).toBeNull();
      expect(summary?.state).toBe('COMPLETED');
      expect(summary?.counts.classes.video).toBe(videoFiles.length);
    });

    it.each(audioFiles)('$path ($about): recorded as ffprobe sees it, one passage over the whole file, no error', ({ path }) => {
      const { expected, tags } = expectedOf(path);
      if (!expected) throw new Error(`ffprobe finds no audio stream in ${path}`);
      const imported = run(decoder);
      const row = imported.files.get(path);
      const errors = imported.errors.filter((error) => error.path === path).map((error) => `${error.code}: ${error.message}`);
      const duration = seconds(row?.duration_ticks ?? null);
      const wantedDuration = `${expected.durationSeconds.toFixed(2)} s ± 0.1`;
      const passages = row ? imported.passages.get(row.guid) ?? [] : [];
      const wholeFile = (passage: { start: number; end: number }): string => {
        const start = passage.start / TICKS_PER_SECOND;
        const end = passage.end / TICKS_PER_SECOND;
        return start <= 0.5 && end >= expected.durationSeconds - 0.5 ? 'the whole file' : `${start.toFixed(2)}–${end.toFixed(2)} s`;
      };
      // One comparison, so that a failure shows every field that differs.
      const readTags = Object.fromEntries(Object.entries(tags).filter(([, value]) => value !== null));
      expect({
        filesRow: row ? 'present' : 'absent',
        status: row?.status, analysis: row?.analysis, format: row?.format, codec: row?.codec, sampleRate: row?.sample_rate, channels: row?.channels,
        duration: duration !== null && Math.abs(duration - expected.durationSeconds) <= 0.1 ? wantedDuration : duration?.toFixed(3),
        ...Object.fromEntries(Object.keys(readTags).map((key) => [key, row?.[key as keyof typeof tags]])),
        passages: passages.map(wholeFile),
        importErrors: errors,
      }).toEqual({
        filesRow: 'present',
        status: 'INGEST COMPLETE', analysis: 'full', format: expected.container, codec: expected.codec, sampleRate: expected.sampleRate, channels: expected.channels,
        duration: wantedDuration,
        ...readTags,
        passages: ['the whole file'],
        importErrors: [],
      });
    });

    it('reads YEAR when there is no DATE (vorbis-year-only.ogg: 1999)', () => {
      expect(run(decoder).files.get(yearOnly)?.year).toBe(1999);
    });

    it.each(truncatedFiles)('$path ($about): recorded shorter, or one error naming it, never silently absent', ({ path, source }) => {
      const imported = run(decoder);
      const row = imported.files.get(path);
      const errors = imported.errors.filter((error) => error.path === path);
      if (!row) {
        expect(errors, `${path}: no files row and no import_errors row`).toHaveLength(1);
        expect(errors[0]!.message.split('\n')).toEqual([expect.stringContaining(path)]);
        return;
      }
      expect(errors.map((error) => `${error.code}: ${error.message}`), `${path} has a files row and an error`).toEqual([]);
      expect(row.analysis).toBe('full');
      const whole = expectedOf(source!).expected!.durationSeconds;
      const duration = seconds(row.duration_ticks);
      // 40 % of the bytes: about 40 % of the sound, not the length the headers claim.
      expect(duration, `${path}: the duration stored`).toBeGreaterThan(0);
      expect(duration, `${path}: the duration stored, the whole file being ${whole.toFixed(2)} s`).toBeLessThan(0.7 * whole);
    });

    it.each(videoFiles)('$path ($about): skipped as video, no files row, no error', ({ path }) => {
      const imported = run(decoder);
      expect(imported.files.get(path)?.status ?? 'no files row').toBe('no files row');
      expect(imported.errors.filter((error) => error.path === path).map((error) => `${error.code}: ${error.message}`)).toEqual([]);
    });
  });

  // The same files through the worker's code in this thread, as a tags pass reads them: no decoding,
  // the container's headers named as ffmpeg names them, ffmpeg asked only where the bytes don't settle it.
  describe('a tags pass (the worker\'s code, in this thread)', () => {
    const tagsPass = (path: string, expectsAudio = true) => analyseFile(analyseTask(join(corpusRoot, path), path, { analysis: 'tags', expectsAudio }));

    it.each(audioFiles)('$path ($about): a tags record with the container ffprobe sees, and its rate, channels and codec or none (never a wrong one)', async ({ path }) => {
      const { expected, tags } = expectedOf(path);
      const result = await tagsPass(path);
      if (result.kind !== 'record') throw new Error(`${path}: ${JSON.stringify(result)}`);
      // The headers may not say (WMA's rate and channels): null until the full pass, never a guess.
      const orNone = <T>(value: T | null, wanted: T): T | null => (value === null ? null : wanted);
      // music-metadata reads no Vorbis comment of FLAC in Ogg: a tags pass leaves them to the full pass, which takes ffmpeg's.
      const readTags = path.endsWith('.oga') ? {} : Object.fromEntries(Object.entries(tags).filter(([, value]) => value !== null));
      expect({
        analysis: result.analysis, format: result.format, sampleRate: result.sampleRate, channels: result.channels, codec: result.codec,
        ...Object.fromEntries(Object.keys(readTags).map((key) => [key, result.tags[key as keyof typeof tags]])),
        // A file the tags pass gives no passage has a NO_PASSAGE warning: the next test's.
        warnings: result.warnings.filter((warning) => warning.code !== 'NO_PASSAGE'),
      }).toEqual({
        analysis: 'tags', format: expected!.container, sampleRate: orNone(result.sampleRate, expected!.sampleRate),
        channels: orNone(result.channels, expected!.channels), codec: orNone(result.codec, expected!.codec), ...readTags, warnings: [],
      });
    });

    // The narrow readers (analysis/tag-readers) read what music-metadata reads, or leave the file to it.
    it.each([...audioFiles, ...truncatedFiles])('$path ($about): the tags and headers read as music-metadata reads them', async ({ path }) => {
      const absolutePath = join(corpusRoot, path);
      const head = contentHeadOf(absolutePath);
      // What is known by its first bytes is known as file-type knows it.
      const known = commonAudioType(head);
      if (known !== null) expect(known).toBe((await fileTypeFromBuffer(head))?.mime);
      expect(await differencesFromMusicMetadata(absolutePath, ['container', 'frames', 'none'])).toEqual([]);
    });

    // Raw AAC (ADTS) has no duration in its headers: finding it means reading every frame, left to the full pass.
    const noDuration = new Set(['aac/aac-adts.aac']);

    it.each(audioFiles)('$path ($about): one passage over the whole file, as long as ffprobe says (or decodes), or a warning saying why there is none', async ({ path }) => {
      const { expected } = expectedOf(path);
      const result = await tagsPass(path);
      if (result.kind !== 'record') throw new Error(`${path}: ${JSON.stringify(result)}`);
      const duration = seconds(result.durationTicks);
      const wanted = `${expected!.durationSeconds.toFixed(2)} s ± 0.1`;
      const passages = result.passages.map((passage) => (passage.startTicks === 0 && passage.endTicks === result.durationTicks ? 'the whole file' : passage));
      const got = {
        status: result.status,
        duration: duration !== null && Math.abs(duration - expected!.durationSeconds) <= 0.1 ? wanted : duration,
        passages,
        noPassage: result.warnings.filter((warning) => warning.code === 'NO_PASSAGE').map((warning) => warning.message),
      };
      expect(got).toEqual(noDuration.has(path)
        ? { status: 'PENDING', duration: null, passages: [], noPassage: [`reading tags of ${path}: recorded without a passage until its audio is decoded: its headers give no duration`] }
        : { status: 'INGEST COMPLETE', duration: wanted, passages: ['the whole file'], noPassage: [] });
    });

    it('reads YEAR when there is no DATE', async () => {
      expect(await tagsPass(yearOnly)).toMatchObject({ kind: 'record', tags: { year: 1999 } });
    });

    it.each(videoFiles)('$path ($about): a video, whatever its name', async ({ path }) => {
      expect(await tagsPass(path)).toMatchObject({ kind: 'other', fileClass: 'video' });
      expect(await tagsPass(path, false)).toMatchObject({ kind: 'other', fileClass: 'video' });
    });
  });

  // A few through the worker's full analysis in this thread: facts from the decoded stream, tags from ffmpeg where the tag library reads none.
  describe('a full pass (the worker\'s code, in this thread)', () => {
    const fullPass = (path: string) => analyseFile(analyseTask(join(corpusRoot, path), path, { analysis: 'full', ffmpeg: ffmpegs.system }));

    it.each(['tta/tta.tta', 'alac/alac.caf', 'ac3/ac3.ac3', 'flac/flac-in-ogg.oga', 'opus/opus.webm'])(
      '%s: the decoded stream\'s facts, and the tags ffmpeg reads where the tag library reads none, with no warning',
      async (path) => {
        const { expected, tags } = expectedOf(path);
        const result = await fullPass(path);
        if (result.kind !== 'record') throw new Error(`${path}: ${JSON.stringify(result)}`);
        expect({ format: result.format, codec: result.codec, sampleRate: result.sampleRate, channels: result.channels, warnings: result.warnings })
          .toEqual({ format: expected!.container, codec: expected!.codec, sampleRate: expected!.sampleRate, channels: expected!.channels, warnings: [] });
        expect(result.tags).toMatchObject(Object.fromEntries(Object.entries(tags).filter(([, value]) => value !== null)));
      },
    );

    it('reports a truncated M4A as DECODE_FAILED in one line naming it', async () => {
      const result = await fullPass('truncated/aac-40pc.m4a');
      expect(result).toMatchObject({ kind: 'failure', code: 'DECODE_FAILED', path: 'truncated/aac-40pc.m4a' });
      if (result.kind === 'failure') expect(result.message).toMatch(/^decoding truncated\/aac-40pc\.m4a: [^\n]+$/);
    });
  });
});
