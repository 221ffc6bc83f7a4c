import { describe, expect, it } from 'vitest';
import { amplitudeEnvelope, defaultAmplitudeOptions, findLeadIn, findLeadOut, type AmplitudeOptions } from './amplitude.js';
import { EnvelopeBuilder } from './envelope.js';

const opts: AmplitudeOptions = { ...defaultAmplitudeOptions };
const WINDOW = 0.1;
/** 10^(−12/20): the default lead threshold as a fraction of peak RMS. */
const MINUS_12_DB = 10 ** (-12 / 20);

/**
 * The envelope of a linear amplitude ramp from 0 to 1 over `rampSeconds`, then `steadySeconds` at
 * 1: each window holds the ramp's value at its middle, so the first window reaching a fraction f
 * of the peak starts within one window before f·rampSeconds.
 */
function rampEnvelope(rampSeconds: number, steadySeconds: number): Float32Array {
  const windows = Math.round((rampSeconds + steadySeconds) / WINDOW);
  return Float32Array.from({ length: windows }, (_, k) => Math.min(1, ((k + 0.5) * WINDOW) / rampSeconds));
}

describe('findLeadIn', () => {
  it('puts the lead-in of an 8 s linear ramp at the −12 dB point, 0.251 · 8 s ≈ 2.01 s', () => {
    const lead = findLeadIn(rampEnvelope(8, 10), WINDOW, opts);
    expect(lead.quickRamp).toBe(false);
    expect(Math.abs(lead.seconds - 8 * MINUS_12_DB)).toBeLessThanOrEqual(WINDOW);
  });

  it('follows the lead-in threshold: −6 dB puts the lead-in of an 8 s ramp at ≈ 4.01 s', () => {
    const lead = findLeadIn(rampEnvelope(8, 10), WINDOW, { ...opts, leadInThresholdDb: -6 });
    expect(Math.abs(lead.seconds - 8 * 10 ** (-6 / 20))).toBeLessThanOrEqual(WINDOW);
  });

  it('gives 0 for a quick ramp-up: a 0.5 s ramp reaches −5 dB within 1 s', () => {
    expect(findLeadIn(rampEnvelope(0.5, 10), WINDOW, opts)).toMatchObject({ seconds: 0, quickRamp: true });
  });

  it('uses −5 dB (0.562 · peak) as the quick-ramp level, not 0.75 · peak', () => {
    // A 1.6 s ramp reaches 0.562 · peak at 0.9 s (quick) but 0.75 · peak only at 1.2 s;
    // a 2 s ramp reaches 0.562 · peak at 1.1 s (not quick: lead-in at the −12 dB point, 0.5 s).
    expect(findLeadIn(rampEnvelope(1.6, 10), WINDOW, opts)).toMatchObject({ seconds: 0, quickRamp: true });
    expect(findLeadIn(rampEnvelope(2, 10), WINDOW, opts)).toMatchObject({ seconds: 0.5, quickRamp: false });
  });

  it('takes the quick-ramp level from quick_ramp_threshold as a fraction of intensity: the square of it, times the peak RMS', () => {
    const ramp = rampEnvelope(1.6, 10);
    // 0.75 → 0.5625 · peak, reached at 0.9 s: quick. √0.75 → 0.75 · peak, reached at 1.2 s: not quick.
    expect(findLeadIn(ramp, WINDOW, opts).quickRamp).toBe(true);
    const lead = findLeadIn(ramp, WINDOW, { ...opts, quickRampThreshold: Math.sqrt(0.75) });
    expect(lead).toMatchObject({ seconds: 0.4, quickRamp: false });
  });

  it('does not count a level first reached exactly quickRampDurationS after the start as a quick ramp', () => {
    // Windows 0–9 at 0.2 · peak (below −12 dB), then the peak from window 10, i.e. from 1.0 s.
    const step = Float32Array.from({ length: 40 }, (_, k) => (k < 10 ? 0.2 : 1));
    expect(findLeadIn(step, WINDOW, opts)).toMatchObject({ seconds: 1, quickRamp: false });
  });

  it('follows the quick-ramp duration', () => {
    expect(findLeadIn(rampEnvelope(2, 10), WINDOW, { ...opts, quickRampDurationS: 1.5 }).quickRamp).toBe(true);
  });

  it('caps the lead-in of a 40 s ramp (−12 dB at 10 s) at 5 s', () => {
    expect(findLeadIn(rampEnvelope(40, 10), WINDOW, opts)).toMatchObject({ seconds: 5, quickRamp: false });
    expect(findLeadIn(rampEnvelope(40, 10), WINDOW, { ...opts, maxLeadInDurationS: 8 }).seconds).toBe(8);
  });

  it('measures in windows of the given length', () => {
    const slow = findLeadIn(rampEnvelope(8, 10), 2 * WINDOW, opts);
    expect(Math.abs(slow.seconds - 16 * MINUS_12_DB)).toBeLessThanOrEqual(2 * WINDOW);
  });

  it('reports the peak RMS and the RMS the lead-in ends at', () => {
    const lead = findLeadIn(Float32Array.of(0.1, 0.2, 0.8, 0.4), WINDOW, opts);
    expect(lead.peak).toBeCloseTo(0.8, 6);
    expect(lead.thresholdRms).toBeCloseTo(0.8 * MINUS_12_DB, 6);
  });

  it('gives 0 for a passage at constant level, and for an empty envelope', () => {
    expect(findLeadIn(new Float32Array(50).fill(0.3), WINDOW, opts)).toMatchObject({ seconds: 0, quickRamp: true });
    expect(findLeadIn(new Float32Array(0), WINDOW, opts)).toEqual({ seconds: 0, quickRamp: false, peak: 0, thresholdRms: 0 });
  });
});

