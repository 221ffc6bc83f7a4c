import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { id3v2Size } from './mp3-header.js';
import { frameAt, walkMpegFrames } from './mpeg-frames.js';

const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url)));

/** Walks `bytes` as the tags pass walks a file: reads by position, counted. */
async function walk(bytes: Uint8Array, start = id3v2Size(bytes)) {
  let reads = 0;
  const readAt = (position: number, length: number): Promise<Uint8Array> => {
    reads += 1;
    return Promise.resolve(bytes.subarray(position, position + length));
  };
  return { result: await walkMpegFrames(readAt, start, bytes.length), reads };
}

/**
 * One frame: its 4-byte header, then zeros (which never look like a frame header) to its size.
 * `b1`: sync, version and layer bits (0xfb: MPEG-1 Layer III, 0xf3: MPEG-2 Layer III, 0xe3:
 * MPEG-2.5 Layer III, 0xfd: MPEG-1 Layer II, 0xff: MPEG-1 Layer I); `b2`: bit rate, sample rate, padding.
 */
function frame(b1: number, b2: number): Uint8Array {
  const header = Uint8Array.from([0xff, b1, b2, 0xc4]);
  const parsed = frameAt(header, 0);
  if (parsed === null) throw new Error('not a frame header');
  const bytes = new Uint8Array(parsed.bytes);
  bytes.set(header);
  return bytes;
}

function join(...parts: (Uint8Array | Uint8Array[])[]): Uint8Array {
  const flat = parts.flat();
  const bytes = new Uint8Array(flat.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of flat) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

const times = (n: number, make: (i: number) => Uint8Array): Uint8Array[] => Array.from({ length: n }, (_, i) => make(i));
/** MPEG-1 Layer III, 44.1 kHz: 0x90 is 128 kbit/s (417 bytes, 418 padded), 0x10 is 32 kbit/s (104 bytes). */
const mp3Frame = (i: number): Uint8Array => frame(0xfb, i % 3 === 0 ? 0x92 : 0x90);

describe('frameAt', () => {
  it.each([
    ['MPEG-1 Layer III 128 kbit/s 44.1 kHz', 0xfb, 0x90, { bytes: 417, samples: 1152, sampleRate: 44100 }],
    ['the same, padded', 0xfb, 0x92, { bytes: 418, samples: 1152, sampleRate: 44100 }],
    ['MPEG-1 Layer III 320 kbit/s 48 kHz', 0xfb, 0xe4, { bytes: 960, samples: 1152, sampleRate: 48000 }],
    ['MPEG-2 Layer III 64 kbit/s 22.05 kHz', 0xf3, 0x80, { bytes: 208, samples: 576, sampleRate: 22050 }],
    ['MPEG-2.5 Layer III 32 kbit/s 11.025 kHz', 0xe3, 0x40, { bytes: 208, samples: 576, sampleRate: 11025 }],
    ['MPEG-1 Layer II 256 kbit/s 44.1 kHz', 0xfd, 0xc0, { bytes: 835, samples: 1152, sampleRate: 44100 }],
    ['MPEG-1 Layer I 384 kbit/s 48 kHz, padded', 0xff, 0xc6, { bytes: 388, samples: 384, sampleRate: 48000 }],
  ])('reads %s', (_name, b1, b2, expected) => {
    expect(frameAt(Uint8Array.from([0xff, b1, b2, 0]), 0)).toMatchObject(expected);
  });

  it.each([
    ['no sync', [0xfe, 0xfb, 0x90, 0]],
    ['the reserved version', [0xff, 0xeb, 0x90, 0]],
    ['the reserved layer', [0xff, 0xf9, 0x90, 0]],
    ['a free-format bit rate (no size to step by)', [0xff, 0xfb, 0x00, 0]],
    ['the invalid bit rate', [0xff, 0xfb, 0xf0, 0]],
    ['the reserved sample rate', [0xff, 0xfb, 0x9c, 0]],
    ['fewer than 4 bytes', [0xff, 0xfb, 0x90]],
  ])('finds no frame with %s', (_name, bytes) => {
    expect(frameAt(Uint8Array.from(bytes), 0)).toBeNull();
  });
});

describe('walkMpegFrames', () => {
  it('counts the frames of the VBR fixture written without a Xing header: 3.03 s, where the container says 5.12 s', async () => {
    const { result } = await walk(fixture('vbr-no-xing.mp3'));
    expect(result).toEqual({ kind: 'frames', frames: 116, seconds: (116 * 1152) / 44100 });
  });

  it('stops at a first frame that carries an Info header: the container\'s duration is read from it', async () => {
    expect((await walk(fixture('library/Artist A/Album One/01 First.mp3'))).result).toEqual({ kind: 'seek header' });
  });

  it('counts frames of varying size and samples, MPEG-1 and MPEG-2', async () => {
    expect((await walk(join(times(100, mp3Frame)))).result).toEqual({ kind: 'frames', frames: 100, seconds: (100 * 1152) / 44100 });
    const mpeg2 = join(times(50, (i) => frame(0xf3, i % 2 === 0 ? 0x80 : 0x40)));
    expect((await walk(mpeg2)).result).toEqual({ kind: 'frames', frames: 50, seconds: (50 * 576) / 22050 });
  });

  it('finds the first frame after zeros, and walks past a damaged stretch and a trailing ID3v1 tag', async () => {
    const id3v1 = new Uint8Array(128);
    id3v1.set([0x54, 0x41, 0x47]); // "TAG"
    const bytes = join(new Uint8Array(4096), times(40, mp3Frame), Uint8Array.from([0x12, 0x34, 0xff, 0x00, 0x56]), times(60, mp3Frame), id3v1);
    expect((await walk(bytes)).result).toEqual({ kind: 'frames', frames: 100, seconds: (100 * 1152) / 44100 });
  });

  it('counts the last frame before trailing junk, but not a frame cut short by the end of the file', async () => {
    const whole = join(times(10, mp3Frame), Uint8Array.from([0, 0, 0, 0xff]));
    expect((await walk(whole)).result).toMatchObject({ frames: 10 });
    const cut = join(times(10, mp3Frame));
    expect((await walk(cut.subarray(0, cut.length - 100))).result).toMatchObject({ frames: 9 });
  });

  it('does not take a lone frame header among other bytes for a stream', async () => {
    const bytes = new Uint8Array(5000);
    bytes.set(mp3Frame(1), 1000);
    expect((await walk(bytes)).result).toEqual({ kind: 'no frames' });
  });

  it('does not mix in frames of another stream (another rate or layer)', async () => {
    const bytes = join(times(20, mp3Frame), times(20, () => frame(0xfb, 0x94)), times(20, mp3Frame));
    expect((await walk(bytes)).result).toMatchObject({ frames: 40 });
  });

  it('reads a long file in a few large chunks, frames crossing their edges', async () => {
    // ~6 MB: 15,000 frames of 417–418 bytes, ~6.5 minutes.
    const { result, reads } = await walk(join(times(15_000, mp3Frame)));
    expect(result).toEqual({ kind: 'frames', frames: 15_000, seconds: (15_000 * 1152) / 44100 });
    expect(reads).toBeLessThanOrEqual(8);
  });

  it('starts after the ID3v2 tag it is given', async () => {
    const tag = Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 2, 0]); // 256 bytes of tag body follow
    const bytes = join(tag, new Uint8Array(256).fill(0xff), times(5, mp3Frame));
    expect((await walk(bytes)).result).toMatchObject({ frames: 5 });
  });
});
