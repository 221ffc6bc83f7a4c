import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, type Decoder } from '../../src/analysis/decode/decoder.js';
import { createFfmpegDecoder } from '../../src/analysis/decode/ffmpeg.js';
import { ffmpegs } from './helpers.js';
import { collect, compareLoudness, requireFfmpeg } from './pcm-support.js';

const sampleRate = 11025;
const windowSize = Math.floor(sampleRate / 10); // 100 ms
const fixture = (relative: string): string => fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));

interface Case {
  file: string;
  /** What really decodes (ffprobe's duration where it is right), in seconds. */
  seconds: number;
}

const cases: Case[] = [
  { file: 'library/Artist A/Album One/01 First.mp3', seconds: 2.0375 },
  { file: 'library/Artist A/Album One/02 Second.flac', seconds: 2 },
  { file: 'library/Artist B/Third.ogg', seconds: 2 },
  { file: 'library/Artist B/Fourth.opus', seconds: 2.0065 },
  { file: 'library/Various/Fifth.m4a', seconds: 2 },
  { file: 'library/Various/Sixth.wav', seconds: 2 },
  // the container says ~4.78 s (no Xing header, first frames at 32 kbit/s): only decoding tells
  { file: 'vbr-no-xing.mp3', seconds: 3.03 },
  { file: 'bad/truncated-audio.mp3', seconds: 1.75 },
  { file: 'bad/renamed-ogg.mp3', seconds: 2 },
  { file: 'bad/noext-audio', seconds: 2 },
];

const corrupt = [
  { file: 'bad/truncated.flac' },
  { file: 'bad/random.flac' },
  { file: 'bad/empty.mp3' },
];

async function decodeFixture(decoder: Decoder, { file }: { file: string }) {
  return collect(decoder.decode(fixture(file), { sampleRate }));
}

/** Broken files made from the fixtures: an M4A cut before its index, a WAV whose first chunk claims 2 GB. */
let brokenFolder = '';
const broken = (name: string): string => join(brokenFolder, name);

beforeAll(async () => {
  brokenFolder = await mkdtemp(join(tmpdir(), 'wkmp-broken-'));
  const m4a = await readFile(fixture('library/Various/Fifth.m4a'));
  await writeFile(broken('cut-before-index.m4a'), m4a.subarray(0, 5000));
  const header = Buffer.from('RIFF\0\0\0\0WAVELIST\0\xff\xff\x7f', 'latin1');
  await writeFile(broken('bogus-chunk.wav'), Buffer.concat([header, randomBytes(256 * 1024)]));
});

afterAll(async () => {
  if (brokenFolder !== '') await rm(brokenFolder, { recursive: true, force: true });
});

const system = createFfmpegDecoder(ffmpegs.system);
const bundled = createFfmpegDecoder(ffmpegs.bundled);

describe.each([
  { name: 'system', decoder: system },
  { name: 'bundled', decoder: bundled },
])('decoding with the $name ffmpeg', ({ name, decoder }) => {
  beforeAll(async () => {
    if (name === 'system') await requireFfmpeg();
  });

  it.each(cases)('decodes $file to its real duration within 50 ms', async (item) => {
    const { samples } = await decodeFixture(decoder, item);
    expect(Math.abs(samples.length / sampleRate - item.seconds)).toBeLessThanOrEqual(0.05);
  });

  it('gives samples in [-1, 1] with the sound of the fixture tone', async () => {
    const { samples } = await decodeFixture(decoder, { file: 'library/Various/Sixth.wav' });
    const peak = samples.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    expect(peak).toBeGreaterThan(0.1);
    expect(peak).toBeLessThanOrEqual(1);
  });

  it.each(corrupt)('rejects $file with a one-line DecodeError naming the file', async (item) => {
    const error: unknown = await decodeFixture(decoder, item).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DecodeError);
    const { message, path, code } = error as DecodeError;
    expect(code).toBe('DECODE_FAILED');
    expect(path).toBe(fixture(item.file));
    expect(message.startsWith(`decoding ${fixture(item.file)}: `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it.each([
    { name: 'cut-before-index.m4a' },
    { name: 'bogus-chunk.wav' },
  ])('rejects the broken $name with a one-line DecodeError naming the file', async ({ name: file }) => {
    const error: unknown = await collect(decoder.decode(broken(file), { sampleRate })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DecodeError);
    const { message } = error as DecodeError;
    expect(message.startsWith(`decoding ${broken(file)}: `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('rejects a missing file with a DecodeError naming it', async () => {
    const error: unknown = await decodeFixture(decoder, { file: 'library/none.flac' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).message).toContain('none.flac');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('stopped before starting');
    const chunks = decoder.decode(fixture('library/Various/Sixth.wav'), { sampleRate, signal: AbortSignal.abort(reason) });
    await expect(collect(chunks)).rejects.toBe(reason);
  });
});

describe('the system ffmpeg and the static one npm installs', () => {
  beforeAll(requireFfmpeg);

  it.each(cases)('give the same loudness per 100 ms window of $file, within 0.5 dB', async (item) => {
    const [ours, theirs] = await Promise.all([decodeFixture(system, item), decodeFixture(bundled, item)]);
    const comparison = compareLoudness(ours.samples, theirs.samples, windowSize);
    expect(comparison.sounding).toBeGreaterThan(10);
    expect(comparison.disagreeing).toBe(0);
    expect(comparison.worstDb).toBeLessThanOrEqual(0.5);
  });
});
