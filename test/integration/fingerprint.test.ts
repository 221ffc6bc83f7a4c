/**
 * Chromaprint fingerprints compared with the reference tool: every file is decoded by ffmpeg to
 * mono 11025 Hz int16 (as the import pipeline does), fed to PassageFingerprinter, and compared with
 * what `fpcalc` computes from the same file. ffmpeg and fpcalc are required (CI installs Debian's
 * `ffmpeg` and `libchromaprint-tools`): when either is missing these tests fail, they do not skip.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../seeded-random.js';
import { chromaprintRuntime, type WasmMemory } from '../../src/analysis/chromaprint-module.js';
import {
  ChromaprintAbort, createChromaprint, fingerprintPcm, loadChromaprint, PassageFingerprinter, toInt16, type ChromaprintModule, type Fingerprint,
} from '../../src/analysis/fingerprint.js';

const RATE = 11025;
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const chords = join(fixtures, 'fingerprint', 'chords-15s.flac');
const shortLibraryFixtures = [
  'Artist A/Album One/01 First.mp3',
  'Artist A/Album One/02 Second.flac',
  'Artist B/Third.ogg',
  'Artist B/Fourth.opus',
  'Various/Fifth.m4a',
  'Various/Sixth.wav',
];
/** The chords fixture transcoded at test time, one file per container/codec the importer reads. */
const transcodes: Record<string, string[]> = {
  flac: [], // the fixture itself
  mp3: ['-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '64k'],
  ogg: ['-ar', '44100', '-c:a', 'libvorbis', '-q:a', '0'],
  opus: ['-ar', '48000', '-c:a', 'libopus', '-b:a', '32k'],
  m4a: ['-ar', '44100', '-c:a', 'aac', '-b:a', '48k'],
  wav: ['-ar', '44100', '-c:a', 'pcm_s16le'],
};

// ---------------------------------------------------------------- external tools

interface Ran {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

const install: Record<string, string> = { ffmpeg: 'apt-get install ffmpeg', fpcalc: 'apt-get install libchromaprint-tools' };

function run(command: string, args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT'
        ? new Error(`${command} is not installed (not on PATH); the fingerprint tests need it (Debian: ${install[command] ?? command})`)
        : error);
    });
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** `ffmpeg -i FILE -ac 1 -ar RATE -f s16le -`: the decoded mono PCM. */
async function decode(file: string, rate = RATE): Promise<Int16Array> {
  const { code, stdout, stderr } = await run('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-ac', '1', '-ar', String(rate), '-f', 's16le', '-']);
  if (code !== 0) throw new Error(`ffmpeg could not decode ${file}: ${stderr}`);
  return new Int16Array(stdout.buffer.slice(stdout.byteOffset, stdout.byteOffset + stdout.byteLength));
}

interface FpcalcResult<T> {
  fingerprint: T | null;
  duration: number | null;
  stderr: string;
}

/**
 * `fpcalc -json [ARGS] FILE`. fpcalc 1.5.1 ends many files with "ERROR: Error decoding audio frame
 * (End of file)" and exit status 3 after printing a correct result, so the status is not checked:
 * the printed JSON is. No fingerprint (e.g. "Empty fingerprint") gives `fingerprint: null`.
 */
async function fpcalc<T extends number[] | string>(file: string, args: string[]): Promise<FpcalcResult<T>> {
  const { stdout, stderr } = await run('fpcalc', ['-json', ...args, file]);
  const text = stdout.toString('utf8').trim();
  if (text === '') return { fingerprint: null, duration: null, stderr };
  const parsed = JSON.parse(text) as { fingerprint: T; duration: number };
  return { fingerprint: parsed.fingerprint, duration: parsed.duration, stderr };
}

async function fpcalcRaw(file: string, seconds = 120): Promise<number[]> {
  const result = await fpcalc<number[]>(file, ['-raw', '-length', String(seconds)]);
  if (result.fingerprint === null) throw new Error(`fpcalc -raw gave no fingerprint for ${file}: ${result.stderr}`);
  return result.fingerprint;
}

