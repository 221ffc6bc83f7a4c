/**
 * A passage's audio descriptors (stored/additional-metadata.ts `AudioFeatures`, defined in
 * docs/flavor.md), measured in one pass over the samples the analysis already keeps (no second
 * decode): the K-weighted loudness, the 10 ms amplitude for danceability, short spectra (256
 * samples every 128: 23 ms, 86 a second) for the onset envelope and the tempo, and long ones (4096
 * samples, back to back: 0.37 s, fine enough to tell semitones apart from C2) for the key and the
 * brightness. The sizes are fft.js's cheapest for the purpose: the descriptors cost about a tenth
 * of the analysis (bench:analysis).
 */
import type { AudioFeatures } from '../../stored/additional-metadata.js';
import { DanceabilityMeter } from './danceability.js';
import { Framer } from './frames.js';
import { LoudnessMeter } from './loudness.js';
import { countOnsets, estimateTempo, OnsetEnvelope } from './rhythm.js';
import { MagnitudeSpectrum } from './spectrum.js';
import { Chromagram, estimateKey } from './tonality.js';

const shortFrame = 256;
const shortHop = 128;
const longFrame = 4096;
const longHop = 4096;
/** Frames quieter than this (RMS, −60 dBFS) have no brightness worth counting. */
const quietMeanSquare = 1e-6;

export class AudioFeatureMeter {
  private readonly loudness: LoudnessMeter;
  private readonly danceability: DanceabilityMeter;
  private readonly shortFrames: Framer;
  private readonly longFrames: Framer;
  private readonly onsets: OnsetEnvelope;
  private readonly chroma: Chromagram;
  private samples = 0;
  private centroidSum = 0;
  private centroidFrames = 0;
  private buffer = new Float32Array(0);

  constructor(private readonly sampleRate: number) {
    this.loudness = new LoudnessMeter(sampleRate);
    this.danceability = new DanceabilityMeter(sampleRate);
    const short = new MagnitudeSpectrum(shortFrame);
    this.onsets = new OnsetEnvelope(shortFrame / 2 + 1, sampleRate / shortFrame);
    this.shortFrames = new Framer(shortFrame, shortHop, (frame) => this.onsets.push(short.of(frame)));
    const long = new MagnitudeSpectrum(longFrame);
    this.chroma = new Chromagram(longFrame, sampleRate);
    this.longFrames = new Framer(longFrame, longHop, (frame) => {
      const magnitudes = long.of(frame);
      this.chroma.push(magnitudes);
      this.addCentroid(frame, magnitudes, sampleRate / longFrame);
    });
  }

  /** Samples as the PcmStore keeps them (int16), or in [-1, 1]. */
  push(samples: Int16Array | Float32Array): void {
    const floats = samples instanceof Float32Array ? samples : this.scaled(samples);
    this.samples += floats.length;
    this.loudness.push(floats);
    this.danceability.push(floats);
    this.shortFrames.push(floats);
    this.longFrames.push(floats);
  }

  finish(): AudioFeatures {
    const framesPerSecond = this.sampleRate / shortHop;
    const tempo = estimateTempo(this.onsets.values, framesPerSecond);
    const key = estimateKey(this.chroma.sums);
    const loudness = this.loudness.finish();
    const seconds = this.samples / this.sampleRate;
    return {
      bpm: tempo?.bpm ?? null,
      bpm_confidence: tempo?.confidence ?? 0,
      key: key?.key ?? null,
      mode: key?.mode ?? null,
      key_strength: key?.strength ?? 0,
      loudness_lufs: loudness.integratedLufs,
      loudness_range_lu: loudness.rangeLu,
      spectral_centroid_hz: this.centroidFrames === 0 ? 0 : Math.round(this.centroidSum / this.centroidFrames),
      onset_rate: seconds > 0 ? Math.round((countOnsets(this.onsets.values, framesPerSecond) / seconds) * 100) / 100 : 0,
      dynamic_complexity: loudness.dynamicComplexity,
      danceability: this.danceability.finish(),
    };
  }

  private addCentroid(frame: Float32Array, magnitudes: Float32Array, binHz: number): void {
    let meanSquare = 0;
    for (let i = 0; i < frame.length; i++) meanSquare += frame[i]! * frame[i]!;
    if (meanSquare / frame.length < quietMeanSquare) return;
    let weighted = 0;
    let total = 0;
    for (let k = 1; k < magnitudes.length; k++) {
      weighted += k * binHz * magnitudes[k]!;
      total += magnitudes[k]!;
    }
    if (total > 0) {
      this.centroidSum += weighted / total;
      this.centroidFrames++;
    }
  }

  private scaled(samples: Int16Array): Float32Array {
    if (this.buffer.length < samples.length) this.buffer = new Float32Array(samples.length);
    const out = this.buffer.subarray(0, samples.length);
    for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / 32768;
    return out;
  }
}

/** The descriptors of samples held in memory: for tests and the calibration script. */
export function measureAudioFeatures(samples: Int16Array | Float32Array, sampleRate: number): AudioFeatures {
  const meter = new AudioFeatureMeter(sampleRate);
  meter.push(samples);
  return meter.finish();
}
