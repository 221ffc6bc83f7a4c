import { describe, expect, it } from 'vitest';
import { dbfsOf, levelAt, mapSound, windowsFor, type PeakEnvelope } from './silence.js';

/** An envelope of 100-sample windows from a picture: '#' a window peaking at 0.5, '.' one at 0.0001 (−80 dBFS). */
function envelope(picture: string, lastWindowSamples = 100): PeakEnvelope {
  const peak = Float32Array.from(picture, (c) => (c === '#' ? 0.5 : 0.0001));
  return { peak, windowSamples: 100, windowSeconds: 0.1, sampleCount: (peak.length - 1) * 100 + lastWindowSamples };
}

describe('mapSound', () => {
  it('finds the sound from the first to the last sounding window, leading and trailing silence outside', () => {
    expect(mapSound(envelope('...####..##....'), -70, 3).extent).toEqual({ startWindow: 3, endWindow: 11 });
  });

  it('lists the silent runs inside the sound that last at least the minimum as gaps', () => {
    const map = mapSound(envelope('##...#..#....##'), -70, 3);
    expect(map.gaps).toEqual([{ startWindow: 2, endWindow: 5 }, { startWindow: 9, endWindow: 13 }]);
  });

  it('finds nothing in a file that never reaches the threshold', () => {
    expect(mapSound(envelope('......'), -70, 1)).toEqual({ extent: null, gaps: [], soundSeconds: 0 });
    expect(mapSound(envelope(''), -70, 1).extent).toBeNull();
  });

  it('judges by the threshold given: −80 dBFS windows sound at a −90 threshold', () => {
    expect(mapSound(envelope('..##..'), -90, 1).extent).toEqual({ startWindow: 0, endWindow: 6 });
  });

  it('counts sound by the samples each window holds, so a short last window counts short', () => {
    expect(mapSound(envelope('.##'), -70, 1).soundSeconds).toBeCloseTo(0.2, 12);
    expect(mapSound(envelope('.##', 37), -70, 1).soundSeconds).toBeCloseTo(0.137, 12);
    expect(mapSound(envelope('#', 62), -70, 1).soundSeconds).toBeCloseTo(0.062, 12);
  });
});

describe('levels', () => {
  it('converts dBFS to a linear peak and back', () => {
    expect(levelAt(-60)).toBeCloseTo(0.001, 15);
    expect(dbfsOf(0.001)).toBeCloseTo(-60, 12);
    expect(dbfsOf(0)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('counts the windows a duration needs, without float noise adding one', () => {
    expect(windowsFor(0.5, 0.1)).toBe(5);
    expect(windowsFor(0.27, 0.03)).toBe(9);
    expect(windowsFor(0.51, 0.1)).toBe(6);
    expect(windowsFor(0.0001, 0.1)).toBe(1);
  });
});
