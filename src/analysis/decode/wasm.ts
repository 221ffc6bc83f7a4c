/**
 * Decoding with audio-decode's WebAssembly codecs, so that `npm ci` alone can import: the file is
 * read in small pieces and fed to the codec's streaming decoder; each piece's PCM is averaged to
 * mono and resampled at once, so memory stays at a piece's worth of native-rate PCM. MP4 with
 * its index at the end is fed index first (mp4-order.ts), FLAC whole frames (flac-frames.ts). The resampler follows ffmpeg's
 * defaults, so both decoders give nearly the same samples.
 */
import { open, type FileHandle } from 'node:fs/promises';
import decode, { type AudioData, type StreamDecoder } from 'audio-decode';
import { errorMessage } from '../../errors.js';
import { DecodeError } from './decode-error.js';
import type { DecodeOptions, Decoder } from './decoder.js';
import { FlacFrameCutter } from './flac-frames.js';
import { planMp4Stream, type ReadAt, type StreamSegment } from './mp4-order.js';
import { checkSampleRate, clampInPlace, downmixToMono } from './pcm.js';
import { Resampler } from './resample.js';
import { wasmFormatOf, wasmSniffBytes, type WasmFormat } from './wasm-format.js';

/**
 * Encoded bytes fed to the codec at a time. A codec call decodes all it is given at once, so the
 * PCM it returns is bounded by the sparsest stretch of the format: 64 KiB of digitally silent
 * FLAC is 388 s (137 MB of stereo float), of silent Vorbis 550 s. 4 KiB keeps that under a
 * minute (measured: 29 s FLAC, 37 s Vorbis, 19 s Opus, 16 s AAC); WAV (fixed rate) and MP3
 * (never under 32 kbit/s for 44.1/48 kHz) take larger reads.
 */
const readBytes: Record<WasmFormat, number> = { wav: 64 * 1024, mp3: 16 * 1024, flac: 4096, oga: 4096, opus: 4096, m4a: 4096 };

/** Pieces grow to this while no audio comes out. */
const maxPieceBytes = 4 * 1024 * 1024;

/** This much input without audio is not a file we can decode. */
const maxBytesWithoutAudio = 64 * 1024 * 1024;

/** A page or frame straddling pieces is normal; this much input without audio is a header or garbage. */
const growAfterBytes = 64 * 1024;

/**
 * The size of the next piece: the format's, doubled after each piece once `growAfterBytes` have
 * brought no audio. A codec waiting for a header or a frame end concatenates all it holds on
 * every call, so a long header, a big picture or garbage fed in small pieces costs quadratic time
 * (20 MB of garbage behind a FLAC header took 16 s in 4 KiB pieces); doubling makes it linear.
 */
export class PieceSize {
  bytes: number;
  bytesWithoutAudio = 0;

  constructor(private readonly base: number) {
    this.bytes = base;
  }

  record(fedBytes: number, gaveAudio: boolean): void {
    this.bytesWithoutAudio = gaveAudio ? 0 : this.bytesWithoutAudio + fedBytes;
    this.bytes = this.bytesWithoutAudio >= growAfterBytes ? Math.min(this.bytes * 2, maxPieceBytes) : this.base;
  }
}

/** Codec output (any rate, any channels) to mono at the analysis rate; a new resampler if the rate changes. */
class MonoStream {
  private resampler: Resampler | undefined;
  /** Native-rate frames seen. */
  frames = 0;

  constructor(private readonly outputRate: number) {}

  push(audio: AudioData): Float32Array[] {
    const mono = downmixToMono(audio.channelData);
    if (mono.length === 0) return [];
    this.frames += mono.length;
    const out: Float32Array[] = [];
    if (this.resampler !== undefined && this.resampler.inputRate !== audio.sampleRate) out.push(this.resampler.flush());
    if (this.resampler === undefined || this.resampler.inputRate !== audio.sampleRate) {
      this.resampler = new Resampler(audio.sampleRate, this.outputRate);
    }
    out.push(this.resampler.push(mono));
    return out.filter((chunk) => chunk.length > 0).map(clampInPlace);
  }

  end(): Float32Array[] {
    const last = this.resampler?.flush();
    return last === undefined || last.length === 0 ? [] : [clampInPlace(last)];
  }
}

