import { describe, expect, it } from 'vitest';
import { checkSampleRate, clampInPlace } from './pcm.js';

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
