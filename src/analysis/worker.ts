/**
 * The worker thread's tasks: the only impure layer of analysis. `analyse` reads one file, runs the
 * steps and returns one plain `AnalysisResult`; `amplitude` measures one region of a file for
 * POST /analyze/amplitude with the same code. Neither touches the database.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { FileErrorCode, Phase } from '../errors.js';
import { errorMessage } from '../errors.js';
import { formatModificationTime, type AnalysisLevel, type AnalysisResult, type FileFailure, type OtherFile } from '../file-record.js';
import { classifyContent, sniffBytes } from '../scan/classify.js';
import { fileFailure, fileWarning } from './file-failure.js';
import { analyseAudio, analyseRegion, type AudioAnalysisOptions, type BoundarySource, type RegionAnalysis } from './analyse-audio.js';
import { parseCueSheet, type FileCueSheet } from './cue-sheet.js';
import { readFlacCueSheet } from './flac-cue-sheet.js';
import { buildAnalysedRecord, buildTagsRecord, type FileFacts } from './build-record.js';
import { DecodeError } from './decode/decoder.js';
import { createFfmpegDecoder } from './decode/ffmpeg.js';
import { loadChromaprint } from './fingerprint.js';
import { hashFile } from './hash.js';
import { hasSeekHeader, id3v2Size } from './mp3-header.js';
import type { TaggedAs } from './song-boundaries.js';
import { readTags, type TagReport } from './tags.js';

export interface AnalyseTask {
  kind: 'analyse';
  absolutePath: string;
  /** Relative to the root, as stored. */
  path: string;
  knownGuid: string | null;
  /**
   * Whether the file must be audio (a known audio file, or a name that says so): if its content is
   * not, that is a NOT_AUDIO error; for any other file it is only what the file is (scan/plan.ts).
   */
  expectsAudio: boolean;
  analysis: AnalysisLevel;
  /** The cue sheets beside the file now (scan/cue-sheets.ts), recorded with it. */
  cueSignature: string | null;
  /** The tracks a cue sheet beside the file gives it (import/cue-sheets.ts); they win over one inside it. */
  cueSheet: FileCueSheet | null;
  /** The ffmpeg to decode with, found once for the import by the main thread (decode/decoder.ts); null in a tags pass, which decodes nothing. */
  ffmpeg: string | null;
  audio: AudioAnalysisOptions;
}

function failure(task: Pick<AnalyseTask, 'path'>, phase: Phase, code: FileErrorCode, detail: string): FileFailure {
  return fileFailure(task.path, phase, code, detail);
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

async function mp3HasSeekHeader(handle: FileHandle, head: Uint8Array): Promise<boolean> {
  const tagSize = id3v2Size(head);
  return hasSeekHeader(tagSize === 0 ? head : await readAt(handle, tagSize, 4096));
}

async function readTagsOf(task: AnalyseTask, mime: string, mp3SeekHeader: boolean): Promise<TagReport | FileFailure> {
  try {
    return await readTags(task.absolutePath, { mime, mp3HasSeekHeader: mp3SeekHeader });
  } catch (error) {
    return failure(task, 'tags', 'CORRUPT_AUDIO', errorMessage(error));
  }
}

function isFailure(value: TagReport | FileFailure): value is FileFailure {
  return 'kind' in value && value.kind === 'failure';
}

/** What the tags say the file is: song boundaries are judged more strictly inside one numbered track. */
function taggedAs(report: TagReport): TaggedAs {
  if (report.tags.trackNumber !== null) return 'track';
  return report.tags.title === null ? 'untagged' : 'title';
}

/**
 * The cue sheet that defines the file's passages: the one beside it, else one inside it (a
 * CUESHEET tag, which has titles, or a FLAC CUESHEET block). One inside it that cannot be read
 * is a warning, and the file is segmented at its silences.
 */
async function cueSheetOf(task: AnalyseTask, handle: FileHandle, mime: string, tags: TagReport, facts: FileFacts): Promise<FileCueSheet | null> {
  if (task.cueSheet !== null) return task.cueSheet;
  const album = { title: tags.tags.album, performer: tags.tags.artist, date: tags.releaseDate, genre: null, releaseMbid: null, catalog: null, discId: null, comment: null };
  try {
    if (tags.cueSheet !== null) {
      const sheet = parseCueSheet(tags.cueSheet);
      const tracks = sheet.files[0]?.tracks.filter((track) => track.kind === 'audio') ?? [];
      return tracks.length === 0 ? null : { source: 'embedded', album: { ...album, ...definedOf(sheet.album) }, tracks };
    }
    const tracks = mime === 'audio/flac' ? await readFlacCueSheet((position, length) => readAt(handle, position, length)) : null;
    return tracks === null || tracks.length === 0 ? null : { source: 'embedded', album, tracks };
  } catch (error) {
    facts.warnings.push(fileWarning(task.path, 'cue', 'CUE_INVALID', `the cue sheet inside it: ${errorMessage(error)}`));
    return null;
  }
}

/** The fields of `value` that are not null. */
function definedOf<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null)) as Partial<T>;
}