async function fpcalcCompressed(file: string, seconds = 120): Promise<string> {
  const result = await fpcalc<string>(file, ['-length', String(seconds)]);
  if (result.fingerprint === null) throw new Error(`fpcalc gave no fingerprint for ${file}: ${result.stderr}`);
  return result.fingerprint;
}

// ---------------------------------------------------------------- helpers

function toFloat(samples: Int16Array): Float32Array {
  return Float32Array.from(samples, (s) => s / 32768);
}

function popcount(x: number): number {
  let v = x >>> 0;
  let n = 0;
  while (v !== 0) {
    v &= v - 1;
    n++;
  }
  return n;
}

/** Differing bits over the common length ÷ all bits of the common length (both compared as uint32). */
function bitErrorRate(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 1;
  let differing = 0;
  for (let i = 0; i < n; i++) differing += popcount((a[i]! ^ b[i]!) >>> 0);
  return differing / (n * 32);
}

/**
 * Decodes chromaprint's compressed fingerprint (what AcoustID receives): base64url of [algorithm,
 * 24-bit big-endian item count], then per item the gaps between its set bits (XOR with the previous
 * item) as 3-bit values ending with 0, values ≥ 7 continued in a 5-bit exception stream; both
 * streams packed least-significant bit first.
 */
function decodeCompressed(text: string): { algorithm: number; raw: number[] } {
  const bytes = Buffer.from(text, 'base64url');
  const algorithm = bytes[0]!;
  const size = (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!;
  let bit = 32;
  const read = (width: number): number => {
    let value = 0;
    for (let i = 0; i < width; i++, bit++) value |= (((bytes[bit >> 3] ?? 0) >> (bit & 7)) & 1) << i;
    return value;
  };
  const values: number[] = [];
  for (let ends = 0; ends < size; ) {
    const value = read(3);
    values.push(value);
    if (value === 0) ends++;
  }
  bit = Math.ceil(bit / 8) * 8;
  for (let i = 0; i < values.length; i++) if (values[i] === 7) values[i] = 7 + read(5);
  const raw: number[] = [];
  let previous = 0;
  let x = 0;
  let position = 0;
  for (const value of values) {
    if (value === 0) {
      previous = (x ^ previous) >>> 0;
      raw.push(previous);
      x = 0;
      position = 0;
    } else {
      position += value;
      x = (x | (1 << (position - 1))) >>> 0;
    }
  }
  return { algorithm, raw };
}

/** Feeds `samples` in chunks of the given sizes (cycled), as a decoder would hand them over. */
function feedInChunks(fingerprinter: PassageFingerprinter, samples: Float32Array, sizes: () => number): void {
  for (let at = 0; at < samples.length; ) {
    const size = Math.min(sizes(), samples.length - at);
    fingerprinter.feed(samples.subarray(at, at + size));
    at += size;
  }
}

// ---------------------------------------------------------------- setup

let module: ChromaprintModule;
let chordsPcm: Int16Array;
let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  // Fail loudly, naming the package, when a tool is missing.
  await run('ffmpeg', ['-version']);
  await run('fpcalc', ['-version']);
  module = await loadChromaprint();
  chordsPcm = await decode(chords);
  dir = await mkdtemp(join(tmpdir(), 'wkmp-fingerprint-'));
  for (const [ext, codec] of Object.entries(transcodes)) {
    if (ext === 'flac') {
      files[ext] = chords;
      continue;
    }
    const file = join(dir, `chords.${ext}`);
    const { code, stderr } = await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', chords, '-map_metadata', '-1', '-ac', '1', ...codec, file]);
    if (code !== 0) throw new Error(`ffmpeg could not encode ${ext}: ${stderr}`);
    files[ext] = file;
  }
}, 60_000);

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- agreement with fpcalc

