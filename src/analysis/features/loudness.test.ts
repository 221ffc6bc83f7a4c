import { describe, expect, it } from 'vitest';
import { kWeighting, LoudnessMeter } from './loudness.js';

/** `seconds` of a sine of `peak` (1 = full scale) at `hz`. */
function sine(hz: number, peak: number, sampleRate: number, seconds: number): Float32Array {
  const samples = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < samples.length; i++) samples[i] = peak * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return samples;
}

function measured(samples: Float32Array, sampleRate: number) {
  const meter = new LoudnessMeter(sampleRate);
  meter.push(samples);
  return meter.finish();
}

const dbfs = (db: number) => 10 ** (db / 20);

describe('kWeighting', () => {
  it('at 48 kHz, is the filter ITU-R BS.1770-4 publishes (its Tables 1 and 2)', () => {
    const [shelf, highPass] = kWeighting(48000);
    const published = { b0: 1.53512485958697, b1: -2.69169618940638, b2: 1.19839281085285, a1: -1.69065929318241, a2: 0.73248077421585 };
    for (const [name, value] of Object.entries(published)) expect(shelf[name as keyof typeof shelf], name).toBeCloseTo(value, 12);
    expect(highPass.a1).toBeCloseTo(-1.99004745483398, 12);
    expect(highPass.a2).toBeCloseTo(0.99007225036621, 12);
  });
});

describe('LoudnessMeter', () => {
  // BS.1770-4: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS.
  it.each([[0, -3.01], [-20, -23.01]])('reads a 997 Hz sine at %i dBFS as %f LUFS at 48 kHz, and within 0.05 LU of that at 11025 Hz', (level, lufs) => {
    expect(measured(sine(997, dbfs(level), 48000, 5), 48000).integratedLufs).toBeCloseTo(lufs, 2);
    expect(Math.abs(measured(sine(997, dbfs(level), 11025, 5), 11025).integratedLufs! - lufs)).toBeLessThanOrEqual(0.05);
  });

  it('gives no loudness for silence, nor for a signal under the absolute gate (-70 LUFS)', () => {
    expect(measured(new Float32Array(11025 * 5), 11025)).toEqual({ integratedLufs: null, rangeLu: 0, dynamicComplexity: 0 });
    expect(measured(sine(997, dbfs(-75), 11025, 5), 11025).integratedLufs).toBeNull();
  });

  it('gates out what is more than 10 LU under the ungated loudness: a quiet stretch does not lower the loudness', () => {
    const loudThenQuiet = new Float32Array(11025 * 20);
    loudThenQuiet.set(sine(997, dbfs(-20), 11025, 10));
    loudThenQuiet.set(sine(997, dbfs(-50), 11025, 10), 11025 * 10);
    // The loud half alone reads -22.97; both halves' power mean would be 3 dB under it. The few blocks
    // that straddle the step pass the gate.
    expect(Math.abs(measured(loudThenQuiet, 11025).integratedLufs! + 22.97)).toBeLessThanOrEqual(0.1);
  });

  it('gives a tone that steps between two levels 10 dB apart a loudness range of 10 LU, and one that holds its level none', () => {
    const steps = new Float32Array(11025 * 60);
    for (let start = 0; start < 60; start += 10) steps.set(sine(997, dbfs(start % 20 === 0 ? -20 : -30), 11025, 10), 11025 * start);
    const stepped = measured(steps, 11025);
    expect(Math.abs(stepped.rangeLu - 10)).toBeLessThanOrEqual(0.1);
    expect(stepped.dynamicComplexity).toBeGreaterThan(3);
    expect(measured(sine(997, dbfs(-20), 11025, 60), 11025).rangeLu).toBeLessThan(0.01);
  });

  it('measures the same fed in chunks of any size as all at once', () => {
    const tone = sine(440, 0.3, 11025, 12).map((x, i) => x * (1 + 0.5 * Math.sin(i / 3000)));
    const chunked = new LoudnessMeter(11025);
    for (let start = 0; start < tone.length; start += 997) chunked.push(tone.subarray(start, start + 997));
    expect(chunked.finish()).toEqual(measured(tone, 11025));
  });
});
