/**
 * The key: a chromagram (the spectrum's energy folded onto the twelve pitch classes, C2 to C7),
 * summed over the passage, correlated with the Krumhansl–Kessler profiles of the 24 major and minor
 * keys; the best is the key, its correlation the key's strength.
 */
import { pitchClasses, type PitchClass } from '../../stored/additional-metadata.js';

/** Krumhansl & Kessler's probe-tone ratings (1982), from the tonic up. */
const majorProfile = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const minorProfile = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

const lowestHz = 65.4; // C2
const highestHz = 2093; // C7

export class Chromagram {
  /** Energy per pitch class, C first, summed over the frames. */
  readonly sums = new Float64Array(12);
  /** The bins from C2 to C7, each bin's pitch class and weight (1 on a semitone, 0 half-way between two). */
  private readonly firstBin: number;
  private readonly pitchClassOf: Uint8Array;
  private readonly weightOf: Float64Array;
  private readonly frame = new Float64Array(12);

  constructor(spectrumSize: number, sampleRate: number) {
    const binHz = sampleRate / spectrumSize;
    this.firstBin = Math.ceil(lowestHz / binHz);
    const count = Math.max(0, Math.min(spectrumSize / 2, Math.floor(highestHz / binHz)) - this.firstBin + 1);
    this.pitchClassOf = new Uint8Array(count);
    this.weightOf = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const midi = 69 + 12 * Math.log2(((this.firstBin + i) * binHz) / 440);
      const nearest = Math.round(midi);
      this.pitchClassOf[i] = ((nearest % 12) + 12) % 12;
      this.weightOf[i] = Math.cos(Math.PI * (midi - nearest)) ** 2;
    }
  }

  /** One frame's magnitudes; each frame counts alike (normalised to its strongest class), so loud parts don't decide alone. */
  push(magnitudes: Float32Array): void {
    this.frame.fill(0);
    const { firstBin, pitchClassOf, weightOf } = this;
    for (let i = 0; i < pitchClassOf.length; i++) {
      const magnitude = magnitudes[firstBin + i]!;
      this.frame[pitchClassOf[i]!]! += weightOf[i]! * magnitude * magnitude;
    }
    let strongest = 0;
    for (const value of this.frame) strongest = Math.max(strongest, value);
    if (strongest < 1e-9) return;
    for (let c = 0; c < 12; c++) this.sums[c]! += this.frame[c]! / strongest;
  }
}

export interface Key {
  key: PitchClass;
  mode: 'major' | 'minor';
  /** Pearson correlation of the chroma with the key's profile, 0-1. */
  strength: number;
}

/** The best of the 24 keys for a summed chroma; null when it holds nothing. */
export function estimateKey(chroma: Float64Array): Key | null {
  if (!chroma.some((value) => value > 0)) return null;
  let best: Key | null = null;
  let bestCorrelation = -Infinity;
  for (let tonic = 0; tonic < 12; tonic++) {
    for (const [mode, profile] of [['major', majorProfile], ['minor', minorProfile]] as const) {
      const r = correlation(chroma, (c) => profile[(c - tonic + 12) % 12]!);
      if (r > bestCorrelation) {
        bestCorrelation = r;
        best = { key: pitchClasses[tonic]!, mode, strength: Math.round(Math.max(0, Math.min(1, r)) * 1000) / 1000 };
      }
    }
  }
  return best;
}

function correlation(x: Float64Array, y: (c: number) => number): number {
  let mx = 0;
  let my = 0;
  for (let c = 0; c < 12; c++) {
    mx += x[c]! / 12;
    my += y(c) / 12;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let c = 0; c < 12; c++) {
    sxy += (x[c]! - mx) * (y(c) - my);
    sxx += (x[c]! - mx) ** 2;
    syy += (y(c) - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
