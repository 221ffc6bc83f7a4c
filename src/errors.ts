/**
 * The closed set of errors wkmp-ai reports. Each carries a literal `code` (listed in
 * docs/errors.md), the phase it happened in and, where there is one, the file.
 */
export type Phase = 'startup' | 'scan' | 'classify' | 'cue' | 'hash' | 'tags' | 'decode' | 'record' | 'session';

export abstract class WkmpError extends Error {
  abstract readonly code: string;
  readonly phase: Phase;
  readonly path: string | undefined;

  constructor(phase: Phase, message: string, options?: { path?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.phase = phase;
    this.path = options?.path;
  }
}

/** The database was migrated by a newer wkmp-ai (its own schema version, not WKMP's). */
export class SchemaTooNewError extends WkmpError {
  readonly code = 'SCHEMA_TOO_NEW';
}

/** A table of the database lacks a column wkmp-ai needs and cannot add (a key column): something else made it. */
export class SchemaMismatchError extends WkmpError {
  readonly code = 'SCHEMA_MISMATCH';
}

/** Another import session is running, in this process or another one. */
export class SessionRunningError extends WkmpError {
  readonly code = 'SESSION_RUNNING';
}

/** A folder or option given by the user is not usable. */
export class InvalidInputError extends WkmpError {
  readonly code = 'INVALID_INPUT';
}

/** The write lock could not be had within `ai_database_max_lock_wait_ms`; the batch is kept and tried again. */
export class DatabaseBusyError extends WkmpError {
  readonly code = 'DATABASE_BUSY';
}

/** Codes of per-file failures: they become `import_errors` rows, never a stopped import. */
export type FileErrorCode =
  | 'EMPTY_FILE'
  | 'NOT_AUDIO'
  | 'UNREADABLE'
  | 'CORRUPT_AUDIO'
  | 'DECODE_FAILED'
  | 'ANALYSIS_TIMEOUT'
  | 'RECORD_FAILED'
  | 'WORKER_FAILED'
  | 'CUE_INVALID'
  | 'CUE_FILE_MISSING'
  | 'TAGS_UNREADABLE'
  | 'NO_DECODER'
  | 'NO_PASSAGE'
  | 'AMBIGUOUS_UPGRADE';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
