/**
 * The worker thread's tasks: the only impure layer of analysis. `analyse` reads one file, runs the
 * steps and returns one plain `AnalysisResult`; `amplitude` measures one region of a file for
 * POST /analyze/amplitude with the same code. Neither touches the database.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { FileErrorCode, Phase } from '../errors.js';
import { errorMessage } from '../errors.js';
import {
  formatModificationTime, type AnalysisLevel, type AnalysisResult, type FileClass, type FileFailure, type FilePlace, type OtherFile, type SameFile, type SameFileCandidate,
} from '../file-record.js';
import { hashAudioPayload } from './audio-payload.js';
import { classifyContent, sniffBytes, tagInFront } from './content-type.js';
import { fileFailure, fileWarning } from './file-failure.js';
import type * as AudioAnalysisModule from './analyse-audio.js';
import type { AudioAnalysisOptions, BoundarySource, RegionAnalysis } from './analyse-audio.js';
import type { FileCueSheet } from '../stored/file-cue-sheet.js';
import { readFlacCueSheet } from './flac-cue-sheet.js';
import { buildAnalysedRecord, buildTagsRecord, type FileFacts } from './build-record.js';
import { DecodeError } from './decode/decoder.js';
import { createFfmpegDecoder, probeWithFfmpeg } from './decode/ffmpeg.js';
import { decodedAudio, holdsVideo, type AudioStreamFacts, type FfmpegReport } from './decode/stream-facts.js';
import { hashFile } from './hash.js';
import { hasSeekHeader } from './mp3-header.js';
import type { TaggedAs } from './song-boundaries.js';
import { headerOf, isUnreadContainer, readTags, untagged, withFfmpegTags, type ReadTagsOptions, type TagReport } from './tags.js';

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
  /** Known files it may be (scan/plan.ts): checked by content before anything is decoded. */
  sameAs: SameFileCandidate[];
  /** The cue sheets beside the file now (scan/cue-sheets.ts), recorded with it. */
  cueSignature: string | null;
  /** The tracks a cue sheet beside the file gives it (import/cue-sheets.ts); they win over one inside it. */
  cueSheet: FileCueSheet | null;
  /** The ffmpeg to decode and probe with, found once for the import by the main thread (decode/decoder.ts); null when none runs here (a tags pass only). */
  ffmpeg: string | null;
  audio: AudioAnalysisOptions;
}

function failure(task: Pick<AnalyseTask, 'path'>, phase: Phase, code: FileErrorCode, detail: string): FileFailure {
  return fileFailure(task.path, phase, code, detail);
}

/** Reads blocking: a worker thread handles one file at a time, and a trip through libuv's pool per small read is what a tags pass would wait on. */
function readAt(fd: number, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  return buffer.subarray(0, readSync(fd, buffer, 0, length, position));
}

/**
 * The audio analysis and Chromaprint, loaded on the first file that is decoded: a worker of a
 * tags pass never loads them, and starts that much sooner.
 */
function audioAnalysis(): Promise<typeof AudioAnalysisModule> {
  return import('./analyse-audio.js');
}

/** The first bytes of the content: after a tag in front (ID3v2 before FLAC or MP3, APEv2), where the magic numbers are. */
function contentHead(fd: number): Uint8Array {
  const head = readAt(fd, 0, sniffBytes);
  const offset = tagInFront(head);
  return offset === 0 ? head : readAt(fd, offset, sniffBytes);
}

/** What the file is: the bytes say when they can; else ffmpeg, which finds an audio stream in whatever it decodes. */
type Content =
  | { kind: 'audio'; mime: string | null; probe: FfmpegReport | null }
  | { kind: 'not audio'; fileClass: Exclude<FileClass, 'audio'>; mime: string | null };

