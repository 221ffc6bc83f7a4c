/** Small PCM steps of the decoder. */

/** Clips samples to [-1, 1] in place (lossy decoders and resampling ringing overshoot a little). */
export function clampInPlace(samples: Float32Array): Float32Array {
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i] as number;
    if (value > 1) samples[i] = 1;
    else if (value < -1) samples[i] = -1;
  }
  return samples;
}

/** Bad options name the option, the rule and the value. */
export function checkSampleRate(sampleRate: number): void {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`Expected \`sampleRate\` to be a positive integer, got \`${String(sampleRate)}\` (${typeof sampleRate})`);
  }
}
