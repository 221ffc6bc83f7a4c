import type { FileErrorCode, Phase } from '../errors.js';
import type { FileFailure, FileWarning } from '../file-record.js';

const doing: Record<Phase, string> = {
  startup: 'starting', scan: 'scanning', classify: 'reading', cue: 'reading cue sheet', hash: 'hashing', tags: 'reading tags of',
  decode: 'decoding', record: 'recording', session: 'importing',
};

/** "reading tags of Artist/a.flac: unexpected end of file": what was done, to which file, what went wrong. */
export function fileFailure(path: string, phase: Phase, code: FileErrorCode, detail: string): FileFailure {
  return { kind: 'failure', path, ...fileWarning(path, phase, code, detail) };
}

/** What went wrong with a file that is recorded all the same, worded as a failure is. */
export function fileWarning(path: string, phase: Phase, code: FileErrorCode, detail: string): FileWarning {
  return { phase, code, message: `${doing[phase]} ${path}: ${detail}` };
}

/** How a NO_PASSAGE warning begins; the reason follows, and the import's summary counts files by it. */
export const noPassageDetail = 'recorded without a passage until its audio is decoded: ';