describe('findLeadOut', () => {
  it('mirrors the lead-in: an 8 s linear fade-out gives ≈ 2.01 s before the end', () => {
    const fade = rampEnvelope(8, 10).reverse();
    const lead = findLeadOut(fade, WINDOW, opts);
    expect(lead.quickRamp).toBe(false);
    expect(Math.abs(lead.seconds - 8 * MINUS_12_DB)).toBeLessThanOrEqual(WINDOW);
    expect(lead.seconds).toBe(findLeadIn(rampEnvelope(8, 10), WINDOW, opts).seconds);
  });

  it('counts from the end of the last window at the threshold to the passage end', () => {
    // 30 loud windows then 25 quiet ones: the last loud window ends 2.5 s before the end.
    const rms = Float32Array.from({ length: 55 }, (_, k) => (k < 30 ? 1 : 0.1));
    expect(findLeadOut(rms, WINDOW, opts)).toMatchObject({ seconds: 2.5, quickRamp: false });
  });

  it('gives 0 for a quick ramp-down, and caps a 40 s fade-out at the lead-out maximum', () => {
    expect(findLeadOut(rampEnvelope(0.5, 10).reverse(), WINDOW, opts)).toMatchObject({ seconds: 0, quickRamp: true });
    expect(findLeadOut(rampEnvelope(40, 10).reverse(), WINDOW, { ...opts, maxLeadOutDurationS: 3 }).seconds).toBe(3);
  });

  it('uses the lead-out threshold, not the lead-in one', () => {
    const fade = rampEnvelope(8, 10).reverse();
    const lead = findLeadOut(fade, WINDOW, { ...opts, leadInThresholdDb: -30, leadOutThresholdDb: -6 });
    expect(Math.abs(lead.seconds - 8 * 10 ** (-6 / 20))).toBeLessThanOrEqual(WINDOW);
  });
});

/**
 * Streamed synthetic PCM at 11025 Hz: `tones` summed, each a sine whose amplitude ramps linearly
 * from 0 to its level over `rampSeconds` (0: steady from the start), then a mirrored fade-out.
 */
function rampedPcm(tones: { hz: number; level: number; rampSeconds: number }[], steadySeconds: number) {
  const sampleRate = 11025;
  const longest = Math.max(...tones.map((t) => t.rampSeconds));
  const seconds = 2 * longest + steadySeconds;
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++) {
    const t = i / sampleRate;
    for (const tone of tones) {
      const edge = Math.min(t, seconds - t);
      const gain = tone.rampSeconds === 0 ? 1 : Math.min(1, edge / tone.rampSeconds);
      samples[i]! += tone.level * gain * Math.sin(2 * Math.PI * tone.hz * t);
    }
  }
  const builder = new EnvelopeBuilder({ sampleRate, windowMs: 100 });
  for (let at = 0; at < samples.length; at += 4096) builder.push(samples.subarray(at, at + 4096));
  return builder.finish();
}

describe('lead-in and lead-out on streamed synthetic PCM', () => {
  it('gives the same answer for a 1 kHz tone ramp with or without A-weighting', () => {
    const envelope = rampedPcm([{ hz: 1000, level: 0.5, rampSeconds: 8 }], 10);
    const answers = [true, false].map((applyAWeighting) => {
      const o = { ...opts, applyAWeighting };
      const rms = amplitudeEnvelope(envelope, o);
      return [findLeadIn(rms, envelope.windowSeconds, o).seconds, findLeadOut(rms, envelope.windowSeconds, o).seconds];
    });
    expect(answers[0]).toEqual(answers[1]);
    for (const seconds of answers[0]!) expect(Math.abs(seconds - 8 * MINUS_12_DB)).toBeLessThanOrEqual(envelope.windowSeconds);
  });

  it('hears past steady bass with A-weighting: a 1 kHz ramp over a 100 Hz drone has a lead-in only then', () => {
    // Plain RMS: the drone alone is at 0.71 · peak, above −5 dB, so the passage "ramps" at once.
    // A-weighted: the drone is 19 dB down and the 1 kHz ramp crosses −12 dB at about 1.8 s.
    const envelope = rampedPcm([{ hz: 100, level: 0.5, rampSeconds: 0 }, { hz: 1000, level: 0.5, rampSeconds: 8 }], 10);
    const plain = { ...opts, applyAWeighting: false };
    const weighted = { ...opts, applyAWeighting: true };
    expect(findLeadIn(amplitudeEnvelope(envelope, plain), envelope.windowSeconds, plain)).toMatchObject({ seconds: 0, quickRamp: true });
    const lead = findLeadIn(amplitudeEnvelope(envelope, weighted), envelope.windowSeconds, weighted);
    expect(lead.quickRamp).toBe(false);
    expect(Math.abs(lead.seconds - 1.8)).toBeLessThanOrEqual(2 * envelope.windowSeconds);
  });
});
