/**
 * The worker thread's task: the only impure layer of analysis. It reads one file, runs the
 * steps and returns one plain `AnalysisResult`; it never touches the database.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { FileErrorCode, Phase } from '../errors.js';
import { errorMessage } from '../errors.js';
import { formatModificationTime, type AnalysisLevel, type AnalysisResult, type FileFailure } from '../file-record.js';
import { classifyContent, sniffBytes } from '../scan/classify.js';
import { fileFailure } from './file-failure.js';
import { analyseAudio, type AudioAnalysisOptions } from './analyse-audio.js';
import { buildAnalysedRecord, buildTagsRecord, type FileFacts } from './build-record.js';
import { chooseDecoder, DecodeError, type DecoderName } from './decode/decoder.js';
import { loadChromaprint } from './fingerprint.js';
import { hashFile } from './hash.js';
import { hasSeekHeader, id3v2Size } from './mp3-header.js';
import { readTags, type TagReport } from './tags.js';

export interface AnalyseTask {
  kind: 'analyse';
  absolutePath: string;
  /** Relative to the root, as stored. */
  path: string;
  knownGuid: string | null;
  analysis: AnalysisLevel;
  /** A concrete decoder, chosen once for the import by the main thread. */
  decoder: DecoderName;
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

/** Decodes once and analyses the stream: passages at silences, lead-in and lead-out, fingerprints. */
async function analyseDecoded(task: AnalyseTask, mime: string, facts: FileFacts, tags: TagReport): Promise<AnalysisResult> {
  const decoder = await chooseDecoder(task.decoder);
  let audio;
  try {
    const pcm = decoder.decode(task.absolutePath, { sampleRate: task.audio.sampleRate, mime });
    audio = await analyseAudio(pcm, await loadChromaprint(), task.audio);
  } catch (error) {
    // A DecodeError's message names the absolute path; the row names the stored one.
    return failure(task, 'decode', 'DECODE_FAILED', error instanceof DecodeError ? error.reason : errorMessage(error));
  }
  const { sampleRate, windowMs, silence, amplitude } = task.audio;
  return buildAnalysedRecord(facts, tags, audio, { decoder: decoder.name, sampleRate, windowMs, silence: { ...silence }, amplitude: { ...amplitude } });
}

async function analyseOpenFile(task: AnalyseTask, handle: FileHandle): Promise<AnalysisResult> {
  const stat = await handle.stat();
  if (stat.size === 0) return failure(task, 'classify', 'EMPTY_FILE', 'the file is empty (0 bytes)');
  const head = await readAt(handle, 0, sniffBytes);
  const content = await classifyContent(head);
  if (content.fileClass !== 'audio' || content.mime === null) {
    const what = content.mime ? `${content.fileClass} (${content.mime})` : 'of no known format';
    return { ...failure(task, 'classify', 'NOT_AUDIO', `the content is ${what}, not audio`), contentClass: content.fileClass };
  }
  const facts: FileFacts = {
    path: task.path, knownGuid: task.knownGuid, hash: '', sizeBytes: stat.size, modificationTime: formatModificationTime(stat.mtimeMs),
  };
  if (task.analysis === 'tags') {
    // A tags pass reads only the bytes the tags need: no content hash, no decoding.
    const tags = await readTagsOf(task, content.mime, content.mime === 'audio/mpeg' && (await mp3HasSeekHeader(handle, head)));
    return isFailure(tags) ? tags : buildTagsRecord(facts, tags);
  }
  // The decoded duration is what counts in a full pass: the container's is not needed.
  const tags = await readTagsOf(task, content.mime, false);
  if (isFailure(tags)) return tags;
  try {
    facts.hash = await hashFile(handle, stat.size);
  } catch (error) {
    return failure(task, 'hash', 'UNREADABLE', errorMessage(error));
  }
  return analyseDecoded(task, content.mime, facts, tags);
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

/** Piscina's entry: one task, one result. */
export default function run(task: AnalyseTask): Promise<AnalysisResult> {
  return analyseFile(task);
}
