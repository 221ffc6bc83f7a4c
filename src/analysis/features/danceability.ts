/**
 * Danceability by detrended fluctuation analysis of the signal's 10 ms amplitude (Streich & Herrera,
 * "Detrended Fluctuation Analysis of Music Signals", AES 118, 2005), the measure AcousticBrainz's
 * low-level `rhythm.danceability` is: the amplitude is integrated, cut into windows of τ from 310 ms
 * to 8.8 s (each 1.1 × the last), each window's linear trend removed; F(τ) is the root mean square
 * residual, α the slope of log F against log τ between neighbouring τ, and the danceability
 * 1 / mean α: music whose loudness fluctuates the same way at every scale of a bar (a steady beat)
 * has small α, high danceability (0 to 3).
 */

const frameSeconds = 0.01;
const maxDanceability = 3;
const taus = (() => {
  const out: number[] = [];
  for (let ms = 310; ms <= 8800; ms *= 1.1) out.push(Math.floor(ms / 10));
  return out;
})();

/** Feed it samples; the standard deviation of every 10 ms is kept (100 numbers a second). */
export class DanceabilityMeter {
  private readonly frameSamples: number;
  private readonly deviations: number[] = [];
  private n = 0;
  private sum = 0;
  private sumSquares = 0;

  constructor(sampleRate: number) {
    this.frameSamples = Math.floor(frameSeconds * sampleRate);
  }

  push(samples: Float32Array): void {
    let n = this.n, sum = this.sum, sumSquares = this.sumSquares;
    const frameSamples = this.frameSamples;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      sum += x;
      sumSquares += x * x;
      if (++n === frameSamples) {
        this.deviations.push(Math.sqrt(Math.max(0, (sumSquares - (sum * sum) / n) / (n - 1))));
        n = 0;
        sum = 0;
        sumSquares = 0;
      }
    }
    this.n = n;
    this.sum = sum;
    this.sumSquares = sumSquares;
  }

  /** 0 when the passage is shorter than two window lengths or has no fluctuation at all. */
  finish(): number {
    return Math.round(detrendedFluctuation(this.deviations) * 1000) / 1000;
  }
}

function detrendedFluctuation(deviations: readonly number[]): number {
  const n = deviations.length;
  const mean = deviations.reduce((a, b) => a + b, 0) / Math.max(1, n);
  // The integrated, mean-removed amplitude, and prefix sums of it to fit any window's line at once.
  const profile = new Float64Array(n);
  for (let i = 0, running = 0; i < n; i++) profile[i] = running += deviations[i]! - mean;
  const sumY = new Float64Array(n + 1);
  const sumIY = new Float64Array(n + 1);
  const sumYY = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const y = profile[i]!;
    sumY[i + 1] = sumY[i]! + y;
    sumIY[i + 1] = sumIY[i]! + i * y;
    sumYY[i + 1] = sumYY[i]! + y * y;
  }
  const fluctuation: number[] = [];
  for (const tau of taus) {
    if (n <= tau) break;
    // The least-squares line's residual of windows of tau frames, one starting every tau/50 frames
    // (every frame up to half a second): the windows overlap by 98 % or more, and the longest ones
    // would otherwise cost 50 times what they tell.
    const sxx = (tau * (tau * tau - 1)) / 12;
    const jump = Math.max(1, Math.floor(tau / 50));
    let total = 0;
    let windows = 0;
    for (let start = 0; start + tau <= n; start += jump, windows++) {
      const sy = sumY[start + tau]! - sumY[start]!;
      const sxy = sumIY[start + tau]! - sumIY[start]! - (start + (tau - 1) / 2) * sy;
      const syy = sumYY[start + tau]! - sumYY[start]! - (sy * sy) / tau;
      total += Math.max(0, syy - (sxy * sxy) / sxx) / tau;
    }
    fluctuation.push(Math.sqrt(total / windows));
  }
  if (fluctuation.length < 2) return 0;
  let alphas = 0;
  for (let i = 0; i + 1 < fluctuation.length; i++) {
    if (!(fluctuation[i]! > 0 && fluctuation[i + 1]! > 0)) return 0;
    // +3: Streich's correction of the slope for short windows.
    alphas += Math.log10(fluctuation[i + 1]! / fluctuation[i]!) / Math.log10((taus[i + 1]! + 3) / (taus[i]! + 3));
  }
  const meanAlpha = alphas / (fluctuation.length - 1);
  // A strictly periodic amplitude (a held chord's beating partials) has α near 0 and 1/α without
  // bound (a 440 Hz tone read 969): the scale stops at 3, where music's most danceable lies.
  return meanAlpha > 0 ? Math.min(maxDanceability, 1 / meanAlpha) : 0;
}
