/**
 * A random-access tokenizer for the tag parser that reads the file synchronously through a block
 * cache. music-metadata reads a file as thousands of small tokens; through strtok3's FileTokenizer
 * each is an asynchronous read, a trip through libuv's thread pool, and a tags pass spent most of
 * its time waiting on them. In a worker thread, which handles one file at a time, a blocking read
 * of 64 KiB that serves the next hundred tokens costs nothing but the system call.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AbstractTokenizer, EndOfStreamError, type IRandomAccessFileInfo, type IReadChunkOptions } from 'strtok3';

const blockBytes = 64 * 1024;

export class ReadAheadTokenizer extends AbstractTokenizer {
  fileInfo: IRandomAccessFileInfo;
  private readonly fd: number;
  private readonly block = Buffer.allocUnsafe(blockBytes); // every byte used is read first
  private blockStart = 0;
  private blockLength = 0;

  constructor(path: string) {
    super();
    this.fd = openSync(path, 'r');
    try {
      this.fileInfo = { path, size: fstatSync(this.fd).size };
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
  }

  supportsRandomAccess(): boolean {
    return true;
  }

  setPosition(position: number): void {
    this.position = position;
  }

  // async, so that the end of the file rejects as strtok3's tokenizers do, rather than throwing at the call
  async readBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const position = options?.position ?? this.position;
    const read = this.copy(target, position, options);
    this.position = position + read;
    return read;
  }

  async peekBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    return this.copy(target, options?.position ?? this.position, options);
  }

  protected override closeOnce(): Promise<void> {
    closeSync(this.fd);
    return super.closeOnce();
  }

  /** Copies `length` bytes at `position` into `target`; fewer only at the end of the file, and then only when `mayBeLess`. */
  private copy(target: Uint8Array, position: number, options: IReadChunkOptions | undefined): number {
    const length = options?.length ?? target.length;
    if (length > target.length) throw new RangeError('length must not exceed the target buffer length');
    let done = 0;
    // A large read goes straight to the target; small ones are served from the block.
    if (length > blockBytes) {
      while (done < length) {
        const n = readSync(this.fd, target, done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
    } else {
      while (done < length) {
        const at = position + done;
        if (at < this.blockStart || at >= this.blockStart + this.blockLength) {
          this.blockStart = at;
          this.blockLength = readSync(this.fd, this.block, 0, blockBytes, at);
          if (this.blockLength === 0) break;
        }
        const offset = at - this.blockStart;
        const n = Math.min(length - done, this.blockLength - offset);
        target.set(this.block.subarray(offset, offset + n), done);
        done += n;
      }
    }
    if (done < length && options?.mayBeLess !== true) throw new EndOfStreamError();
    return done;
  }
}