describe('agreement with fpcalc', () => {
  it.each(Object.keys(transcodes))('%s: raw within 1 per cent of bits of fpcalc -raw -length 120, same length, same compressed string', async (ext) => {
    const file = files[ext]!;
    const pcm = toFloat(await decode(file));
    const fingerprinter = new PassageFingerprinter(module, RATE);
    feedInChunks(fingerprinter, pcm, () => 4096); // streamed as a decoder hands it over
    const ours = fingerprinter.finish();
    const [reference, referenceCompressed] = await Promise.all([fpcalcRaw(file), fpcalcCompressed(file)]);

    const rate = bitErrorRate(ours.raw, reference);
    console.log(`fingerprint ${ext}: ${ours.raw.length} items (fpcalc ${reference.length}), ${(rate * 100).toFixed(3)} % of bits differ`);
    expect(reference.length).toBeGreaterThan(90); // 15 s ≈ 100 items: a meaningful comparison
    expect(Math.abs(ours.raw.length - reference.length)).toBeLessThanOrEqual(1);
    expect(rate).toBeLessThanOrEqual(0.01);
    expect(ours.raw.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)).toBe(true);
    expect(ours.durationSeconds).toBeCloseTo(pcm.length / RATE, 9);

    // The decoder below reads fpcalc's compressed string back into fpcalc's raw numbers…
    expect(decodeCompressed(referenceCompressed)).toEqual({ algorithm: 1, raw: reference });
    // …so our compressed string encodes exactly our raw fingerprint, with the default algorithm,
    expect(decodeCompressed(ours.compressed)).toEqual({ algorithm: 1, raw: ours.raw });
    // and wherever the raw fingerprints agree the strings are identical (the encoding is a function of raw).
    if (rate === 0 && ours.raw.length === reference.length) expect(ours.compressed).toBe(referenceCompressed);
  }, 30_000);

  it.each(shortLibraryFixtures)('%s (2 s): empty for fpcalc and for us, without an error', async (name) => {
    const file = join(fixtures, 'library', name);
    const pcm = await decode(file);
    const ours = fingerprintPcm(module, toFloat(pcm), RATE);
    const reference = await fpcalc<number[]>(file, ['-raw']);
    expect(pcm.length / RATE).toBeGreaterThan(1.9);
    expect(reference.fingerprint).toBeNull();
    expect(reference.stderr).toContain('Empty fingerprint');
    expect(ours).toEqual({ raw: [], compressed: '', durationSeconds: pcm.length / RATE });
  }, 30_000);

  it('silence gives a (constant) fingerprint like fpcalc’s, without crashing', async () => {
    const file = join(dir, 'silence.wav');
    const made = await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '15', '-c:a', 'pcm_s16le', file]);
    expect(made.stderr).toBe('');
    const ours = fingerprintPcm(module, toFloat(await decode(file)), RATE);
    const reference = await fpcalcRaw(file);
    expect(ours.raw.length).toBeGreaterThan(90);
    expect(new Set(ours.raw).size).toBe(1);
    expect(ours.raw).toEqual(reference);
    expect(ours.compressed).toBe(await fpcalcCompressed(file));
    // Feeding zeros directly (no file at all) gives the same.
    expect(fingerprintPcm(module, new Float32Array(15 * RATE), RATE)).toEqual(ours);
  }, 30_000);
});

// ---------------------------------------------------------------- streaming

