import { describe, expect, it } from 'vitest';
import { Framer } from './frames.js';

/** The frames a framer hands over for 0, 1, 2, … pushed in chunks of the given sizes. */
function framesOf(size: number, hop: number, total: number, chunks: number[]): number[][] {
  const frames: number[][] = [];
  const framer = new Framer(size, hop, (frame) => frames.push(Array.from(frame)));
  const samples = Float32Array.from({ length: total }, (_, i) => i);
  let at = 0;
  for (let c = 0; at < total; c++) {
    const n = chunks[c % chunks.length]!;
    framer.push(samples.subarray(at, at + n));
    at += n;
  }
  return frames;
}

const expected = (size: number, hop: number, total: number) =>
  Array.from({ length: Math.max(0, Math.floor((total - size) / hop) + 1) }, (_, f) => Array.from({ length: size }, (_, i) => f * hop + i));

describe('Framer', () => {
  it('hands over overlapping frames every hop, whatever the chunks', () => {
    for (const chunks of [[1], [3], [7, 2], [1000]]) expect(framesOf(8, 3, 40, chunks)).toEqual(expected(8, 3, 40));
  });

  it('hands over frames back to back when the hop is the size', () => {
    expect(framesOf(4, 4, 18, [5, 1])).toEqual(expected(4, 4, 18));
  });

  it('passes over the samples between frames when the hop is longer than the size, across chunks', () => {
    for (const chunks of [[1], [3], [5, 11], [1000]]) expect(framesOf(4, 10, 45, chunks)).toEqual(expected(4, 10, 45));
  });

  it('hands over nothing for a stream shorter than a frame, and refuses a hop or size that is not a positive whole number', () => {
    expect(framesOf(8, 2, 7, [7])).toEqual([]);
    expect(() => new Framer(8, 0, () => {})).toThrow(RangeError);
    expect(() => new Framer(0, 1, () => {})).toThrow(RangeError);
    expect(() => new Framer(8, 1.5, () => {})).toThrow(RangeError);
  });
});