async function contentOf(task: AnalyseTask, head: Uint8Array): Promise<Content> {
  const sniffed = await classifyContent(head);
  const bytesSay = (): Content => (sniffed.fileClass === 'audio'
    ? { kind: 'audio', mime: sniffed.mime, probe: null }
    : { kind: 'not audio', fileClass: sniffed.fileClass, mime: sniffed.mime });
  if (sniffed.settled || task.ffmpeg === null) return bytesSay();
  const probe = await probeWithFfmpeg(task.ffmpeg, task.absolutePath);
  if (probe === null) return bytesSay();
  if (holdsVideo(probe)) return { kind: 'not audio', fileClass: 'video', mime: sniffed.mime };
  if (decodedAudio(probe) !== null) return { kind: 'audio', mime: sniffed.mime, probe };
  return { kind: 'not audio', fileClass: 'other', mime: sniffed.mime };
}

/**
 * Tags are best effort: a file whose tags can't be read is recorded without them, with a warning
 * row, when its audio can be had (analyseOpenFile).
 */
async function readTagsOf(task: AnalyseTask, mime: string | null, mpegDuration: ReadTagsOptions['mpegDuration']): Promise<{ report: TagReport } | { unreadable: string }> {
  try {
    return { report: await readTags(task.absolutePath, { mime, mpegDuration }) };
  } catch (error) {
    return { unreadable: errorMessage(error) };
  }
}

/** A warning row, unless the tag library only does not know the container: ffmpeg's reading of it gives the tags then. */
function recordedWithoutTags(task: AnalyseTask, facts: FileFacts, why: string): void {
  if (!isUnreadContainer(why)) facts.warnings.push(fileWarning(task.path, 'tags', 'TAGS_UNREADABLE', `${why}; recorded without tags`));
}

