import { describe, expect, it } from 'vitest';
import { toInt16 } from './fingerprint.js';
import { PcmStore } from './pcm-store.js';

function ramp(from: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin((from + i) / 7) * 0.9);
}

/** Pushes 10 chunks of uneven sizes: 1000 samples of a known signal in all. */
function filled(store: PcmStore): Float32Array {
  const sizes = [1, 99, 250_000, 7, 143, 100_000, 200_000, 50, 100, 249_600];
  const all = ramp(0, 800_000);
  let at = 0;
  for (const size of sizes) {
    store.push(all.subarray(at, at + size));
    at += size;
  }
  return all;
}

/** Where two sample arrays first differ, −1 if nowhere (toEqual is slow on arrays this long). */
function firstDifference(a: Int16Array, b: Int16Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('PcmStore', () => {
  it.each([
    ['in memory', 2_000_000, 'memory'],
    ['on disk from the start', 0, 'disk'],
    ['on disk past its memory limit', 300_000, 'disk'],
  ] as const)('gives back any range of what was pushed as int16, %s, read whole or fed in pieces', (_, limit, location) => {
    const store = new PcmStore(limit);
    try {
      const all = filled(store);
      expect(store.location).toBe(location);
      expect(store.sampleCount).toBe(800_000);
      const ranges = [[0, 800_000], [0, 1], [99, 101], [262_100, 262_200], [345, 777_777], [524_287, 524_289], [799_999, 800_000]] as const;
      for (const [from, to] of ranges) {
        const expected = Int16Array.from(all.subarray(from, to), toInt16);
        expect(firstDifference(store.read(from, to), expected), `${from}–${to}`).toBe(-1);
        const fed = new Int16Array(to - from);
        let at = 0;
        store.feed(from, to, (piece) => {
          fed.set(piece, at);
          at += piece.length;
        });
        expect(at, `${from}–${to} fed`).toBe(to - from);
        expect(firstDifference(fed, expected), `${from}–${to} fed`).toBe(-1);
      }
    } finally {
      store.dispose();
    }
  });

  it('clamps a range to what is stored', () => {
    const store = new PcmStore();
    store.push(ramp(0, 10));
    expect(store.read(5, 50)).toHaveLength(5);
    expect(store.read(20, 30)).toHaveLength(0);
    expect(store.read(-5, 2)).toHaveLength(2);
    store.dispose();
  });
});
