import { describe, expect, it } from 'vitest';
import { TICKS_PER_SECOND } from '../file-record.js';
import { EnvelopeBuilder } from './envelope.js';
import { detectPassages, silenceOptionsFromSettings, soundingWindows, type PassageWindows } from './silence.js';

const opts = { thresholdDb: 35, minSilenceWindows: 3 };
const LOUD = 0.3;
const QUIET = 0.001; // −60 dBFS

/** An envelope from a pattern: `#` a sounding window, `.` a silent one. */
function envelope(pattern: string): Float32Array {
  return Float32Array.from(pattern, (c) => (c === '#' ? LOUD : QUIET));
}

describe('detectPassages on an envelope', () => {
  it('splits at silent runs of at least the minimum length', () => {
    expect(detectPassages(envelope('####...###....##'), opts)).toEqual([
      { startWindow: 0, endWindow: 4 },
      { startWindow: 7, endWindow: 10 },
      { startWindow: 14, endWindow: 16 },
    ]);
  });

  it('does not split at a silent run one window shorter than the minimum', () => {
    expect(detectPassages(envelope('####..###'), opts)).toEqual([{ startWindow: 0, endWindow: 9 }]);
  });

  it('leaves leading and trailing silence of any length outside the passages', () => {
    expect(detectPassages(envelope('.##.#..'), opts)).toEqual([{ startWindow: 1, endWindow: 5 }]);
    expect(detectPassages(envelope('.......#####........'), opts)).toEqual([{ startWindow: 7, endWindow: 12 }]);
  });

  it('gives one passage from the first to the last sounding window when no silence counts', () => {
    expect(detectPassages(envelope('#.#..#.#'), opts)).toEqual([{ startWindow: 0, endWindow: 8 }]);
  });

  it('gives no passage when every window is silent, or there are none', () => {
    expect(detectPassages(envelope('........'), opts)).toEqual([]);
    expect(detectPassages(new Float32Array(0), opts)).toEqual([]);
  });

  it('counts a window exactly at the threshold as sounding', () => {
    const rms = Float32Array.of(1, 0.999, 0.999, 0.999, 1);
    expect(detectPassages(rms, { thresholdDb: 0, minSilenceWindows: 3 })).toHaveLength(2);
    expect(soundingWindows(rms, 0)).toBe(2);
  });

  it('reads the threshold as dB below full scale: −40 dBFS is silent at 35 but sounding at 45', () => {
    const rms = Float32Array.of(0.01, 0.01, 0.01);
    expect(detectPassages(rms, { thresholdDb: 35, minSilenceWindows: 1 })).toEqual([]);
    expect(detectPassages(rms, { thresholdDb: 45, minSilenceWindows: 1 })).toEqual([{ startWindow: 0, endWindow: 3 }]);
  });
});

describe('soundingWindows', () => {
  it('counts the windows that are not silent, wherever they are', () => {
    expect(soundingWindows(envelope('..##...#.#..'), 35)).toBe(4);
    expect(soundingWindows(envelope('....'), 35)).toBe(0);
  });
});

describe('silenceOptionsFromSettings', () => {
  it('turns the 300 ms default into 3 windows of 100 ms, also at 1103 / 11025 s', () => {
    expect(silenceOptionsFromSettings({ thresholdDb: 35, minSilenceTicks: 8_467_200 }, 0.1)).toEqual({ thresholdDb: 35, minSilenceWindows: 3 });
    expect(silenceOptionsFromSettings({ thresholdDb: 35, minSilenceTicks: 8_467_200 }, 1103 / 11025).minSilenceWindows).toBe(3);
  });

  it('rounds a partial window up, but not float noise', () => {
    expect(silenceOptionsFromSettings({ thresholdDb: 35, minSilenceTicks: 9_878_400 }, 0.1).minSilenceWindows).toBe(4);
    expect(silenceOptionsFromSettings({ thresholdDb: 35, minSilenceTicks: 7_620_480 }, 0.03).minSilenceWindows).toBe(9);
  });

  it('asks for at least one window', () => {
    expect(silenceOptionsFromSettings({ thresholdDb: 35, minSilenceTicks: 1 }, 0.1).minSilenceWindows).toBe(1);
  });
});

