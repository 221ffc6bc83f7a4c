import { describe, expect, it } from 'vitest';
import { EnvelopeBuilder, toDbfs } from './envelope.js';

function sine(hz: number, sampleRate: number, seconds: number, amplitude = 0.5): Float32Array {
  const samples = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < samples.length; i++) samples[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return samples;
}

/** Pushes `samples` in chunks of uneven sizes (1, 10, 73, …) and finishes. */
function envelopeOf(samples: Float32Array, sampleRate: number, windowMs = 100) {
  const builder = new EnvelopeBuilder({ sampleRate, windowMs });
  for (let at = 0, size = 1; at < samples.length; at += size, size = (size * 7 + 3) % 5003) {
    builder.push(samples.subarray(at, at + size));
  }
  return builder.finish();
}

describe('EnvelopeBuilder', () => {
  it.each([
    [8000, 800],
    [11025, 1103],
    [22050, 2205],
    [44100, 4410],
    [48000, 4800],
  ])('makes a 100 ms window of round(R / 10) samples at %i Hz', (sampleRate, windowSamples) => {
    const envelope = envelopeOf(sine(1000, sampleRate, 1), sampleRate);
    expect(envelope.windowSamples).toBe(windowSamples);
    expect(envelope.windowSeconds).toBe(windowSamples / sampleRate);
    expect(envelope.rms.length).toBe(Math.ceil(sampleRate / windowSamples));
  });

  it('scales the window to the sample rate for other window lengths', () => {
    expect(new EnvelopeBuilder({ sampleRate: 11025, windowMs: 50 }).windowSamples).toBe(551);
    expect(new EnvelopeBuilder({ sampleRate: 48000, windowMs: 250 }).windowSamples).toBe(12000);
  });

  it('gives the RMS of each window: amplitude / √2 for a sine', () => {
    const { rms } = envelopeOf(sine(440, 11025, 3, 0.5), 11025);
    for (const value of rms.subarray(0, -1)) expect(value).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });

  it('includes the last partial window, with the RMS of the samples it has', () => {
    const samples = new Float32Array(800 * 2 + 200).fill(0.25);
    samples.fill(0.5, 1600);
    const envelope = envelopeOf(samples, 8000);
    expect(Array.from(envelope.rms)).toEqual([0.25, 0.25, 0.5]);
    expect(envelope.sampleCount).toBe(1800);
  });

  it('gives the same envelopes whatever the chunking', () => {
    const samples = sine(3000, 11025, 2);
    const whole = new EnvelopeBuilder({ sampleRate: 11025, windowMs: 100 });
    whole.push(samples);
    const oneShot = whole.finish();
    const chunked = envelopeOf(samples, 11025);
    expect(chunked.rms).toEqual(oneShot.rms);
    expect(chunked.aWeightedRms).toEqual(oneShot.aWeightedRms);
  });

  it('leaves a 1 kHz tone unchanged by A-weighting', () => {
    const { rms, aWeightedRms } = envelopeOf(sine(1000, 11025, 2), 11025);
    for (let i = 1; i < rms.length - 1; i++) expect(aWeightedRms[i]! / rms[i]!).toBeCloseTo(1, 2);
  });

  it('sets a 50 Hz tone 30 dB lower in the A-weighted envelope', () => {
    const { rms, aWeightedRms } = envelopeOf(sine(50, 11025, 2), 11025);
    const i = rms.length - 2;
    expect(toDbfs(aWeightedRms[i]!) - toDbfs(rms[i]!)).toBeCloseTo(-30.2, 0);
  });

  it('gives empty envelopes for an empty stream', () => {
    const envelope = new EnvelopeBuilder({ sampleRate: 11025, windowMs: 100 }).finish();
    expect(envelope.rms.length).toBe(0);
    expect(envelope.aWeightedRms.length).toBe(0);
    expect(envelope.sampleCount).toBe(0);
  });

  it('keeps windows past the first growth of its storage', () => {
    const { rms } = envelopeOf(new Float32Array(2000 * 800).fill(0.125), 8000);
    expect(rms.length).toBe(2000);
    expect(rms.every((value) => value === 0.125)).toBe(true);
  });

  it('rejects a window shorter than one sample', () => {
    expect(() => new EnvelopeBuilder({ sampleRate: 8000, windowMs: 0.01 })).toThrow(/`windowMs`.*8000 Hz.*`0.01`/);
  });
});

describe('toDbfs', () => {
  it('reads an RMS of 1 as 0 dBFS and 0.01 as −40 dBFS', () => {
    expect(toDbfs(1)).toBe(0);
    expect(toDbfs(0.01)).toBeCloseTo(-40, 10);
    expect(toDbfs(0)).toBe(-Infinity);
  });
});
