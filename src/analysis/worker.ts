/**
 * The worker thread's task: the only impure layer of analysis. It reads one file, runs the
 * steps and returns one plain `AnalysisResult`; it never touches the database.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { FileErrorCode, Phase } from '../errors.js';
import { errorMessage } from '../errors.js';
import { formatModificationTime, type AnalysisResult, type FileFailure } from '../file-record.js';
import { classifyContent, sniffBytes } from '../scan/classify.js';
import { buildTagsRecord } from './build-record.js';
import { hashFile } from './hash.js';
import { hasSeekHeader, id3v2Size } from './mp3-header.js';
import { readTags } from './tags.js';

export interface AnalyseTask {
  kind: 'analyse';
  absolutePath: string;
  /** Relative to the root, as stored. */
  path: string;
  knownGuid: string | null;
}

const doing: Record<Phase, string> = {
  startup: 'starting', scan: 'scanning', classify: 'reading', hash: 'hashing', tags: 'reading tags of',
  record: 'recording', session: 'importing',
};

/** "reading tags of Artist/a.flac: unexpected end of file": what was done, to which file, what went wrong. */
function failure(task: AnalyseTask, phase: Phase, code: FileErrorCode, detail: string): FileFailure {
  return { kind: 'failure', path: task.path, phase, code, message: `${doing[phase]} ${task.path}: ${detail}` };
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

export async function analyseFile(task: AnalyseTask): Promise<AnalysisResult> {
  let handle: FileHandle;
  try {
    handle = await open(task.absolutePath, 'r');
  } catch (error) {
    return failure(task, 'classify', 'UNREADABLE', errorMessage(error));
  }
  try {
    const stat = await handle.stat();
    if (stat.size === 0) return failure(task, 'classify', 'EMPTY_FILE', 'the file is empty (0 bytes)');
    const head = await readAt(handle, 0, sniffBytes);
    const content = await classifyContent(head);
    if (content.fileClass !== 'audio' || content.mime === null) {
      const what = content.mime ? `${content.fileClass} (${content.mime})` : 'of no known format';
      return { ...failure(task, 'classify', 'NOT_AUDIO', `the content is ${what}, not audio`), contentClass: content.fileClass };
    }
    const seekHeader = content.mime === 'audio/mpeg' && (await mp3HasSeekHeader(handle, head));
    let hash: string;
    try {
      hash = await hashFile(handle, stat.size);
    } catch (error) {
      return failure(task, 'hash', 'UNREADABLE', errorMessage(error));
    }
    let report;
    try {
      report = await readTags(task.absolutePath, { mime: content.mime, mp3HasSeekHeader: seekHeader });
    } catch (error) {
      return failure(task, 'tags', 'CORRUPT_AUDIO', errorMessage(error));
    }
    const facts = {
      path: task.path, knownGuid: task.knownGuid, hash, sizeBytes: stat.size, modificationTime: formatModificationTime(stat.mtimeMs),
    };
    return buildTagsRecord(facts, report);
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
