/**
 * A file read synchronously through one 64 KiB block: a worker thread reads one file at a time,
 * and a tag reader's small reads near each other cost one system call (read-ahead-tokenizer.ts
 * does the same under music-metadata).
 */
import { readSync } from 'node:fs';

const blockBytes = 64 * 1024;

export class FileBytes {
  private block = new Uint8Array(0);
  private blockStart = 0;

  constructor(private readonly fd: number, readonly size: number) {}

  /**
   * `length` bytes at `position`, fewer at the end of the file: a view of the block that holds
   * them. A read outside the block fills a new one and leaves the old as it is, so a view stays
   * valid and need not be copied.
   */
  read(position: number, length: number): Uint8Array {
    const end = Math.min(this.size, position + length);
    if (position >= this.blockStart && end <= this.blockStart + this.block.length) {
      return this.block.subarray(position - this.blockStart, end - this.blockStart);
    }
    const bytes = new Uint8Array(Math.max(blockBytes, end - position));
    const read = readSync(this.fd, bytes, 0, bytes.length, position);
    this.block = bytes.subarray(0, read);
    this.blockStart = position;
    return this.block.subarray(0, Math.min(read, end - position));
  }

  /** The same as an asynchronous read, for the duration readers (ogg-duration.ts, mpeg-frames.ts). */
  readonly readAt = (position: number, length: number): Promise<Uint8Array> => Promise.resolve(this.read(position, length));
}
