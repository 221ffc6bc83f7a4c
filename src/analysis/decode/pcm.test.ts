import { describe, expect, it } from 'vitest';
import { checkSampleRate, clampInPlace, downmixToMono } from './pcm.js';

describe('downmixToMono', () => {
  it('averages the channels, as ffmpeg -ac 1 does', () => {
    const left = Float32Array.from([1, 0.5, -1]);
    const right = Float32Array.from([0, 0.5, 1]);
    expect(downmixToMono([left, right])).toEqual(Float32Array.from([0.5, 0.5, 0]));
  });

  it('returns a mono channel as it is, and nothing for no channels', () => {
    const mono = Float32Array.from([0.1, 0.2]);
    expect(downmixToMono([mono])).toEqual(mono);
    expect(downmixToMono([]).length).toBe(0);
  });

  it('stops at the shortest channel', () => {
    expect(downmixToMono([Float32Array.from([1, 1, 1]), Float32Array.from([1])]).length).toBe(1);
  });
});

describe('clampInPlace', () => {
  it('clips overshoot to [-1, 1] and leaves the rest', () => {
    expect(clampInPlace(Float32Array.from([1.5, -1.25, 0.5]))).toEqual(Float32Array.from([1, -1, 0.5]));
  });
});

describe('checkSampleRate', () => {
  it('names the option, the rule and the value', () => {
    expect(() => checkSampleRate(0)).toThrow('Expected `sampleRate` to be a positive integer, got `0` (number)');
    expect(() => checkSampleRate(11025.5)).toThrow(RangeError);
    expect(() => checkSampleRate(11025)).not.toThrow();
  });
});
