import { describe, expect, it } from 'vitest';
import { ffmpegArguments, ffmpegReason, Float32Reader } from './ffmpeg.js';

describe('ffmpegArguments', () => {
  it('reads the path as a file, whatever it looks like, and writes averaged mono float at the rate', () => {
    const args = ffmpegArguments('-odd:name.flac', 11025);
    expect(args.slice(args.indexOf('-i'), args.indexOf('-i') + 2)).toEqual(['-i', 'file:-odd:name.flac']);
    expect(args.join(' ')).toContain('-vn -ac 1 -rematrix_maxval 1 -ar 11025 -f f32le -');
    expect(args.join(' ')).toContain('-nostats -loglevel +level+info');
  });
});

describe('ffmpegReason', () => {
  it('keeps the first error without the file name, and says so when there was none', () => {
    expect(ffmpegReason(['Failed to read frame size', 'more'], '/m/a.mp3')).toBe('Failed to read frame size');
    expect(ffmpegReason(['file:/m/a.flac: Input/output error'], '/m/a.flac')).toBe('Input/output error');
    expect(ffmpegReason(['Conversion failed!'], '/m/a.flac')).toBe('unknown error');
    expect(ffmpegReason([], '/m/a.flac', 'no audio')).toBe('no audio');
  });
});

describe('Float32Reader', () => {
  it('puts back together samples split between reads', () => {
    const samples = Float32Array.from([0.5, -0.25, 1, -1, 0.125]);
    const bytes = new Uint8Array(samples.buffer);
    const reader = new Float32Reader();
    const parts = [bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9, 10), bytes.subarray(10)].map((part) => reader.read(part));
    expect(parts.map((part) => part.length)).toEqual([0, 2, 0, 3]);
    expect(Float32Array.from(parts.flatMap((part) => [...part]))).toEqual(samples);
  });
});
