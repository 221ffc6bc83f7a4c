/**
 * Decoding with audio-decode's WebAssembly codecs, so that `npm ci` alone can import: the file is
 * read in small pieces and fed to the codec's streaming decoder; each piece's PCM is averaged to
 * mono and resampled at once, so memory stays at a piece's worth of native-rate PCM. MP4 with
 * its index at the end is fed index first (mp4-order.ts). The resampler follows ffmpeg's
 * defaults, so both decoders give nearly the same samples.
 */
import { open, type FileHandle } from 'node:fs/promises';
import decode, { type AudioData, type StreamDecoder } from 'audio-decode';
import { errorMessage } from '../../errors.js';
import { DecodeError } from './decode-error.js';
import type { DecodeOptions, Decoder } from './decoder.js';
import { FlacFrameCutter } from './flac-frames.js';
import { planMoovFirst, type ReadAt, type StreamSegment } from './mp4-order.js';
import { checkSampleRate, clampInPlace, downmixToMono } from './pcm.js';
import { Resampler } from './resample.js';
import { wasmFormatOf, wasmSniffBytes, type WasmFormat } from './wasm-format.js';

/** Encoded bytes fed to the codec at a time: 64 KiB is 0.4 s of CD-quality FLAC, 4 s of 128 kbit/s MP3. */
const readBytes = 4 * 1024;

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

/** The stream's bytes, `readBytes` at a time. */
async function* readSegments(readAt: ReadAt, segments: readonly StreamSegment[]): AsyncGenerator<Uint8Array> {
  for (const segment of segments) {
    if (segment.kind === 'bytes') {
      for (let at = 0; at < segment.bytes.length; at += readBytes) yield segment.bytes.subarray(at, at + readBytes);
      continue;
    }
    for (let at = segment.start; at < segment.end; at += readBytes) {
      const bytes = await readAt(at, Math.min(readBytes, segment.end - at));
      if (bytes.length === 0) return;
      yield bytes;
    }
  }
}

/** What the codec is fed: the file in order (MP4: index first), FLAC cut at frame starts. */
async function* encodedChunks(readAt: ReadAt, size: number, format: WasmFormat): AsyncGenerator<Uint8Array> {
  const segments = (format === 'm4a' ? await planMoovFirst(readAt, size) : undefined) ?? [{ kind: 'file', start: 0, end: size }];
  if (format !== 'flac') {
    yield* readSegments(readAt, segments);
    return;
  }
  const cutter = new FlacFrameCutter();
  for await (const bytes of readSegments(readAt, segments)) yield cutter.push(bytes);
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
    const size = (await handle.stat()).size;
    const format = wasmFormatOf(options.mime, await readAt(0, wasmSniffBytes));
    if (format === undefined) {
      const what = options.mime === undefined ? 'these bytes' : options.mime;
      throw new DecodeError(path, `the wasm decoder does not read ${what}: it reads MP3, FLAC, Ogg Vorbis, Opus, MP4/M4A and WAV`);
    }
    codec = await decode[format]();
    const mono = new MonoStream(options.sampleRate);
    for await (const bytes of encodedChunks(readAt, size, format)) {
      signal?.throwIfAborted();
      if (bytes.length > 0) yield* mono.push(await codec(bytes));
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
