/**
 * The duration of an MPEG audio stream (MP3, MP2, MP1) without a Xing, Info or VBRI header, by
 * walking its frame headers: each names its bit rate and sample rate, which give the frame's size
 * in bytes and its samples (1152, 576 or 384), so the next header is found without decoding.
 *
 * The container's figure is wrong for such files: music-metadata calls a stream CBR when its first
 * three frames have one bit rate, and divides the file's size by the first frame's size. A VBR
 * file that opens with quiet 32 kbit/s frames comes out several times too long (FACTS.md: 1029 s
 * for 224 s; ffprobe's "estimate from bitrate" is as wrong). Counting every frame is exact.
 */
import { hasSeekHeader } from './mp3-header.js';

export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

/** What one frame header says. */
export interface MpegFrame {
  /** Bytes of the whole frame, header included. */
  bytes: number;
  samples: number;
  sampleRate: number;
  /** What every frame of one stream shares: version, layer and sample rate bits. */
  stream: number;
  layer: 1 | 2 | 3;
  /** MPEG-1 (not 2 or 2.5): its side information is longer. */
  mpeg1: boolean;
  channels: 1 | 2;
}

/** kbit/s by bit-rate index (0 is free format, 15 is invalid: neither has a size to step by). */
const bitRates = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
/** Hz by version bits (0: MPEG 2.5, 2: MPEG 2, 3: MPEG 1) and sample-rate index. */
const sampleRates: Record<number, readonly number[]> = { 0: [11025, 12000, 8000], 2: [22050, 24000, 16000], 3: [44100, 48000, 32000] };

/** The frame header at `at` in `bytes`, or null when there is none there (ffmpeg's mpegaudiodecheader.c, the same sums). */
export function frameAt(bytes: Uint8Array, at: number): MpegFrame | null {
  if (at + 4 > bytes.length || bytes[at] !== 0xff) return null;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  const versionBits = (b1 >> 3) & 3;
  const layer = 4 - ((b1 >> 1) & 3);
  const bitRateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if ((b1 & 0xe0) !== 0xe0 || versionBits === 1 || layer === 4 || bitRateIndex === 0 || bitRateIndex === 15 || rateIndex === 3) return null;
  const mpeg1 = versionBits === 3;
  const table = mpeg1 ? [bitRates.v1l1, bitRates.v1l2, bitRates.v1l3][layer - 1]! : layer === 1 ? bitRates.v2l1 : bitRates.v2l23;
  const bitRate = table[bitRateIndex]! * 1000;
  const sampleRate = sampleRates[versionBits]![rateIndex]!;
  const padding = (b2 >> 1) & 1;
  const stream = ((b1 & 0x1e) << 8) | (b2 & 0x0c);
  const shared = { sampleRate, stream, layer: layer as 1 | 2 | 3, mpeg1, channels: bytes[at + 3]! >> 6 === 3 ? 1 as const : 2 as const };
  if (layer === 1) return { bytes: (Math.floor((12 * bitRate) / sampleRate) + padding) * 4, samples: 384, ...shared };
  const lsfLayer3 = layer === 3 && !mpeg1;
  return { bytes: Math.floor(((lsfLayer3 ? 72 : 144) * bitRate) / sampleRate) + padding, samples: lsfLayer3 ? 576 : 1152, ...shared };
}

/** The largest frame (MPEG-2 Layer II, 160 kbit/s at 8 kHz, padded) and the header after it. */
const lookahead = 2 * 2881 + 4;
const chunkBytes = 1 << 20;

/**
 * Bytes of the file from `start` to `end`, read a chunk at a time as `at` moves forward, so that
 * at least `lookahead` bytes from `at` are in memory whenever the file has them.
 */
class ForwardWindow {
  bytes: Uint8Array = new Uint8Array(0);
  start: number;
  /** Whether `bytes` reach the end of the data (a short read ends it too: the file shrank). */
  last = false;

  constructor(private readonly readAt: ReadAt, from: number, private readonly end: number) {
    this.start = from;
  }

  async moveTo(at: number): Promise<void> {
    if (at >= this.start && (at + lookahead <= this.start + this.bytes.length || this.last)) return;
    const wanted = Math.max(0, Math.min(chunkBytes, this.end - at));
    this.start = at;
    this.bytes = await this.readAt(at, wanted);
    this.last = this.bytes.length < wanted || at + wanted >= this.end;
  }
}

/** The frame at `at` when another of its stream follows it: a stream starts there (content-type.ts, tag-readers/mpeg.ts). */
export function framePairAt(bytes: Uint8Array, at: number): MpegFrame | null {
  return frameStartAt(bytes, at, null, false);
}

/**
 * The frame of `stream` at `at`: right after the last frame, a header of the stream is enough;
 * elsewhere (the first frame, or after bytes that were not one) another frame must follow it, as
 * two headers in a row are no accident.
 */
function frameStartAt(bytes: Uint8Array, at: number, stream: number | null, inStep: boolean): MpegFrame | null {
  const frame = frameAt(bytes, at);
  if (frame === null || (stream !== null && frame.stream !== stream)) return null;
  if (inStep) return frame;
  const next = frameAt(bytes, at + frame.bytes);
  return next !== null && next.stream === frame.stream ? frame : null;
}

export type MpegDuration =
  /** Every frame counted. */
  | { kind: 'frames'; seconds: number; frames: number }
  /** The first frame is a Xing, Info or VBRI header: the container's duration, read from it, holds. */
  | { kind: 'seek header' }
  | { kind: 'no frames' };

/**
 * Walks the MPEG frames from `start` (after any ID3v2 tag) to `end` (the file's size), past
 * bytes that are not a frame (zeros before the first, a damaged stretch, an ID3v1 or APE tag at
 * the end). A frame cut short by the end of the file is not counted: nothing decodes from it.
 */
export async function walkMpegFrames(readAt: ReadAt, start: number, end: number): Promise<MpegDuration> {
  const window = new ForwardWindow(readAt, start, end);
  let stream: number | null = null;
  let sampleRate = 0;
  let samples = 0;
  let frames = 0;
  let at = start;
  /** Where the frame after the last one counted starts. */
  let next = -1;
  while (at < end) {
    await window.moveTo(at);
    const { bytes } = window;
    const atEnd = window.last;
    // In memory, as far as a frame and the header after it are sure to be loaded; then the next chunk.
    const limit = atEnd ? bytes.length - 4 : bytes.length - lookahead;
    let offset = at - window.start;
    for (; offset <= limit; offset += 1) {
      const frame = frameStartAt(bytes, offset, stream, window.start + offset === next);
      if (frame === null) continue;
      if (offset + frame.bytes > bytes.length) return durationOf(frames, samples, sampleRate);
      if (stream === null) {
        if (hasSeekHeader(bytes.subarray(offset, offset + frame.bytes))) return { kind: 'seek header' };
        stream = frame.stream;
        sampleRate = frame.sampleRate;
      }
      frames += 1;
      samples += frame.samples;
      offset += frame.bytes - 1;
      next = window.start + offset + 1;
    }
    if (atEnd) break;
    at = window.start + offset;
  }
  return durationOf(frames, samples, sampleRate);
}

function durationOf(frames: number, samples: number, sampleRate: number): MpegDuration {
  return frames === 0 ? { kind: 'no frames' } : { kind: 'frames', seconds: samples / sampleRate, frames };
}
