import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/seeded-random.js';
import { autocorrelation, countOnsets, estimateTempo } from './rhythm.js';

/** The analysis's onset envelope rate (measure.ts): 11025 Hz in hops of 128 samples. */
const framesPerSecond = 11025 / 128;

/** `seconds` of an envelope with a pulse on every beat, a beat being any number of frames (the pulse is shared by the two frames it falls between). */
function pulses(bpm: number, seconds: number, background: () => number = () => 0): number[] {
  const envelope = Array.from({ length: Math.round(seconds * framesPerSecond) }, background);
  const period = (60 * framesPerSecond) / bpm;
  for (let at = period / 3; at < envelope.length - 1; at += period) {
    const frame = Math.floor(at);
    envelope[frame]! += 10 * (1 - (at - frame));
    envelope[frame + 1]! += 10 * (at - frame);
  }
  return envelope;
}

describe('autocorrelation', () => {
  it('is Σ x[t]·x[t+lag] / (n − lag) of the mean-removed series, at every lag asked for that the series has', () => {
    const random = seededRandom(7);
    for (const length of [1, 2, 5, 100, 1000, 3001]) {
      const series = Float64Array.from({ length }, () => random() - 0.3);
      const mean = series.reduce((sum, x) => sum + x, 0) / length;
      const acf = autocorrelation(series, 522);
      expect(acf).toHaveLength(Math.min(523, length));
      acf.forEach((value, lag) => {
        let sum = 0;
        for (let t = 0; t + lag < length; t++) sum += (series[t]! - mean) * (series[t + lag]! - mean);
        expect(value).toBeCloseTo(sum / (length - lag), 12);
      });
    }
    expect(autocorrelation(new Float64Array(0), 10)).toHaveLength(0);
  });
});

describe('estimateTempo', () => {
  it.each([45, 72, 100, 128, 150, 165])('finds pulses at %i BPM within 1 per cent, though a beat is no whole number of frames', (bpm) => {
    const tempo = estimateTempo(pulses(bpm, 40), framesPerSecond);
    expect(Math.abs(tempo!.bpm / bpm - 1), `${tempo?.bpm} BPM`).toBeLessThanOrEqual(0.01);
    expect(tempo!.confidence).toBeGreaterThan(0.5);
  });

  it('counts pulses faster than 170 BPM (half an octave above 120) as the beat every other one', () => {
    expect(Math.abs(estimateTempo(pulses(210, 40), framesPerSecond)!.bpm / 105 - 1)).toBeLessThanOrEqual(0.01);
  });

  it('finds the beat under noise, and no beat in the noise alone', () => {
    const random = seededRandom(3);
    expect(estimateTempo(pulses(128, 40, () => 4 * random()), framesPerSecond)!.bpm).toBeCloseTo(128, 0);
    for (const seconds of [10, 30, 90]) {
      expect(estimateTempo(Array.from({ length: Math.round(seconds * framesPerSecond) }, () => 4 * random()), framesPerSecond)).toBeNull();
    }
  });

  it('prefers the beat that every bar repeats to the lag of one and a half beats a 3+3+2 rhythm repeats at', () => {
    // Accents on eighths 0, 3 and 6 of each bar of four (the tresillo), over a weaker pulse on every beat, at 125 BPM:
    // the envelope correlates with itself best one and a half beats later (83 BPM), but only the beat repeats every bar.
    const beat = (60 * framesPerSecond) / 125;
    const envelope = new Array<number>(Math.round(40 * framesPerSecond)).fill(0);
    for (let bar = 0; bar + 4 * beat < envelope.length; bar += 4 * beat) {
      for (const eighth of [0, 3, 6]) envelope[Math.round(bar + (eighth * beat) / 2)]! += 10;
      for (const quarter of [0, 1, 2, 3]) envelope[Math.round(bar + quarter * beat)]! += 5;
    }
    expect(Math.abs(estimateTempo(envelope, framesPerSecond)!.bpm / 125 - 1)).toBeLessThanOrEqual(0.01);
  });

  it('gives no tempo for a flat envelope or one shorter than four beats at 40 BPM', () => {
    expect(estimateTempo(new Array<number>(2000).fill(1), framesPerSecond)).toBeNull();
    expect(estimateTempo(pulses(120, 5), framesPerSecond)).toBeNull();
  });
});

describe('countOnsets', () => {
  it('counts each pulse once', () => {
    expect(countOnsets(pulses(100, 30), framesPerSecond)).toBe(50);
  });
});
