import { WkmpError } from '../../errors.js';

/** A file's audio could not be decoded: corrupt, truncated before any audio, or not a format we read. */
export class DecodeError extends WkmpError {
  readonly code = 'DECODE_FAILED';
  /** What went wrong, one line, without the file: the message is "decoding PATH: reason". */
  readonly reason: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    const line = firstLine(reason);
    super('decode', `decoding ${path}: ${line}`, { path, cause: options?.cause });
    this.reason = line;
  }
}

/** The first non-empty line of a text, trimmed: messages stay one line. */
export function firstLine(text: string): string {
  const line = text.split(/\r?\n/).map((part) => part.trim()).find((part) => part.length > 0);
  return line ?? 'unknown error';
}
