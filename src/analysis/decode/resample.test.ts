import { describe, expect, it } from 'vitest';
import { Resampler } from './resample.js';

function tone(frequency: number, rate: number, length: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
}

function resampleAll(input: Float32Array, from: number, to: number, pieces: number[] = [input.length]): Float32Array {
  const resampler = new Resampler(from, to);
  const parts: Float32Array[] = [];
  let at = 0;
  for (let i = 0; at < input.length; i++) {
    const size = pieces[i % pieces.length] ?? input.length;
    parts.push(resampler.push(input.subarray(at, at + size)));
    at += size;
  }
  parts.push(resampler.flush());
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** RMS in dBFS of the middle of a signal (away from the edges' zero padding). */
function middleRmsDb(samples: Float32Array): number {
  const middle = samples.subarray(Math.floor(samples.length / 4), Math.floor((3 * samples.length) / 4));
  const power = middle.reduce((sum, value) => sum + value * value, 0) / middle.length;
  return 10 * Math.log10(power);
}

const sineRmsDb = 20 * Math.log10(0.5 / Math.SQRT2);

describe('Resampler', () => {
  it('gives ceil(n·out/in) samples, the same whatever the input chunks', () => {
    const input = tone(1000, 44100, 44100 + 7);
    const whole = resampleAll(input, 44100, 11025);
    const chunked = resampleAll(input, 44100, 11025, [1, 333, 4096, 17, 10000]);
    expect(whole.length).toBe(Math.ceil((44107 * 11025) / 44100));
    expect(chunked).toEqual(whole);
  });

  it('keeps the level of a tone in the passband', () => {
    expect(middleRmsDb(resampleAll(tone(1000, 44100, 44100), 44100, 11025))).toBeCloseTo(sineRmsDb, 2);
    expect(middleRmsDb(resampleAll(tone(4000, 48000, 48000), 48000, 11025))).toBeCloseTo(sineRmsDb, 1);
  });

  it('removes a tone above the new Nyquist frequency instead of folding it back', () => {
    expect(middleRmsDb(resampleAll(tone(7000, 44100, 44100), 44100, 11025))).toBeLessThan(sineRmsDb - 70);
  });

  it('keeps DC at unit gain', () => {
    const out = resampleAll(new Float32Array(44100).fill(0.25), 44100, 11025);
    expect(out[5000]).toBeCloseTo(0.25, 5);
  });

  it('keeps a click at its time: output k is centred on input k·in/out', () => {
    const input = new Float32Array(44100);
    input[4000] = 1;
    const out = resampleAll(input, 44100, 11025);
    const peak = out.reduce((best, value, i) => (Math.abs(value) > Math.abs(out[best] ?? 0) ? i : best), 0);
    expect(peak).toBe(1000);
  });

  it('handles ratios that reduce to more phases than it tabulates, and upsampling', () => {
    const odd = resampleAll(tone(1000, 44056, 44056), 44056, 11025, [999]);
    expect(odd.length).toBe(11025);
    expect(middleRmsDb(odd)).toBeCloseTo(sineRmsDb, 1);
    const up = resampleAll(tone(1000, 8000, 8000), 8000, 11025, [123]);
    expect(up.length).toBe(11025);
    expect(middleRmsDb(up)).toBeCloseTo(sineRmsDb, 1);
  });

  it('passes samples through when the rates are equal', () => {
    const input = tone(440, 11025, 500);
    expect(resampleAll(input, 11025, 11025, [100])).toEqual(input);
  });

  it('refuses input after flush', () => {
    const resampler = new Resampler(44100, 11025);
    resampler.flush();
    expect(() => resampler.push(new Float32Array(10))).toThrow(/after flush/);
    expect(resampler.flush().length).toBe(0);
  });
});
