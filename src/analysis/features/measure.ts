/**
 * A passage's audio descriptors (stored/additional-metadata.ts `AudioFeatures`, defined in
 * docs/flavor.md), measured in one pass over the samples the analysis already keeps (no second
 * decode): the K-weighted loudness and the 10 ms amplitude for danceability of every sample; short
 * spectra for the onset envelope and the tempo, 23 ms every 17.4 ms (57 a second), of the signal at
 * half the rate (each pair of samples averaged: what lies above 2.7 kHz folds down rather than
 * vanishing); and long ones for the key and the brightness, 0.37 s (4096 samples, fine enough to
 * tell semitones apart from C2) every 1.1 s, a third of the passage: of 34 real pieces, 30 keep the
 * key every frame gives, and 4 ambiguous ones move to a neighbouring key (strengths 0.55-0.77); the
 * brightness moves by at most 5 %. The sizes keep the descriptors within the 15 % of the analysis's CPU they may
 * add (bench:analysis and bench:flavor print it). Measured on 31 real pieces against aubio's tempo
 * (test/integration/audio-features.test.ts): onset spectra of the full-rate signal (256 samples
 * every 128) cost half as much again of the descriptors' CPU and agree on one more piece; every
 * 11.6 ms instead of 17.4, on one fewer; a proper half-band filter instead of the pairs' mean gains
 * nothing.
 */
import type { AudioFeatures } from '../../stored/additional-metadata.js';
import { DanceabilityMeter } from './danceability.js';
import { Framer } from './frames.js';
import { LoudnessMeter } from './loudness.js';
import { countOnsets, estimateTempo, OnsetEnvelope } from './rhythm.js';
import { MagnitudeSpectrum } from './spectrum.js';
import { Chromagram, estimateKey } from './tonality.js';

/** The onset spectra are taken at the analysis rate over this. */
const onsetDecimation = 2;
const shortFrame = 128;
const shortHop = 96;
const longFrame = 4096;
const longHop = 12288;
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
  private halved = new Float32Array(0);
  private leftOver: number | null = null;

  constructor(private readonly sampleRate: number) {
    this.loudness = new LoudnessMeter(sampleRate);
    this.danceability = new DanceabilityMeter(sampleRate);
    const short = new MagnitudeSpectrum(shortFrame);
    this.onsets = new OnsetEnvelope(shortFrame / 2 + 1, sampleRate / onsetDecimation / shortFrame);
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
    this.shortFrames.push(this.halfRate(floats));
    this.longFrames.push(floats);
  }

  finish(): AudioFeatures {
    const framesPerSecond = this.sampleRate / onsetDecimation / shortHop;
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

  /** Each pair of samples averaged (a sample left over waits for the next push). */
  private halfRate(samples: Float32Array): Float32Array {
    if (this.halved.length < (samples.length >> 1) + 1) this.halved = new Float32Array((samples.length >> 1) + 1);
    const out = this.halved;
    let i = 0;
    let o = 0;
    if (this.leftOver !== null && samples.length > 0) {
      out[o++] = (this.leftOver + samples[0]!) / 2;
      this.leftOver = null;
      i = 1;
    }
    for (; i + 1 < samples.length; i += 2) out[o++] = (samples[i]! + samples[i + 1]!) / 2;
    if (i < samples.length) this.leftOver = samples[i]!;
    return out.subarray(0, o);
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
