/**
 * Long files, generated with ffmpeg into a temporary folder: both ffmpegs (the system's and the
 * static one npm installs) stream them in small
 * chunks (bounded memory), give the same samples, stop on abort and when the consumer breaks.
 * Decode speed and memory are printed, not asserted.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decoder } from '../../src/analysis/decode/decoder.js';
import { createFfmpegDecoder } from '../../src/analysis/decode/ffmpeg.js';
import { ffmpegs, type FfmpegName } from './helpers.js';
import {
  childPidsMentioning, collect, compareLoudness, isRunning, peakResidentBytes, requireFfmpeg, runFfmpeg, type Collected,
} from './pcm-support.js';

const sampleRate = 11025;
const longSeconds = 600;
const mebibyte = 2 ** 20;

let folder = '';
const file = (name: string): string => join(folder, name);

/** Left 440 Hz, right 1000 Hz, silent from 300 s to 310 s. */
const stereoTones = (seconds: number): string[] => [
  '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
  '-f', 'lavfi', '-i', `sine=frequency=1000:sample_rate=44100:duration=${seconds}`,
  '-filter_complex', "[0:a][1:a]amerge=inputs=2,volume=enable='between(t,300,310)':volume=0[a]", '-map', '[a]',
];
const digitalSilence = (seconds: number): string[] => ['-f', 'lavfi', '-i', `anullsrc=r=44100:cl=stereo`, '-t', String(seconds)];

beforeAll(async () => {
  await requireFfmpeg();
  folder = await mkdtemp(join(tmpdir(), 'wkmp-decode-'));
  await Promise.all([
    runFfmpeg([...stereoTones(longSeconds), '-c:a', 'flac', file('long.flac')]),
    runFfmpeg([...stereoTones(180), '-c:a', 'aac', '-b:a', '128k', file('index-last.m4a')]),
    runFfmpeg([...digitalSilence(longSeconds), '-c:a', 'flac', file('silence.flac')]),
    runFfmpeg([...digitalSilence(longSeconds), '-c:a', 'libvorbis', file('silence.ogg')]),
  ]);
}, 180_000);

afterAll(async () => {
  if (folder !== '') await rm(folder, { recursive: true, force: true });
});

interface Measured extends Collected {
  seconds: number;
  peakRssBytes: number;
  childPeakBytes: number;
}

/** Decodes with memory sampled as it goes: this process's RSS, and ffmpeg's peak RSS while it runs. */
async function measure(decoder: Decoder, path: string): Promise<Measured> {
  const started = performance.now();
  let peakRssBytes = process.memoryUsage.rss();
  let childPeakBytes = 0;
  let chunks = 0;
  const result = await collect(decoder.decode(path, { sampleRate }), () => {
    if (chunks++ % 16 !== 0) return;
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    for (const pid of childPidsMentioning(path)) childPeakBytes = Math.max(childPeakBytes, peakResidentBytes(pid));
  });
  return { ...result, seconds: (performance.now() - started) / 1000, peakRssBytes, childPeakBytes };
}

const decoded = new Map<FfmpegName, Measured>();
/** The system's ffmpeg and the static one npm installs (src/analysis/decode/decoder.ts). */
const decoders = (Object.keys(ffmpegs) as FfmpegName[]).map((name) => ({ name, decoder: createFfmpegDecoder(ffmpegs[name]) }));

