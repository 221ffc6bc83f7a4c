import { describe, expect, it } from 'vitest';
import { createAWeightingFilter } from './a-weighting.js';

function sine(hz: number, sampleRate: number, seconds: number): Float32Array {
  const samples = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return samples;
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / samples.length);
}

/** Steady-state gain: 2 s of tone through the filter, RMS ratio over the last second. */
function gainDb(hz: number, sampleRate: number): number {
  const input = sine(hz, sampleRate, 2);
  const output = createAWeightingFilter(sampleRate).process(input);
  return 20 * Math.log10(rms(output.subarray(sampleRate)) / rms(input.subarray(sampleRate)));
}

/** Deterministic white noise in [−1, 1) (mulberry32). */
function noise(length: number, seed: number): Float32Array {
  let state = seed;
  const samples = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    samples[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return samples;
}

const rates = [8000, 11025, 22050, 44100, 48000];

describe('createAWeightingFilter', () => {
  it.each(rates)('passes 1 kHz at 0 dB at %i Hz', (sampleRate) => {
    expect(Math.abs(gainDb(1000, sampleRate))).toBeLessThan(0.1);
  });

  it.each(rates)('attenuates 100 Hz by 19.1 dB at %i Hz', (sampleRate) => {
    expect(Math.abs(gainDb(100, sampleRate) - -19.1)).toBeLessThan(0.5);
  });

  it.each(rates)('attenuates 50 Hz by 30.2 dB at %i Hz', (sampleRate) => {
    expect(Math.abs(gainDb(50, sampleRate) - -30.2)).toBeLessThan(0.5);
  });

  it.each([44100, 48000])('attenuates 10 kHz by 2.5 dB at %i Hz', (sampleRate) => {
    expect(Math.abs(gainDb(10_000, sampleRate) - -2.5)).toBeLessThan(1);
  });

  it('keeps the in-band effect of the 12.2 kHz poles that lie above Nyquist at 11025 Hz', () => {
    // IEC 61672 gives +0.96 dB at 4 kHz, of which −0.9 dB comes from the 12.2 kHz pair.
    expect(Math.abs(gainDb(4000, 11025) - 0.96)).toBeLessThan(0.3);
  });

  it('gives exactly the one-shot output when the stream comes in uneven chunks', () => {
    const input = noise(50_000, 7);
    const oneShot = createAWeightingFilter(11025).process(input);
    const filter = createAWeightingFilter(11025);
    const parts: Float32Array[] = [];
    for (let at = 0, size = 1; at < input.length; at += size, size = (size * 7 + 3) % 4001) {
      parts.push(filter.process(input.subarray(at, at + size)));
    }
    const chunked = new Float32Array(input.length);
    parts.reduce((offset, part) => (chunked.set(part, offset), offset + part.length), 0);
    expect(parts.length).toBeGreaterThan(10);
    expect(chunked).toEqual(oneShot);
  });

  it('rejects a sample rate whose Nyquist frequency is not above 1 kHz', () => {
    expect(() => createAWeightingFilter(2000)).toThrow(/`sampleRate`.*above 2000 Hz.*`2000`/);
    expect(() => createAWeightingFilter(Number.NaN)).toThrow(RangeError);
  });
});
