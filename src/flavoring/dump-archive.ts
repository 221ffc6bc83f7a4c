/**
 * Reading one of AcousticBrainz's CC0 high-level dump archives (acousticbrainz-server
 * `db/dump.py`: a tar stream through `zstd -10`), as a stream in bounded memory: fzstd decompresses
 * the file as it is read, tar-stream cuts the members out, and the caller takes one member at a
 * time; until it asks for the next one, nothing more is read (backpressure all the way to the
 * file). Members are named `<dir>/highlevel/<2 hex>/<1 hex>/<mbid>-<n>.json`, `n` the submission's
 * offset, plus `<dir>/COPYING` (CC0 1.0).
 */
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decompress, type ZstdError } from 'fzstd';
import tar from 'tar-stream';

/** What a member's path says it is. */
export type DumpMember =
  | { kind: 'document'; mbid: string; offset: string }
  /** A member of a low-level dump: not what wkmp-ai reads. */
  | { kind: 'low-level' }
  /** COPYING, folders, anything else. */
  | { kind: 'other' };

const documentPath = /(?:^|\/)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d+)\.json$/;

export function memberOf(path: string): DumpMember {
  const name = path.toLowerCase();
  if (/(?:^|\/)lowlevel\//.test(name)) return { kind: 'low-level' };
  const match = documentPath.exec(name);
  // The offset as AcousticBrainz's API keys it: a number's text, without leading zeros.
  return match === null ? { kind: 'other' } : { kind: 'document', mbid: match[1]!, offset: String(Number(match[2])) };
}

/** fzstd as a stream stage: each chunk of the file in, the blocks it completes out (each a fresh buffer of at most 128 KiB). */
function zstdStream(): Transform {
  const stage = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        decompressor.push(chunk);
        done();
      } catch (error) {
        done(zstdError(error));
      }
    },
    flush(done) {
      try {
        decompressor.push(new Uint8Array(0), true);
        done();
      } catch (error) {
        done(zstdError(error));
      }
    },
  });
  const decompressor = new Decompress((block) => {
    if (block.length > 0) stage.push(Buffer.from(block.buffer, block.byteOffset, block.length));
  });
  return stage;
}

/** What is wrong with the archive itself (not with what its reader did with it), in words. */
export class DumpArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DumpArchiveError';
  }
}

/** fzstd's errors (ZstdErrorCode) in words. */
function zstdError(error: unknown): Error {
  const code = (error as Partial<ZstdError>).code;
  if (code === 5) return new DumpArchiveError('the archive ends before its zstd stream does (a truncated download?)');
  if (code === 0) return new DumpArchiveError('it is not zstd data, or it is damaged');
  return new DumpArchiveError(`zstd: ${error instanceof Error ? error.message : String(error)}`);
}

/** What stopped the stream of the archive (the file, fzstd, tar-stream), in words. */
function archiveError(error: unknown): DumpArchiveError {
  if (error instanceof DumpArchiveError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/unexpected end/i.test(message)) return new DumpArchiveError('the archive ends in the middle of a member (a truncated download?)');
  if (/invalid tar header|checksum/i.test(message)) return new DumpArchiveError(`it does not hold a tar stream where one is expected (${message})`);
  return new DumpArchiveError(message);
}

export interface DumpEntry {
  /** The member's path in the archive. */
  path: string;
  /** Its size in bytes, as its header says. */
  size: number;
  /** Its bytes; a member not read is passed over unread. */
  read(): Promise<Buffer>;
}

export interface DumpReading {
  /** The members in archive order; the next is read only when asked for. */
  entries: AsyncIterable<DumpEntry>;
  /** Resolves when the whole file has been read; rejects with what went wrong (a DumpArchiveError, in words) otherwise. */
  done: Promise<void>;
  /** Stops reading (cancelled, or the caller failed). */
  stop(reason?: Error): void;
}

/** Starts reading `file`; `onBytes` hears of every chunk read from it (its size), for a progress bar. */
export function readDumpArchive(file: string, onBytes: (bytes: number) => void): DumpReading {
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  source.on('data', (chunk) => onBytes(chunk.length));
  const extract = tar.extract();
  /** Why the reading stopped: the archive's fault (a DumpArchiveError), or the reason `stop` was given. */
  let failure: Error | null = null;
  const done = pipeline(source, zstdStream(), extract).catch((error: unknown) => {
    failure ??= archiveError(error);
    throw failure;
  });
  // Whoever waits on `done` hears of the failure; the iteration below hears of it too.
  done.catch(() => undefined);
  async function* entries(): AsyncGenerator<DumpEntry> {
    try {
      for await (const entry of extract) {
        yield { path: entry.header.name, size: entry.header.size ?? 0, read: () => readAll(entry).catch((error: unknown) => { throw failure ?? archiveError(error); }) };
        // A member the caller did not read is drained, so that the next one comes.
        entry.resume();
      }
    } catch (error) {
      throw failure ?? archiveError(error);
    }
  }
  return {
    entries: entries(),
    done,
    stop(reason) {
      failure ??= reason ?? new Error('stopped');
      source.destroy(failure);
      extract.destroy(failure);
    },
  };
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