describe.each(decoders)('the $name ffmpeg on a 10-minute stereo FLAC', ({ name, decoder }) => {
  it('streams it in chunks of at most 10 s, every sample there', { timeout: 120_000 }, async () => {
    const baseline = process.memoryUsage.rss();
    const result = await measure(decoder, file('long.flac'));
    decoded.set(name, result);
    console.log(
      `decode with the ${name} ffmpeg: ${longSeconds} s of 44.1 kHz stereo FLAC in ${result.seconds.toFixed(2)} s ` +
      `(${(longSeconds / result.seconds).toFixed(0)}x realtime), ${result.chunkCount} chunks, ` +
      `longest ${(result.maxChunk / sampleRate).toFixed(2)} s; process RSS peak ${(result.peakRssBytes / mebibyte).toFixed(0)} MiB ` +
      `(+${((result.peakRssBytes - baseline) / mebibyte).toFixed(0)} MiB), ffmpeg child peak RSS ${(result.childPeakBytes / mebibyte).toFixed(0)} MiB`,
    );
    expect(result.samples.length).toBe(longSeconds * sampleRate);
    expect(result.chunkCount).toBeGreaterThan(200);
    expect(result.maxChunk).toBeLessThanOrEqual(10 * sampleRate);
  });

  it('stops promptly when aborted mid-decode', { timeout: 60_000 }, async () => {
    const path = file('long.flac');
    const controller = new AbortController();
    const reason = new Error('import cancelled');
    const iterator = decoder.decode(path, { sampleRate, signal: controller.signal })[Symbol.asyncIterator]();
    try {
      for (let i = 0; i < 3; i++) expect((await iterator.next()).done).toBe(false);
      const children = childPidsMentioning(path);
      expect(children).toHaveLength(1);
      controller.abort(reason);
      await expect(iterator.next()).rejects.toBe(reason);
      for (const pid of children) expect(isRunning(pid)).toBe(false);
      expect(childPidsMentioning(path)).toEqual([]);
    } finally {
      await iterator.return?.();
    }
  });

  it('stops when the consumer breaks off', { timeout: 60_000 }, async () => {
    const path = file('long.flac');
    let children: number[] = [];
    let chunks = 0;
    for await (const chunk of decoder.decode(path, { sampleRate })) {
      expect(chunk.length).toBeGreaterThan(0);
      children = childPidsMentioning(path);
      if (++chunks === 2) break;
    }
    expect(children).toHaveLength(1);
    for (const pid of children) expect(isRunning(pid)).toBe(false);
  });
});

/** The nice value of a process: field 19 of /proc/PID/stat, counted after the command's closing parenthesis. */
function niceness(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('the ffmpeg decoder', () => {
  const ffmpegDecoder = decoders[0]!.decoder;

  it('decodes below normal priority (nice 10), so the service and the player come first on a busy machine', { timeout: 60_000 }, async () => {
    const path = file('long.flac');
    const iterator = ffmpegDecoder.decode(path, { sampleRate })[Symbol.asyncIterator]();
    try {
      expect((await iterator.next()).done).toBe(false);
      const children = childPidsMentioning(path);
      expect(children).toHaveLength(1);
      expect(niceness(process.pid)).toBeLessThan(10);
      expect(niceness(children[0]!)).toBeGreaterThanOrEqual(10);
    } finally {
      await iterator.return?.();
    }
  });
});

describe('both ffmpegs on the 10-minute FLAC', () => {
  it('give the same loudness in every 100 ms window, silence included', () => {
    const system = decoded.get('system');
    const bundled = decoded.get('bundled');
    expect(system && bundled, 'both decodes above must have run').toBeTruthy();
    const comparison = compareLoudness(system?.samples ?? new Float32Array(0), bundled?.samples ?? new Float32Array(0), Math.floor(sampleRate / 10));
    expect(comparison.windows).toBeGreaterThan(5900);
    const silent = comparison.windows - comparison.sounding;
    expect(silent).toBeGreaterThanOrEqual(98); // 10 s of silence, less the windows that straddle its edges
    expect(silent).toBeLessThanOrEqual(101);
    expect(comparison.disagreeing).toBe(0);
    expect(comparison.worstDb).toBeLessThanOrEqual(0.5);
  });
});

describe.each(decoders)('the $name ffmpeg', ({ decoder }) => {
  it.each(['silence.flac', 'silence.ogg'])(
    'streams 10 minutes of digital silence (%s, a few bytes a second) in pieces of under a minute',
    { timeout: 120_000 },
    async (name) => {
      const result = await collect(decoder.decode(file(name), { sampleRate }));
      // within 50 ms: the static ffmpeg (4.1 era) ignores the last Ogg page's end trim, 17 ms here
      expect(Math.abs(result.samples.length - longSeconds * sampleRate)).toBeLessThanOrEqual(0.05 * sampleRate);
      expect(result.chunkCount).toBeGreaterThan(10);
      expect(result.maxChunk).toBeLessThan(60 * sampleRate);
    },
  );

  it('streams an M4A whose index follows its audio, in pieces of at most 3 s', { timeout: 60_000 }, async () => {
    const result = await collect(decoder.decode(file('index-last.m4a'), { sampleRate }));
    expect(Math.abs(result.samples.length / sampleRate - 180)).toBeLessThanOrEqual(0.05);
    expect(result.maxChunk).toBeLessThanOrEqual(3 * sampleRate);
  });
});
