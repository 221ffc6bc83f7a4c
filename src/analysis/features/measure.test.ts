import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/seeded-random.js';
import { AudioFeatureMeter, measureAudioFeatures } from './measure.js';

const rate = 11025;

/** 40 s of a kick-like burst at 120 BPM over an A minor chord and a little noise, as int16. */
function music(): Int16Array {
  const random = seededRandom(7);
  const out = new Int16Array(40 * rate);
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const sinceBeat = t % 0.5;
    const kick = Math.exp(-sinceBeat * 30) * Math.sin(2 * Math.PI * 60 * sinceBeat);
    const chord = [220, 261.63, 329.63].reduce((sum, hz) => sum + Math.sin(2 * Math.PI * hz * t), 0) / 3;
    out[i] = Math.round(32767 * (0.5 * kick + 0.2 * chord + 0.02 * (random() - 0.5)));
  }
  return out;
}

describe('AudioFeatureMeter', () => {
  it('measures the same whatever the chunks the samples come in (odd sizes included), as int16 or as floats', () => {
    const samples = music();
    const whole = measureAudioFeatures(samples, rate);
    for (const size of [1, 333, 4097, 65536]) {
      const meter = new AudioFeatureMeter(rate);
      for (let at = 0; at < samples.length; at += size) meter.push(samples.subarray(at, at + size));
      expect(meter.finish(), `chunks of ${size}`).toEqual(whole);
    }
    const floats = Float32Array.from(samples, (s) => s / 32768);
    expect(measureAudioFeatures(floats, rate)).toEqual(whole);
  });

  it('finds what was made: the beat, the chord\'s key', () => {
    const features = measureAudioFeatures(music(), rate);
    expect(features.bpm).toBeCloseTo(120, 0);
    expect([features.key, features.mode]).toEqual(['A', 'minor']);
    expect(features.loudness_lufs).toBeLessThan(0);
  });

  it('keeps danceability on its scale for a held tone, whose amplitude is strictly periodic (1/α without bound: 969 unclamped)', () => {
    const tone = Float32Array.from({ length: 30 * rate }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate));
    expect(measureAudioFeatures(tone, rate).danceability).toBeLessThanOrEqual(3);
  });

  it('measures nothing of silence', () => {
    expect(measureAudioFeatures(new Int16Array(20 * rate), rate)).toEqual({
      bpm: null, bpm_confidence: 0, key: null, mode: null, key_strength: 0, loudness_lufs: null, loudness_range_lu: 0,
      spectral_centroid_hz: 0, onset_rate: 0, dynamic_complexity: 0, danceability: 0,
    });
  });
});