function readerOf(handle: FileHandle): ReadAt {
  return async (position, length) => {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  };
}

/** The segments' bytes in pieces of `size.bytes`. */
async function* readSegments(readAt: ReadAt, segments: readonly StreamSegment[], size: PieceSize): AsyncGenerator<Uint8Array> {
  for (const segment of segments) {
    const end = segment.kind === 'bytes' ? segment.bytes.length : segment.end;
    for (let at = segment.kind === 'bytes' ? 0 : segment.start; at < end;) {
      const length = Math.min(size.bytes, end - at);
      const bytes = segment.kind === 'bytes' ? segment.bytes.subarray(at, at + length) : await readAt(at, length);
      if (bytes.length === 0) return;
      at += bytes.length;
      yield bytes;
    }
  }
}

async function formatOf(path: string, readAt: ReadAt, mime: string | undefined): Promise<WasmFormat> {
  const format = wasmFormatOf(mime, await readAt(0, wasmSniffBytes));
  if (format !== undefined) return format;
  const what = mime === undefined ? 'these bytes' : mime;
  throw new DecodeError(path, `the wasm decoder does not read ${what}: it reads MP3, FLAC, Ogg Vorbis, Opus, MP4/M4A and WAV`);
}

/** The file in order, or an MP4 with its index moved to the front. */
async function streamSegments(path: string, readAt: ReadAt, size: number, format: WasmFormat): Promise<StreamSegment[]> {
  const whole: StreamSegment[] = [{ kind: 'file', start: 0, end: size }];
  if (format !== 'm4a') return whole;
  const plan = await planMp4Stream(readAt, size);
  if (plan.layout === 'no-index') throw new DecodeError(path, 'no moov box (the MP4 index): the file is truncated or not an MP4');
  return plan.layout === 'index-last' ? plan.segments : whole;
}

/** What the codec is fed: the segments in pieces, FLAC cut at frame starts. */
async function* encodedChunks(readAt: ReadAt, segments: readonly StreamSegment[], format: WasmFormat, size: PieceSize): AsyncGenerator<Uint8Array> {
  const pieces = readSegments(readAt, segments, size);
  if (format !== 'flac') {
    yield* pieces;
    return;
  }
  const cutter = new FlacFrameCutter();
  for await (const bytes of pieces) yield cutter.push(bytes);
  yield cutter.end();
}

async function* decodeWithWasm(path: string, options: DecodeOptions): AsyncGenerator<Float32Array> {
  checkSampleRate(options.sampleRate);
  const { signal } = options;
  signal?.throwIfAborted();
  let handle: FileHandle | undefined;
  let codec: StreamDecoder | undefined;
  try {
    handle = await open(path, 'r');
    const readAt = readerOf(handle);
    const format = await formatOf(path, readAt, options.mime);
    const segments = await streamSegments(path, readAt, (await handle.stat()).size, format);
    codec = await decode[format]();
    const mono = new MonoStream(options.sampleRate);
    const pieceSize = new PieceSize(readBytes[format]);
    for await (const bytes of encodedChunks(readAt, segments, format, pieceSize)) {
      signal?.throwIfAborted();
      if (bytes.length === 0) continue;
      const framesBefore = mono.frames;
      const chunks = mono.push(await codec(bytes));
      pieceSize.record(bytes.length, mono.frames > framesBefore);
      if (pieceSize.bytesWithoutAudio > maxBytesWithoutAudio) {
        throw new DecodeError(path, `no audio in ${maxBytesWithoutAudio / 2 ** 20} MiB of input (read as ${format})`);
      }
      yield* chunks;
    }
    const tail = await codec();
    yield* mono.push(tail);
    yield* mono.end();
    if (mono.frames === 0) throw new DecodeError(path, `no audio decoded (read as ${format})`);
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    if (error instanceof DecodeError) throw error;
    throw new DecodeError(path, errorMessage(error), { cause: error });
  } finally {
    codec?.free();
    await handle?.close();
  }
}

export const wasmDecoder: Decoder = {
  name: 'wasm',
  probe: () => Promise.resolve({ available: true }),
  decode: decodeWithWasm,
};