/** Decodes once and analyses the stream: passages (a cue sheet's tracks, or songs between silences), lead-in and lead-out, fingerprints. */
async function analyseDecoded(task: AnalyseTask, ffmpeg: string, facts: FileFacts, tags: TagReport, sheet: FileCueSheet | null): Promise<AnalysisResult> {
  let audio;
  try {
    const pcm = createFfmpegDecoder(ffmpeg).decode(task.absolutePath, { sampleRate: task.audio.sampleRate });
    const source: BoundarySource = sheet === null ? { kind: 'silence', taggedAs: taggedAs(tags) } : { kind: 'cue sheet', tracks: sheet.tracks };
    audio = await analyseAudio(pcm, await loadChromaprint(), task.audio, source);
  } catch (error) {
    // A DecodeError's message names the absolute path; the row names the stored one.
    return failure(task, 'decode', 'DECODE_FAILED', error instanceof DecodeError ? error.reason : errorMessage(error));
  }
  const { sampleRate, windowMs, segmentation, amplitude } = task.audio;
  return buildAnalysedRecord(facts, tags, audio, { decoder: 'ffmpeg', sampleRate, windowMs, segmentation: { ...segmentation }, amplitude: { ...amplitude } }, sheet);
}

async function analyseOpenFile(task: AnalyseTask, handle: FileHandle): Promise<AnalysisResult> {
  const stat = await handle.stat();
  const modificationTime = formatModificationTime(stat.mtimeMs);
  const other = (fileClass: OtherFile['fileClass']): OtherFile => ({ kind: 'other', path: task.path, fileClass, sizeBytes: stat.size, modificationTime });
  if (stat.size === 0) return task.expectsAudio ? failure(task, 'classify', 'EMPTY_FILE', 'the file is empty (0 bytes)') : other('other');
  const head = await readAt(handle, 0, sniffBytes);
  const content = await classifyContent(head);
  if (content.fileClass !== 'audio' || content.mime === null) {
    if (!task.expectsAudio) return other(content.fileClass === 'image' ? 'image' : 'other');
    const what = content.mime ? `${content.fileClass} (${content.mime})` : 'of no known format';
    return { ...failure(task, 'classify', 'NOT_AUDIO', `the content is ${what}, not audio`), contentClass: content.fileClass };
  }
  const facts: FileFacts = {
    path: task.path, knownGuid: task.knownGuid, hash: '', sizeBytes: stat.size, modificationTime,
    cueSignature: task.cueSignature, warnings: [],
  };
  if (task.analysis === 'tags' || task.ffmpeg === null) {
    // A tags pass reads only the bytes the tags need: no content hash, no decoding.
    const tags = await readTagsOf(task, content.mime, content.mime === 'audio/mpeg' && (await mp3HasSeekHeader(handle, head)));
    return isFailure(tags) ? tags : buildTagsRecord(facts, tags, await cueSheetOf(task, handle, content.mime, tags, facts));
  }
  // The decoded duration is what counts in a full pass: the container's is not needed.
  const tags = await readTagsOf(task, content.mime, false);
  if (isFailure(tags)) return tags;
  const sheet = await cueSheetOf(task, handle, content.mime, tags, facts);
  try {
    facts.hash = await hashFile(handle, stat.size);
  } catch (error) {
    return failure(task, 'hash', 'UNREADABLE', errorMessage(error));
  }
  return analyseDecoded(task, task.ffmpeg, facts, tags, sheet);
}

export async function analyseFile(task: AnalyseTask): Promise<AnalysisResult> {
  let handle: FileHandle;
  try {
    handle = await open(task.absolutePath, 'r');
  } catch (error) {
    return failure(task, 'classify', 'UNREADABLE', errorMessage(error));
  }
  try {
    return await analyseOpenFile(task, handle);
  } catch (error) {
    return failure(task, 'classify', 'UNREADABLE', errorMessage(error));
  } finally {
    await handle.close();
  }
}

/** The lead-in, lead-out and envelope of one region of a file (POST /analyze/amplitude). */
export interface AmplitudeTask {
  kind: 'amplitude';
  absolutePath: string;
  /** Relative to the root, for messages. */
  path: string;
  /** The ffmpeg to decode with (decode/decoder.ts). */
  ffmpeg: string;
  /** Samples at `options.sampleRate`: [startSample, endSample); Infinity for the end of the file. */
  startSample: number;
  endSample: number;
  options: Pick<AudioAnalysisOptions, 'sampleRate' | 'windowMs' | 'amplitude'>;
}

export type AmplitudeResult = { kind: 'region'; region: RegionAnalysis } | FileFailure;

async function measureAmplitude(task: AmplitudeTask): Promise<AmplitudeResult> {
  try {
    const pcm = createFfmpegDecoder(task.ffmpeg).decode(task.absolutePath, { sampleRate: task.options.sampleRate });
    return { kind: 'region', region: await analyseRegion(pcm, task.options, task.startSample, task.endSample) };
  } catch (error) {
    return fileFailure(task.path, 'decode', 'DECODE_FAILED', error instanceof DecodeError ? error.reason : errorMessage(error));
  }
}

export type WorkerTask = AnalyseTask | AmplitudeTask;
export interface WorkerResults {
  analyse: AnalysisResult;
  amplitude: AmplitudeResult;
}

const handlers: { [K in WorkerTask['kind']]: (task: Extract<WorkerTask, { kind: K }>) => Promise<WorkerResults[K]> } = {
  analyse: analyseFile,
  amplitude: measureAmplitude,
};

/** Piscina's entry: one task, one result. */
export default function run(task: WorkerTask): Promise<WorkerResults[WorkerTask['kind']]> {
  return task.kind === 'analyse' ? handlers.analyse(task) : handlers.amplitude(task);
}
