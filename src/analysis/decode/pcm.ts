/** Small PCM steps shared by the decoders. */

/** The average of the channels, as `ffmpeg -ac 1` does for mono and stereo sources. */
export function downmixToMono(channels: readonly Float32Array[]): Float32Array {
  const [first] = channels;
  if (first === undefined) return new Float32Array(0);
  const length = Math.min(...channels.map((channel) => channel.length));
  if (channels.length === 1) return first.subarray(0, length);
  const mono = new Float32Array(length);
  for (const channel of channels) {
    for (let i = 0; i < length; i++) mono[i] = (mono[i] as number) + (channel[i] as number);
  }
  const scale = 1 / channels.length;
  for (let i = 0; i < length; i++) mono[i] = (mono[i] as number) * scale;
  return mono;
}

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
