/**
 * Envelopes of a streamed mono signal, one value per fixed window: the peak (silence and song
 * boundaries), the plain RMS and the RMS of the A-weighted signal (lead-in / lead-out). Chunks of
 * any length go in; memory grows with the number of windows only, never with the number of samples.
 */
import { createAWeightingFilter, type AWeightingFilter } from './a-weighting.js';

export interface EnvelopeOptions {
  /** Analysis sample rate R of the samples pushed, in Hz. */
  sampleRate: number;
  /** Window length; the window holds round(R · windowMs / 1000) samples. */
  windowMs: number;
}

export interface Envelope {
  windowSamples: number;
  /** windowSamples / sampleRate: window i starts at i · windowSeconds. */
  windowSeconds: number;
  /** Samples pushed in all; the last window may be partial. */
  sampleCount: number;
  /** Largest absolute sample per window: what silence is judged by (see silence.ts). */
  peak: Float32Array;
  /** Plain RMS per window, the last (partial) window over the samples it has. */
  rms: Float32Array;
  /** RMS of the A-weighted signal per window, likewise. */
  aWeightedRms: Float32Array;
}

/** 20·log10(rms): 0 dBFS is an RMS of 1 (a full-scale square wave; a full-scale sine is −3.01). */
export function toDbfs(rms: number): number {
  return 20 * Math.log10(rms);
}

/** A Float32Array that doubles as it fills. */
class GrowingSeries {
  private values = new Float32Array(1024);
  private length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  toArray(): Float32Array {
    return this.values.slice(0, this.length);
  }
}

export class EnvelopeBuilder {
  readonly windowSamples: number;
  private readonly sampleRate: number;
  private readonly aWeighting: AWeightingFilter;
  private readonly peak = new GrowingSeries();
  private readonly rms = new GrowingSeries();
  private readonly aWeightedRms = new GrowingSeries();
  private sampleCount = 0;
  private inWindow = 0;
  private sumSquares = 0;
  private aWeightedSumSquares = 0;
  private peakInWindow = 0;

  constructor({ sampleRate, windowMs }: EnvelopeOptions) {
    const windowSamples = Math.round((sampleRate * windowMs) / 1000);
    if (!Number.isFinite(windowSamples) || windowSamples < 1) {
      throw new RangeError(`Expected \`windowMs\` to hold at least one sample at ${sampleRate} Hz, got \`${windowMs}\``);
    }
    this.windowSamples = windowSamples;
    this.sampleRate = sampleRate;
    this.aWeighting = createAWeightingFilter(sampleRate);
  }

  push(samples: Float32Array): void {
    const weighted = this.aWeighting.process(samples);
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      const w = weighted[i]!;
      const magnitude = x < 0 ? -x : x;
      if (magnitude > this.peakInWindow) this.peakInWindow = magnitude;
      this.sumSquares += x * x;
      this.aWeightedSumSquares += w * w;
      if (++this.inWindow === this.windowSamples) this.closeWindow();
    }
    this.sampleCount += samples.length;
  }

  finish(): Envelope {
    if (this.inWindow > 0) this.closeWindow();
    return {
      windowSamples: this.windowSamples,
      windowSeconds: this.windowSamples / this.sampleRate,
      sampleCount: this.sampleCount,
      peak: this.peak.toArray(),
      rms: this.rms.toArray(),
      aWeightedRms: this.aWeightedRms.toArray(),
    };
  }

  private closeWindow(): void {
    this.peak.push(this.peakInWindow);
    this.rms.push(Math.sqrt(this.sumSquares / this.inWindow));
    this.aWeightedRms.push(Math.sqrt(this.aWeightedSumSquares / this.inWindow));
    this.inWindow = 0;
    this.sumSquares = 0;
    this.aWeightedSumSquares = 0;
    this.peakInWindow = 0;
  }
}