describe('PassageFingerprinter', () => {
  it('gives exactly the one-shot result whatever the chunk sizes, mixing float and int16 chunks', () => {
    const pcm = toFloat(chordsPcm);
    const oneShot = fingerprintPcm(module, pcm, RATE);
    expect(oneShot.raw.length).toBeGreaterThan(90);
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const fingerprinter = new PassageFingerprinter(module, RATE);
      for (let at = 0; at < pcm.length; ) {
        // 0 … 70,000 samples: empty chunks, single samples and chunks larger than the 32,768-sample staging buffer.
        const size = Math.min(pcm.length - at, Math.floor(random() ** 2 * 70_000));
        if (random() < 0.5) fingerprinter.feed(pcm.subarray(at, at + size));
        else fingerprinter.feedInt16(chordsPcm.subarray(at, at + size));
        at += size;
      }
      expect(fingerprinter.fedSeconds).toBe(pcm.length / RATE);
      expect(fingerprinter.finish()).toEqual(oneShot);
    }
  });

  it('stops at maxSeconds: what follows is ignored, and the result is fpcalc -length’s', async () => {
    const pcm = toFloat(chordsPcm);
    const fingerprinter = new PassageFingerprinter(module, RATE, 10);
    feedInChunks(fingerprinter, pcm, () => 3000);
    expect(fingerprinter.fedSeconds).toBe(10);
    fingerprinter.feed(pcm);
    fingerprinter.feedInt16(chordsPcm);
    expect(fingerprinter.fedSeconds).toBe(10);
    const limited = fingerprinter.finish();
    expect(limited.durationSeconds).toBe(10);
    expect(limited).toEqual(fingerprintPcm(module, pcm.subarray(0, 10 * RATE), RATE));
    expect(limited).not.toEqual(fingerprintPcm(module, pcm, RATE));

    const reference = await fpcalcRaw(chords, 10);
    expect(Math.abs(limited.raw.length - reference.length)).toBeLessThanOrEqual(1);
    expect(bitErrorRate(limited.raw, reference)).toBeLessThanOrEqual(0.01);
  }, 30_000);

  it('converts float samples to int16 like ffmpeg: ×32768, rounded, clipped; NaN as 0', () => {
    for (let s = -32768; s <= 32767; s++) if (toInt16(s / 32768) !== s) expect.fail(`${s} / 32768 → ${toInt16(s / 32768)}`);
    expect([1, -1, 0.5, -0.5, 1e-5, -1e-5, 0.25 / 32768, 0.75 / 32768].map(toInt16)).toEqual([32767, -32768, 16384, -16384, 0, 0, 0, 1]);
    expect([2, -2, Infinity, -Infinity, Number.NaN, -0].map(toInt16)).toEqual([32767, -32768, 32767, -32768, 0, 0]);
  });

  it('rounds exactly as Math.round would, halves up, on every kind of value', () => {
    const byMathRound = (x: number) => Math.max(-32768, Math.min(32767, Math.round(x * 32768))) || 0;
    expect([2.5, -2.5, 0.5, -0.5, 32767.4, 32767.5, -32768.4, -32768.5, -32768.6].map((s) => toInt16(s / 32768)))
      .toEqual([3, -2, 1, 0, 32767, 32767, -32768, -32768, -32768]);
    let seed = 7;
    for (let i = 0; i < 100_000; i++) {
      seed = (seed * 16807) % 2147483647;
      const x = ((seed / 2147483647) * 2 - 1) * 1.2;
      if (toInt16(x) !== byMathRound(x)) expect.fail(`${x}: ${toInt16(x)}, Math.round gives ${byMathRound(x)}`);
    }
  });

  it('feeds clipped and NaN samples as toInt16 converts them', () => {
    const pcm = toFloat(chordsPcm);
    const loud = pcm.map((s) => s * 8);
    const clipped = Int16Array.from(loud, (s) => Math.max(-32768, Math.min(32767, Math.round(s * 32768))));
    expect(fingerprintPcm(module, loud, RATE)).toEqual(fingerprintInt16(clipped));
    expect(fingerprintPcm(module, loud, RATE)).not.toEqual(fingerprintPcm(module, pcm, RATE));

    const holes = pcm.slice();
    const zeroed = chordsPcm.slice();
    for (let i = 0; i < holes.length; i += 7) {
      holes[i] = Number.NaN;
      zeroed[i] = 0;
    }
    expect(fingerprintPcm(module, holes, RATE)).toEqual(fingerprintInt16(zeroed));
  });

  it('accepts other sample rates (chromaprint resamples) and rejects what it cannot use', async () => {
    const native = await decode(chords, 44100);
    const ours = fingerprintPcm(module, toFloat(native), 44100);
    const reference = await fpcalcRaw(chords);
    console.log(`fingerprint flac fed at 44100 Hz: ${(bitErrorRate(ours.raw, reference) * 100).toFixed(3)} % of bits differ from fpcalc`);
    expect(Math.abs(ours.raw.length - reference.length)).toBeLessThanOrEqual(1);
    expect(bitErrorRate(ours.raw, reference)).toBeLessThanOrEqual(0.01);
    expect(ours.durationSeconds).toBeCloseTo(15, 3);

    for (const rate of [0, -1, 44100.5, Number.NaN, 1000]) expect(() => new PassageFingerprinter(module, rate)).toThrow(RangeError);
    expect(() => new PassageFingerprinter(module, RATE, -1)).toThrow(RangeError);
    expect(fingerprintPcm(module, toFloat(chordsPcm), RATE, 0)).toEqual({ raw: [], compressed: '', durationSeconds: 0 });
  }, 30_000);

  it('refuses to be used after finish() or dispose(); freeing twice is harmless', () => {
    const finished = new PassageFingerprinter(module, RATE);
    finished.feed(toFloat(chordsPcm));
    finished.finish();
    expect(() => finished.finish()).toThrow(/after finish\(\) or dispose\(\)/);
    expect(() => finished.feed(new Float32Array(10))).toThrow(/after finish\(\) or dispose\(\)/);
    finished.dispose();

    const disposed = new PassageFingerprinter(module, RATE);
    disposed.dispose();
    disposed.dispose();
    expect(() => disposed.feedInt16(new Int16Array(10))).toThrow(/after finish\(\) or dispose\(\)/);
    expect(() => disposed.finish()).toThrow(/after finish\(\) or dispose\(\)/);
  });

  it('keeps interleaved passages on one module apart', () => {
    const pcm = toFloat(chordsPcm);
    const expected = fingerprintPcm(module, pcm, RATE);
    const silent = fingerprintPcm(module, new Float32Array(pcm.length), RATE);
    for (let round = 0; round < 5; round++) {
      const a = new PassageFingerprinter(module, RATE);
      const b = new PassageFingerprinter(module, RATE);
      const abandoned = new PassageFingerprinter(module, RATE);
      for (let at = 0; at < pcm.length; at += 5000) {
        a.feed(pcm.subarray(at, at + 5000));
        b.feed(new Float32Array(Math.min(5000, pcm.length - at)));
        abandoned.feed(pcm.subarray(at, at + 5000));
      }
      abandoned.dispose();
      expect(a.finish()).toEqual(expected);
      expect(b.finish()).toEqual(silent);
    }
  });

  it('frees its context and buffer on finish() and on dispose()', () => {
    // A leaked context holds ~0.4 MB and a leaked staging buffer 64 KB; the heap grows in steps of
    // ~30 MB, so 1,000 passages would grow it by at least 64 MB if either were not freed.
    const pcm = toFloat(chordsPcm);
    const passages = (count: number): void => {
      for (let i = 0; i < count; i++) {
        const fingerprinter = new PassageFingerprinter(module, RATE);
        if (i % 2 === 0) {
          fingerprinter.feed(pcm.subarray(0, RATE / 2));
          fingerprinter.dispose();
        } else {
          fingerprinter.feed(pcm.subarray(0, 3 * RATE));
          expect(fingerprinter.finish().raw.length).toBeGreaterThan(0);
        }
      }
    };
    passages(10);
    const heap = module.memory.buffer.byteLength;
    passages(1000);
    expect(module.memory.buffer.byteLength).toBe(heap);
  }, 30_000);
});

