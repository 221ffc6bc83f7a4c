import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FlacFrameCutter, isFrameHeaderAt, lastFrameStart } from './flac-frames.js';

const flac = new Uint8Array(readFileSync(new URL('../../../test/fixtures/library/Artist A/Album One/02 Second.flac', import.meta.url)));

/** Frame starts found by a forward scan: the sync code followed by a header whose CRC-8 matches. */
function frameStarts(bytes: Uint8Array): number[] {
  const starts: number[] = [];
  for (let at = 0; at < bytes.length; at++) if (isFrameHeaderAt(bytes, at)) starts.push(at);
  return starts;
}

describe('isFrameHeaderAt', () => {
  it('finds the fixture frames: 2 s of 44.1 kHz in 4608-sample frames is 20 frames', () => {
    expect(frameStarts(flac)).toHaveLength(20);
  });

  it('rejects a header whose CRC-8 does not match, or that is cut short', () => {
    const [first = 0] = frameStarts(flac);
    const damaged = flac.slice(first, first + 16);
    damaged[4] = (damaged[4] ?? 0) ^ 0x01;
    expect(isFrameHeaderAt(flac, first)).toBe(true);
    expect(isFrameHeaderAt(damaged, 0)).toBe(false);
    expect(isFrameHeaderAt(flac.subarray(first, first + 4), 0)).toBe(false);
  });
});

describe('lastFrameStart', () => {
  it('is the last frame start after position 0, or -1', () => {
    const starts = frameStarts(flac);
    expect(lastFrameStart(flac)).toBe(starts.at(-1));
    expect(lastFrameStart(flac.subarray(0, 40))).toBe(-1);
  });
});

describe('FlacFrameCutter', () => {
  it('passes every byte through in order, moving cuts that fall inside a header to its start', () => {
    const starts = frameStarts(flac);
    // split the input 3 bytes into every frame header: the decoder would lose those frames
    const splits = [...starts.map((start) => start + 3), flac.length];
    const cutter = new FlacFrameCutter();
    const out: Uint8Array[] = [];
    let from = 0;
    for (const to of splits) {
      out.push(cutter.push(flac.subarray(from, to)));
      from = to;
    }
    out.push(cutter.end());
    const joined = new Uint8Array(flac.length);
    const cuts: number[] = [];
    let offset = 0;
    for (const chunk of out) {
      joined.set(chunk, offset);
      offset += chunk.length;
      cuts.push(offset);
    }
    expect(joined).toEqual(flac);
    const audioCuts = cuts.filter((cut) => cut > (starts[0] ?? 0) && cut < flac.length);
    expect(audioCuts).toEqual(starts.slice(1));
  });
});