/** ffmpeg's words for a codec it has no decoder for: such a file is kept at the tags level for a capable ffmpeg to finish. */
function isMissingDecoder(reason: string): boolean {
  return /decoder \(codec [^)]*\) not found|decoder not found|unsupported codec|unknown codec/i.test(reason);
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
async function cueSheetOf(task: AnalyseTask, fd: number, mime: string | null, tags: TagReport, facts: FileFacts): Promise<FileCueSheet | null> {
  if (task.cueSheet !== null) return task.cueSheet;
  const album = { title: tags.tags.album, performer: tags.tags.artist, date: tags.releaseDate, genre: null, releaseMbid: null, catalog: null, discId: null, comment: null };
  try {
    if (tags.cueSheet !== null) {
      // The parser and its text decoders are loaded only for a file that carries a sheet.
      const { parseCueSheet } = await import('./cue-sheet.js');
      const sheet = parseCueSheet(tags.cueSheet);
      const tracks = sheet.files[0]?.tracks.filter((track) => track.kind === 'audio') ?? [];
      return tracks.length === 0 ? null : { source: 'embedded', album: { ...album, ...definedOf(sheet.album) }, tracks };
    }
    const tracks = mime === 'audio/flac' ? await readFlacCueSheet((position, length) => Promise.resolve(readAt(fd, position, length))) : null;
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

/**
 * Decodes once and analyses the stream: passages (a cue sheet's tracks, or songs between silences),
 * lead-in and lead-out, fingerprints; the audio facts are those of the stream decoded. A codec this
 * ffmpeg has no decoder for leaves the file at the tags level, with the reason.
 */
async function analyseDecoded(task: AnalyseTask, ffmpeg: string, facts: FileFacts, tags: TagReport, sheet: FileCueSheet | null): Promise<AnalysisResult> {
  let audio;
  let stream: AudioStreamFacts | null = null;
  let ffmpegTags: Readonly<Record<string, string>> = {};
  const onStream = (decoded: AudioStreamFacts, read: Readonly<Record<string, string>>): void => {
    stream = decoded;
    ffmpegTags = read;
  };
  try {
    const pcm = createFfmpegDecoder(ffmpeg).decode(task.absolutePath, { sampleRate: task.audio.sampleRate, onStream });
    const source: BoundarySource = sheet === null ? { kind: 'silence', taggedAs: taggedAs(tags) } : { kind: 'cue sheet', tracks: sheet.tracks };
    const [{ analyseAudio }, { loadChromaprint }] = await Promise.all([audioAnalysis(), import('./fingerprint.js')]);
    audio = await analyseAudio(pcm, await loadChromaprint(), task.audio, source);
  } catch (error) {
    // A DecodeError's message names the absolute path; the row names the stored one.
    const reason = error instanceof DecodeError ? error.reason : errorMessage(error);
    if (!isMissingDecoder(reason)) return failure(task, 'decode', 'DECODE_FAILED', reason);
    facts.warnings.push(fileWarning(task.path, 'decode', 'NO_DECODER', `${reason}; recorded from its tags until an ffmpeg that decodes it imports it again`));
    return buildTagsRecord(facts, tags, sheet);
  }
  if (stream === null) return failure(task, 'decode', 'DECODE_FAILED', 'ffmpeg named no audio stream');
  const { sampleRate, windowMs, segmentation, amplitude } = task.audio;
  return buildAnalysedRecord(facts, withFfmpegTags(tags, ffmpegTags), audio, stream, { decoder: 'ffmpeg', sampleRate, windowMs, segmentation: { ...segmentation }, amplitude: { ...amplitude } }, sheet);
}

/**
 * The known file this one is, by content (docs/adr/0007): the same bytes, or the same audio under
 * other tags. The hashes are kept in `facts` for the analysis that follows when it is neither.
 * A file whose new tags name another recording than its passage plays (Picard's retag) is
 * analysed again, so that the passages follow the tags' recording.
 */
async function sameFileAs(task: AnalyseTask, fd: number, mime: string | null, facts: FileFacts): Promise<SameFile | null> {
  facts.hash = hashFile(fd, facts.sizeBytes);
  facts.audioHash = hashAudioPayload(fd, facts.sizeBytes, mime);
  const found = (how: SameFile['how'], guid: string, tags: SameFile['tags']): SameFile => ({
    kind: 'same file', how, guid, path: task.path, hash: facts.hash, audioHash: facts.audioHash, modificationTime: facts.modificationTime,
    sizeBytes: facts.sizeBytes, place: facts.place, tags,
  });
  const sameBytes = task.sameAs.find((candidate) => candidate.hash === facts.hash);
  if (sameBytes) return found('moved', sameBytes.guid, null);
  const sameAudio = facts.audioHash === null ? undefined : task.sameAs.find((candidate) => candidate.audioHash === facts.audioHash);
  if (!sameAudio) return null;
  const read = await readTagsOf(task, mime, 'none');
  if (!('report' in read)) return null;
  const named = read.report.ids.recordingMbid;
  if (named !== null && named !== sameAudio.recordingMbid) return null;
  return found('retagged', sameAudio.guid, read.report.tags);
}

async function analyseOpenFile(task: AnalyseTask, fd: number): Promise<AnalysisResult> {
  const stat = fstatSync(fd);
  const modificationTime = formatModificationTime(stat.mtimeMs);
  const other = (fileClass: OtherFile['fileClass']): OtherFile => ({ kind: 'other', path: task.path, fileClass, sizeBytes: stat.size, modificationTime });
  if (stat.size === 0) return task.expectsAudio ? failure(task, 'classify', 'EMPTY_FILE', 'the file is empty (0 bytes)') : other('other');
  const head = contentHead(fd);
  const content = await contentOf(task, head);
  if (content.kind === 'not audio') {
    // A video is a video whatever its name: skipped and counted, as an image is.
    if (!task.expectsAudio || content.fileClass === 'video') return other(content.fileClass);
    const what = content.mime ? `${content.fileClass} (${content.mime})` : 'of no known format';
    return { ...failure(task, 'classify', 'NOT_AUDIO', `the content is ${what}, not audio`), contentClass: content.fileClass };
  }
  const { mime } = content;
  const place: FilePlace = { device: stat.dev, inode: stat.ino };
  const facts: FileFacts = {
    path: task.path, knownGuid: task.knownGuid, hash: '', audioHash: null, sizeBytes: stat.size, modificationTime, place,
    cueSignature: task.cueSignature, warnings: [],
  };
  if (task.sameAs.length > 0) {
    try {
      const same = await sameFileAs(task, fd, mime, facts);
      if (same !== null) return same;
    } catch (error) {
      return failure(task, 'hash', 'UNREADABLE', errorMessage(error));
    }
  }
  if (task.analysis === 'tags') {
    // A tags pass reads only the bytes the tags need: no content hash, no decoding.
    const read = await readTagsOf(task, mime, mime === 'audio/mpeg' && hasSeekHeader(head) ? 'container' : 'frames');
    if ('report' in read) {
      const report = content.probe === null ? read.report : withFfmpegTags(read.report, content.probe.tags);
      return buildTagsRecord(facts, report, await cueSheetOf(task, fd, mime, report, facts));
    }
    // Without tags, ffmpeg says whether there is audio to record, and what it is.
    const probe = content.probe ?? (task.ffmpeg === null ? null : await probeWithFfmpeg(task.ffmpeg, task.absolutePath));
    const stream = probe === null ? null : decodedAudio(probe);
    if (probe === null || stream === null) return failure(task, 'tags', 'CORRUPT_AUDIO', read.unreadable);
    recordedWithoutTags(task, facts, read.unreadable);
    return buildTagsRecord(facts, withFfmpegTags(untagged({ ...headerOf(stream), durationSeconds: probe.durationSeconds }), probe.tags), null);
  }
  // The decoded duration is what counts in a full pass: the container's is not needed.
  const read = await readTagsOf(task, mime, 'none');
  if ('unreadable' in read) recordedWithoutTags(task, facts, read.unreadable);
  const tags = 'report' in read ? read.report : untagged();
  const sheet = await cueSheetOf(task, fd, mime, tags, facts);
  try {
    if (facts.hash === '') facts.hash = hashFile(fd, stat.size);
    if (facts.audioHash === null) facts.audioHash = hashAudioPayload(fd, stat.size, mime);
  } catch (error) {
    return failure(task, 'hash', 'UNREADABLE', errorMessage(error));
  }
  if (task.ffmpeg === null) throw new Error('a full analysis needs ffmpeg (run.ts finds it)');
  return analyseDecoded(task, task.ffmpeg, facts, tags, sheet);
}

export async function analyseFile(task: AnalyseTask): Promise<AnalysisResult> {
  let fd: number;
  try {
    fd = openSync(task.absolutePath, 'r');
  } catch (error) {
    return failure(task, 'classify', 'UNREADABLE', errorMessage(error));
  }
  try {
    return await analyseOpenFile(task, fd);
  } catch (error) {
    return failure(task, 'classify', 'UNREADABLE', errorMessage(error));
  } finally {
    closeSync(fd);
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
    const { analyseRegion } = await audioAnalysis();
    return { kind: 'region', region: await analyseRegion(pcm, task.options, task.startSample, task.endSample) };
  } catch (error) {
    return fileFailure(task.path, 'decode', 'DECODE_FAILED', error instanceof DecodeError ? error.reason : errorMessage(error));
  }
}

/**
 * Several files of a tags pass in one task: each takes a fraction of a millisecond, and a task's
 * round trip through the pool (the message each way, its timer, the main thread's turn) cost as
 * much again (docs/adr/0009). Analysed one after another, each as `analyseFile` alone.
 */
export interface AnalyseFilesTask {
  kind: 'analyse files';
  files: AnalyseTask[];
}

async function analyseFiles(task: AnalyseFilesTask): Promise<AnalysisResult[]> {
  const results: AnalysisResult[] = [];
  for (const file of task.files) results.push(await analyseFile(file));
  return results;
}

export type WorkerTask = AnalyseTask | AnalyseFilesTask | AmplitudeTask;

/** Piscina's entry: one task, one result. */
export default function run(task: WorkerTask): Promise<AnalysisResult | AnalysisResult[] | AmplitudeResult> {
  switch (task.kind) {
    case 'analyse':
      return analyseFile(task);
    case 'analyse files':
      return analyseFiles(task);
    case 'amplitude':
      return measureAmplitude(task);
  }
}
