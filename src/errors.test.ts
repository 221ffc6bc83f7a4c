import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatabaseBusyError, InvalidInputError, SchemaMismatchError, SchemaTooNewError, SessionRunningError, type FileErrorCode } from './errors.js';

const page = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...page.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]));

describe('docs/errors.md', () => {
  it('lists exactly the codes the code can report', () => {
    const fileCodes: Record<FileErrorCode, true> = {
      EMPTY_FILE: true, NOT_AUDIO: true, UNREADABLE: true, CORRUPT_AUDIO: true, DECODE_FAILED: true, ANALYSIS_TIMEOUT: true,
      RECORD_FAILED: true, WORKER_FAILED: true, CUE_INVALID: true, CUE_FILE_MISSING: true, TAGS_UNREADABLE: true, NO_DECODER: true, NO_PASSAGE: true,
      AMBIGUOUS_UPGRADE: true,
    };
    const importCodes = [SchemaTooNewError, SchemaMismatchError, SessionRunningError, InvalidInputError, DatabaseBusyError]
      .map((ErrorClass) => new ErrorClass('startup', 'x').code);
    expect([...documented].sort()).toEqual([...Object.keys(fileCodes), ...importCodes].sort());
  });
});