/** A piece of the synthetic signal: a 440 Hz tone, digital silence, or uniform noise at a given RMS. */
type Segment = { seconds: number } & ({ kind: 'tone' } | { kind: 'silence' } | { kind: 'noise'; rms: number });

function render(segments: Segment[], sampleRate: number): Float32Array {
  const total = segments.reduce((sum, s) => sum + Math.round(s.seconds * sampleRate), 0);
  const samples = new Float32Array(total);
  let at = 0;
  let seed = 1;
  for (const segment of segments) {
    const length = Math.round(segment.seconds * sampleRate);
    for (let i = at; i < at + length; i++) {
      if (segment.kind === 'tone') samples[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / sampleRate);
      if (segment.kind === 'noise') {
        seed = (seed * 16807) % 2147483647; // Park–Miller, uniform in (0, 1)
        samples[i] = segment.rms * Math.sqrt(3) * (2 * (seed / 2147483647) - 1);
      }
    }
    at += length;
  }
  return samples;
}

/** Streams the signal through an EnvelopeBuilder in uneven chunks and segments it: passages in seconds. */
function passagesOf(segments: Segment[], sampleRate: number, thresholdDb = 35, minSilenceMs = 300): { start: number; end: number }[] {
  const samples = render(segments, sampleRate);
  const builder = new EnvelopeBuilder({ sampleRate, windowMs: 100 });
  for (let at = 0, size = 1000; at < samples.length; at += size, size = 1000 + ((size * 31) % 9000)) {
    builder.push(samples.subarray(at, at + size));
  }
  const { rms, windowSeconds } = builder.finish();
  const options = silenceOptionsFromSettings({ thresholdDb, minSilenceTicks: (minSilenceMs / 1000) * TICKS_PER_SECOND }, windowSeconds);
  const duration = samples.length / sampleRate;
  return detectPassages(rms, options).map(({ startWindow, endWindow }: PassageWindows) => ({
    start: startWindow * windowSeconds,
    end: Math.min(endWindow * windowSeconds, duration),
  }));
}

function expectEdges(actual: { start: number; end: number }[], expected: [number, number][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach(({ start, end }, i) => {
    expect(Math.abs(start - expected[i]![0])).toBeLessThan(0.1);
    expect(Math.abs(end - expected[i]![1])).toBeLessThan(0.1);
  });
}

describe('detectPassages on streamed synthetic PCM', () => {
  it.each([11025, 48000])('finds three 20 s tones separated by 2 s of digital silence at %i Hz', (sampleRate) => {
    const tone: Segment = { kind: 'tone', seconds: 20 };
    const gap: Segment = { kind: 'silence', seconds: 2 };
    expectEdges(passagesOf([tone, gap, tone, gap, tone], sampleRate), [[0, 20], [22, 42], [44, 64]]);
  });

  it('does not split a song at a 150 ms dip when silence must last 300 ms, but does at 400 ms', () => {
    const song = (dipSeconds: number): Segment[] => [
      { kind: 'tone', seconds: 5.03 },
      { kind: 'silence', seconds: dipSeconds },
      { kind: 'tone', seconds: 5 },
    ];
    expectEdges(passagesOf(song(0.15), 11025), [[0, 10.18]]);
    expectEdges(passagesOf(song(0.4), 11025), [[0, 5.03], [5.43, 10.43]]);
  });

  it('leaves leading and trailing silence outside the passage', () => {
    const segments: Segment[] = [
      { kind: 'silence', seconds: 3 },
      { kind: 'tone', seconds: 10 },
      { kind: 'silence', seconds: 4 },
    ];
    expectEdges(passagesOf(segments, 11025), [[3, 13]]);
  });

  it('finds no passage in a file of digital silence', () => {
    expect(passagesOf([{ kind: 'silence', seconds: 5 }], 11025)).toEqual([]);
  });

  it('counts noise at −40 dBFS as silence at threshold 35 but as sound at 45', () => {
    const noise: Segment[] = [{ kind: 'noise', rms: 0.01, seconds: 5 }];
    expect(passagesOf(noise, 11025, 35)).toEqual([]);
    expectEdges(passagesOf(noise, 11025, 45), [[0, 5]]);
  });
});
