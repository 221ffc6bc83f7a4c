/**
 * The decoded audio of one file, kept as 16-bit mono at the analysis rate (22 KB per second at
 * 11025 Hz) so that the passages' fingerprints and exact edges can be taken after the song
 * boundaries are known, without decoding the file twice. Samples go into fixed blocks of 512 KB,
 * not one array per decoded chunk, so a file leaves a few large buffers to the garbage collector
 * rather than hundreds of small ones. Up to `memoryLimitSamples` stay in memory (15 minutes:
 * 20 MB); a longer file moves to a temporary file, unlinked as soon as it is opened so that
 * nothing is left behind even if the worker is stopped (docs/adr/0003-song-boundaries.md).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toInt16 } from './fingerprint.js';

export const defaultMemoryLimitSamples = 15 * 60 * 11025;
const blockSamples = 256 * 1024;

export class PcmStore {
  /** Full blocks, and the one being filled last (in memory), or only the one being filled (on disk). */
  private blocks: Int16Array[] = [];
  private filled = 0;
  private length = 0;
  private spill: number | null = null;

  constructor(private readonly memoryLimitSamples = defaultMemoryLimitSamples) {}

  /** Samples stored so far. */
  get sampleCount(): number {
    return this.length;
  }

  /** Where the samples are: for the ADR's memory figures and the tests. */
  get location(): 'memory' | 'disk' {
    return this.spill === null ? 'memory' : 'disk';
  }

  /** Appends float samples in [-1, 1], rounded to int16 as ffmpeg and chromaprint do. */
  push(samples: Float32Array): void {
    for (let done = 0; done < samples.length; ) {
      const block = this.openBlock();
      const n = Math.min(samples.length - done, blockSamples - this.filled);
      for (let i = 0; i < n; i++) block[this.filled + i] = toInt16(samples[done + i]!);
      this.filled += n;
      this.length += n;
      done += n;
    }
  }

  /** Samples [from, to), clamped to what is stored, as one new array: for short reads. */
  read(from: number, to: number): Int16Array {
    const [start, end] = this.clamp(from, to);
    const out = new Int16Array(end - start);
    this.forEachPiece(start, end, (piece, at) => out.set(piece, at - start));
    return out;
  }

  /** Hands samples [from, to), clamped, to `use` piece by piece, without copying what is in memory. */
  feed(from: number, to: number, use: (samples: Int16Array) => void): void {
    const [start, end] = this.clamp(from, to);
    this.forEachPiece(start, end, (piece) => use(piece));
  }

  dispose(): void {
    if (this.spill !== null) closeSync(this.spill);
    this.spill = null;
    this.blocks = [];
    this.filled = 0;
    this.length = 0;
  }

  private clamp(from: number, to: number): [number, number] {
    const start = Math.max(0, Math.min(from, this.length));
    return [start, Math.max(start, Math.min(to, this.length))];
  }

  /** The block to write into, with room for at least one sample. */
  private openBlock(): Int16Array {
    const last = this.blocks.at(-1);
    if (last && this.filled < blockSamples) return last;
    // The last block is full, or there is none yet.
    if (this.spill === null && this.length + blockSamples > this.memoryLimitSamples) this.moveToDisk();
    else if (this.spill !== null && last) writeAll(this.spill, last, this.length - blockSamples);
    this.filled = 0;
    // On disk, one block is the write buffer.
    if (this.spill !== null && this.blocks.length > 0) return this.blocks[0]!;
    const block = new Int16Array(blockSamples);
    this.blocks.push(block);
    return block;
  }

  private forEachPiece(start: number, end: number, use: (piece: Int16Array, at: number) => void): void {
    if (this.spill === null) {
      for (let at = start; at < end; ) {
        const block = this.blocks[Math.floor(at / blockSamples)]!;
        const offset = at % blockSamples;
        const n = Math.min(end - at, blockSamples - offset);
        use(block.subarray(offset, offset + n), at);
        at += n;
      }
      return;
    }
    // On disk: what is written, read back in pieces of a block; the tail still in the write buffer, from there.
    const written = this.length - this.filled;
    for (let at = start; at < Math.min(end, written); ) {
      const n = Math.min(end, written) - at;
      const piece = new Int16Array(Math.min(n, blockSamples));
      readAll(this.spill, piece, at);
      use(piece, at);
      at += piece.length;
    }
    if (end > written) use(this.blocks[0]!.subarray(Math.max(start, written) - written, end - written), Math.max(start, written));
  }

  private moveToDisk(): void {
    const folder = mkdtempSync(join(tmpdir(), 'wkmp-ai-pcm-'));
    const file = join(folder, 'pcm');
    this.spill = openSync(file, 'w+');
    unlinkSync(file);
    rmSync(folder, { recursive: true, force: true });
    // Every block so far is full: write them all, keep one as the write buffer.
    const spill = this.spill;
    this.blocks.forEach((block, i) => writeAll(spill, block, i * blockSamples));
    this.blocks = this.blocks.slice(0, 1);
  }
}

function writeAll(fd: number, samples: Int16Array, atSample: number): void {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, atSample * 2 + done);
}

function readAll(fd: number, samples: Int16Array, atSample: number): void {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  for (let done = 0; done < bytes.length; ) {
    const n = readSync(fd, bytes, done, bytes.length - done, atSample * 2 + done);
    if (n === 0) break;
    done += n;
  }
}
