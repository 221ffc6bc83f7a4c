/**
 * EBU R128 loudness of a mono signal at any rate (ITU-R BS.1770-4, EBU Tech 3341 and 3342): the
 * K-weighting filters, the signal's power in 100 ms steps, and from those the integrated loudness,
 * the loudness range and the dynamic complexity. The filters' coefficients are made for the rate
 * from their analogue prototypes (the method libebur128 and pyloudnorm use), so the 11025 Hz
 * analysis signal is weighted as BS.1770 weights 48 kHz.
 */

/** A biquad's coefficients, a0 = 1. */
interface Biquad {
  b0: number; b1: number; b2: number; a1: number; a2: number;
}
/** The high-pass's numerator is 1, −2, 1 at every rate. */
type HighPass = Pick<Biquad, 'a1' | 'a2'>;

/** BS.1770's two stages: the head's high shelf (+4 dB above ~1.7 kHz), then the RLB high-pass (~38 Hz). */
export function kWeighting(sampleRate: number): [Biquad, HighPass] {
  const shelf = (() => {
    const f0 = 1681.974450955533;
    const gainDb = 3.999843853973347;
    const q = 0.7071752369554196;
    const k = Math.tan((Math.PI * f0) / sampleRate);
    const vh = 10 ** (gainDb / 20);
    const vb = vh ** 0.4996667741545416;
    const a0 = 1 + k / q + k * k;
    return { b0: (vh + (vb * k) / q + k * k) / a0, b1: (2 * (k * k - vh)) / a0, b2: (vh - (vb * k) / q + k * k) / a0, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
  })();
  const highPass = (() => {
    const f0 = 38.13547087602444;
    const q = 0.5003270373238773;
    const k = Math.tan((Math.PI * f0) / sampleRate);
    const a0 = 1 + k / q + k * k;
    return { a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
  })();
  return [shelf, highPass];
}

/** Loudness of a mean square, LUFS (BS.1770: one channel of weight 1). */
const lufs = (meanSquare: number): number => -0.691 + 10 * Math.log10(meanSquare);
const absoluteGateLufs = -70;

export interface LoudnessMeasures {
  /** Integrated loudness, gated (Tech 3341); null when no 400 ms block reaches −70 LUFS. */
  integratedLufs: number | null;
  /** Loudness range (Tech 3342): the 10th to 95th percentile of the gated 3 s loudness, LU. */
  rangeLu: number;
  /** Mean absolute distance of the 400 ms loudness from the integrated loudness, LU (Streich's dynamic complexity). */
  dynamicComplexity: number;
}

/** Feed it samples in [-1, 1]; `finish` measures. */
export class LoudnessMeter {
  private readonly stages: [Biquad, HighPass];
  /** The shelf's last two inputs and outputs, the high-pass's last two outputs. */
  private readonly state = new Float64Array(6);
  private readonly stepSamples: number;
  private stepFilled = 0;
  private stepSum = 0;
  /** The K-weighted mean square of every whole 100 ms step. */
  private readonly steps: number[] = [];

  constructor(sampleRate: number) {
    this.stages = kWeighting(sampleRate);
    this.stepSamples = Math.round(sampleRate / 10);
  }

  push(samples: Float32Array): void {
    const [shelf, highPass] = this.stages;
    const z = this.state;
    // Coefficients and state as locals: this loop runs for every sample of every passage, and V8
    // keeps plain locals in registers (three times as fast here as fields read in the loop).
    const b0 = shelf.b0, b1 = shelf.b1, b2 = shelf.b2, a1 = shelf.a1, a2 = shelf.a2, c1 = highPass.a1, c2 = highPass.a2;
    let x1 = z[0]!, x2 = z[1]!, y1 = z[2]!, y2 = z[3]!, v1 = z[4]!, v2 = z[5]!;
    let stepSum = this.stepSum, stepFilled = this.stepFilled;
    const stepSamples = this.stepSamples;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      // The high-pass's numerator is 1, −2, 1: its inputs are the shelf's outputs y, y1, y2.
      const v = y - 2 * y1 + y2 - c1 * v1 - c2 * v2;
      x2 = x1; x1 = x; y2 = y1; y1 = y; v2 = v1; v1 = v;
      stepSum += v * v;
      if (++stepFilled === stepSamples) {
        this.steps.push(stepSum / stepSamples);
        stepSum = 0;
        stepFilled = 0;
      }
    }
    z[0] = x1; z[1] = x2; z[2] = y1; z[3] = y2; z[4] = v1; z[5] = v2;
    this.stepSum = stepSum;
    this.stepFilled = stepFilled;
  }

  finish(): LoudnessMeasures {
    const momentary = blocks(this.steps, 4).filter((power) => lufs(power) > absoluteGateLufs);
    if (momentary.length === 0) return { integratedLufs: null, rangeLu: 0, dynamicComplexity: 0 };
    const relativeGate = lufs(mean(momentary)) - 10;
    const integrated = lufs(mean(momentary.filter((power) => lufs(power) > relativeGate)));
    const dynamicComplexity = mean(momentary.map((power) => Math.abs(lufs(power) - integrated)));
    return { integratedLufs: round(integrated, 2), rangeLu: round(loudnessRange(this.steps), 2), dynamicComplexity: round(dynamicComplexity, 3) };
  }
}

/** Tech 3342: 3 s blocks every 100 ms, gated at −70 LUFS and 20 LU under their own power mean; 95th − 10th percentile. */
function loudnessRange(steps: readonly number[]): number {
  const shortTerm = blocks(steps, 30).filter((power) => lufs(power) > absoluteGateLufs);
  if (shortTerm.length === 0) return 0;
  const relativeGate = lufs(mean(shortTerm)) - 20;
  const levels = shortTerm.map(lufs).filter((level) => level > relativeGate).sort((a, b) => a - b);
  return percentile(levels, 0.95) - percentile(levels, 0.1);
}

/** The mean squares of blocks of `length` steps, one starting at every step. */
function blocks(steps: readonly number[], length: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < steps.length; i++) {
    sum += steps[i]!;
    if (i >= length) sum -= steps[i - length]!;
    if (i >= length - 1) out.push(Math.max(sum, 0) / length);
  }
  return out;
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Linear interpolation between the closest ranks of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  const at = p * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
