import { describe, expect, it } from 'vitest';
import { toInt16 } from './fingerprint.js';
import { PcmStore } from './pcm-store.js';

function ramp(from: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin((from + i) / 7) * 0.9);
}

/** Pushes 10 chunks of uneven sizes: 1000 samples of a known signal in all. */
function filled(store: PcmStore): Float32Array {
  const sizes = [1, 99, 250, 7, 143, 100, 200, 50, 100, 50];
  const all = ramp(0, 1000);
  let at = 0;
  for (const size of sizes) {
    store.push(all.subarray(at, at + size));
    at += size;
  }
  return all;
}

describe('PcmStore', () => {
  it.each([
    ['in memory', 10_000, 'memory'],
    ['on disk, past its memory limit', 300, 'disk'],
  ] as const)('gives back any range of what was pushed as int16, %s', (_, limit, location) => {
    const store = new PcmStore(limit);
    try {
      const all = filled(store);
      expect(store.location).toBe(location);
      expect(store.sampleCount).toBe(1000);
      for (const [from, to] of [[0, 1000], [0, 1], [99, 101], [345, 777], [999, 1000]] as const) {
        expect(Array.from(store.read(from, to))).toEqual(Array.from(all.subarray(from, to), toInt16));
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
