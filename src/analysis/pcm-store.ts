/**
 * The decoded audio of one file, kept as 16-bit mono at the analysis rate (22 KB per second at
 * 11025 Hz) so that the passages' fingerprints and exact edges can be taken after the song
 * boundaries are known, without decoding the file twice. Up to `memoryLimitSamples` stay in
 * memory (15 minutes: 20 MB); a longer file moves to a temporary file, unlinked as soon as it is
 * opened so that nothing is left behind even if the worker is stopped (docs/adr/0003).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toInt16 } from './fingerprint.js';

export const defaultMemoryLimitSamples = 15 * 60 * 11025;

export class PcmStore {
  private chunks: Int16Array[] = [];
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
    const converted = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) converted[i] = toInt16(samples[i]!);
    if (this.spill === null && this.length + converted.length > this.memoryLimitSamples) this.moveToDisk();
    if (this.spill === null) this.chunks.push(converted);
    else writeAll(this.spill, converted, this.length);
    this.length += converted.length;
  }

  /** Samples [from, to), clamped to what is stored. */
  read(from: number, to: number): Int16Array {
    const start = Math.max(0, Math.min(from, this.length));
    const end = Math.max(start, Math.min(to, this.length));
    const out = new Int16Array(end - start);
    if (this.spill !== null) {
      const bytes = new Uint8Array(out.buffer);
      for (let done = 0; done < bytes.length; ) {
        const n = readSync(this.spill, bytes, done, bytes.length - done, start * 2 + done);
        if (n === 0) break;
        done += n;
      }
      return out;
    }
    let chunkStart = 0;
    for (const chunk of this.chunks) {
      const chunkEnd = chunkStart + chunk.length;
      if (chunkEnd > start && chunkStart < end) {
        const from = Math.max(start, chunkStart) - chunkStart;
        const to = Math.min(end, chunkEnd) - chunkStart;
        out.set(chunk.subarray(from, to), chunkStart + from - start);
      }
      if (chunkEnd >= end) break;
      chunkStart = chunkEnd;
    }
    return out;
  }

  dispose(): void {
    if (this.spill !== null) closeSync(this.spill);
    this.spill = null;
    this.chunks = [];
    this.length = 0;
  }

  private moveToDisk(): void {
    const folder = mkdtempSync(join(tmpdir(), 'wkmp-ai-pcm-'));
    const file = join(folder, 'pcm');
    this.spill = openSync(file, 'w+');
    unlinkSync(file);
    rmSync(folder, { recursive: true, force: true });
    let position = 0;
    for (const chunk of this.chunks) {
      writeAll(this.spill, chunk, position);
      position += chunk.length;
    }
    this.chunks = [];
  }
}

function writeAll(fd: number, samples: Int16Array, atSample: number): void {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, atSample * 2 + done);
}
