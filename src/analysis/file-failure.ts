import type { FileErrorCode, Phase } from '../errors.js';
import type { FileFailure } from '../file-record.js';

const doing: Record<Phase, string> = {
  startup: 'starting', scan: 'scanning', classify: 'reading', hash: 'hashing', tags: 'reading tags of',
  decode: 'decoding', record: 'recording', session: 'importing',
};

/** "reading tags of Artist/a.flac: unexpected end of file": what was done, to which file, what went wrong. */
export function fileFailure(path: string, phase: Phase, code: FileErrorCode, detail: string): FileFailure {
  return { kind: 'failure', path, phase, code, message: `${doing[phase]} ${path}: ${detail}` };
}