function fingerprintInt16(samples: Int16Array): Fingerprint {
  const fingerprinter = new PassageFingerprinter(module, RATE);
  fingerprinter.feedInt16(samples);
  return fingerprinter.finish();
}

// ---------------------------------------------------------------- loading, threads, cost

describe('loadChromaprint', () => {
  it('loads once per thread', async () => {
    expect(loadChromaprint()).toBe(loadChromaprint());
    expect(await loadChromaprint()).toBe(module);
  });

  it('createChromaprint gives independent instances whose memory grows, with fresh views, as passages pile up', async () => {
    const fresh = await createChromaprint();
    expect(fresh).not.toBe(module);
    const initial = fresh.memory.buffer.byteLength;
    const pcm = toFloat(chordsPcm);
    const expected = fingerprintPcm(module, pcm, RATE);
    // ~0.4 MB per open passage: 80 of them outgrow the initial 16 MB. A new passage opens at every
    // step while the older ones are fed a second each, so the memory grows between two feeds of a
    // passage (a typed-array view kept from before would then be detached and write nothing).
    const open: { passage: PassageFingerprinter; at: number }[] = [];
    for (let step = 0; step < 80 + 15; step++) {
      if (step < 80) open.push({ passage: new PassageFingerprinter(fresh, RATE), at: 0 });
      for (const entry of open) {
        entry.passage.feed(pcm.subarray(entry.at, entry.at + RATE));
        entry.at += RATE;
      }
    }
    expect(fresh.memory.buffer.byteLength).toBeGreaterThan(initial);
    for (const { passage } of open) expect(passage.finish()).toEqual(expected);
    expect(fingerprintPcm(module, pcm, RATE)).toEqual(expected);
  }, 30_000);

  it('works in a worker thread, giving the same fingerprint and leaving globalThis alone', async () => {
    // Workers do not inherit vitest's TypeScript loader: register tsx's ESM API first (its ESM build,
    // found through tsx's package.json: require.resolve would give the CommonJS one).
    const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
    const { exports: tsxExports } = JSON.parse(await readFile(tsxPackage, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
    const tsx = pathToFileURL(join(dirname(tsxPackage), tsxExports['./esm/api']!.import.default)).href;
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      (async () => {
        const { register } = await import(workerData.tsx);
        register();
        const { loadChromaprint, fingerprintPcm } = await import(workerData.fingerprint);
        const before = new Set(Object.getOwnPropertyNames(globalThis));
        const module = await loadChromaprint();
        const added = Object.getOwnPropertyNames(globalThis).filter((name) => !before.has(name));
        parentPort.postMessage({ fingerprint: fingerprintPcm(module, workerData.samples, workerData.rate), added });
      })().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
    `;
    const samples = toFloat(chordsPcm);
    const worker = new Worker(source, {
      eval: true,
      workerData: { tsx, fingerprint: new URL('../../src/analysis/fingerprint.ts', import.meta.url).href, samples, rate: RATE },
    });
    try {
      const reply = await new Promise<{ fingerprint?: Fingerprint; added?: string[]; error?: string }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(reply.error).toBeUndefined();
      expect(reply.added).toEqual([]);
      expect(reply.fingerprint).toEqual(fingerprintPcm(module, samples, RATE));
    } finally {
      await worker.terminate();
    }
  }, 60_000);

  it('costs (printed, not asserted) per 120 s of audio', async () => {
    const native = toFloat(await decode(chords, 44100));
    for (const [rate, pcm] of [[RATE, toFloat(chordsPcm)], [44100, native]] as const) {
      // 130 s of audio (the 15-s fixture repeated) streamed in 1-s chunks; only the first 120 s count.
      const fingerprintLong = (): Fingerprint => {
        const fingerprinter = new PassageFingerprinter(module, rate);
        for (let second = 0; second < 130; second++) {
          const at = (second % 15) * rate;
          fingerprinter.feed(pcm.subarray(at, at + rate));
        }
        return fingerprinter.finish();
      };
      const first = fingerprintLong(); // also warms the JIT
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        const again = fingerprintLong();
        times.push(performance.now() - start);
        expect(again).toEqual(first);
      }
      times.sort((a, b) => a - b);
      console.log(`fingerprint cost at ${rate} Hz: ${times[2]!.toFixed(1)} ms per 120 s (median of 5; min ${times[0]!.toFixed(1)}, max ${times[4]!.toFixed(1)})`);
      expect(first.durationSeconds).toBe(120);
      expect(first.raw.length).toBeGreaterThan(900);
    }
  }, 60_000);
});

// ---------------------------------------------------------------- the wasm's imports

describe('chromaprintRuntime (what the wasm imports instead of emscripten’s glue)', () => {
  const Memory = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory } })
    .WebAssembly.Memory;
  const PAGE = 65536;

  function setup(pages = 1, maximum = 4): { memory: WasmMemory; runtime: ReturnType<typeof chromaprintRuntime> } {
    const memory = new Memory({ initial: pages, maximum });
    return { memory, runtime: chromaprintRuntime({ memory }) };
  }

  function writeString(memory: WasmMemory, at: number, text: string): void {
    new Uint8Array(memory.buffer).set(Buffer.from(`${text}\0`, 'latin1'), at);
  }

  it('grows memory to at least the requested size, and refuses what cannot be had', () => {
    const { memory, runtime } = setup(1, 4);
    expect(runtime.emscripten_resize_heap(2 * PAGE + 1)).toBe(1);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(3 * PAGE);
    expect(runtime.emscripten_resize_heap(10 * PAGE)).toBe(0); // over the memory's maximum
    expect(runtime.emscripten_resize_heap(2 ** 31 + PAGE)).toBe(0); // over emscripten's 2 GiB heap limit
    expect(memory.buffer.byteLength).toBeLessThanOrEqual(4 * PAGE);
  });

  it('keeps what chromaprint writes to stdout/stderr and reports it when it aborts', () => {
    const { memory, runtime } = setup();
    writeString(memory, 100, 'hello\nwor');
    writeString(memory, 200, 'ld\n');
    new Uint32Array(memory.buffer).set([100, 9, 200, 3], 16 / 4); // two iovecs {ptr, len} at byte 16
    expect(runtime.fd_write(2, 16, 2, 64)).toBe(0);
    expect(new Uint32Array(memory.buffer)[64 / 4]).toBe(12); // bytes written, stored at byte 64
    writeString(memory, 300, 'FFT failed');
    runtime.emscripten_err(300);
    expect(() => runtime._abort_js()).toThrow(ChromaprintAbort);
    expect(() => runtime._abort_js()).toThrow('chromaprint aborted: native code called abort() (chromaprint wrote: hello | world | FFT failed)');
    expect(() => runtime.proc_exit(3)).toThrow(/exit\(3\)/);
    expect(() => runtime.__cxa_throw()).toThrow(/C\+\+ exception/);
  });

  it('answers the remaining calls as an environment without files or variables', () => {
    const { memory, runtime } = setup();
    const bytes = new Uint8Array(memory.buffer);
    expect(runtime.random_get(1000, 64)).toBe(0);
    expect(bytes.subarray(1000, 1064).some((b) => b !== 0)).toBe(true);
    expect(bytes[999]).toBe(0);
    expect(bytes[1064]).toBe(0);
    new Uint32Array(memory.buffer).fill(0xffffffff, 0, 4);
    expect(runtime.environ_sizes_get(0, 4)).toBe(0);
    expect(Array.from(new Uint32Array(memory.buffer, 0, 2))).toEqual([0, 0]);
    expect(runtime.environ_get()).toBe(0);
    expect(runtime.fd_close()).toBe(8); // EBADF
    expect(runtime.fd_seek()).toBe(70); // ESPIPE
    expect(runtime._setitimer_js()).toBe(0);
    expect(runtime._emscripten_runtime_keepalive_clear()).toBeUndefined();
    expect(runtime.emscripten_get_now()).toBeTypeOf('number');
    expect(runtime.emscripten_date_now()).toBeTypeOf('number');
    expect(() => chromaprintRuntime({}).random_get(0, 1)).toThrow(/before it was instantiated/);
  });
});
