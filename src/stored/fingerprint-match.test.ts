/**
 * decompressFingerprint is checked against fpcalc (its compressed output must unpack to exactly the
 * numbers `fpcalc -raw` prints) and against a port of chromaprint's compressor for the values real
 * audio rarely gives; compareFingerprints against fpcalc's fingerprints of one piece in several
 * encodings, of another piece, and of the piece with its start cut. The audio is made by ffmpeg at
 * test time; a real recording comes from Debian's soundtrack packages when installed. ffmpeg and
 * fpcalc are required (`apt-get install ffmpeg libchromaprint-tools`): without them these tests
 * fail, they do not skip.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { seededRandom } from '../../test/seeded-random.js';
import { compareFingerprints, decompressFingerprint, type FingerprintComparison } from './fingerprint-match.js';

/** Seconds per sub-fingerprint: chromaprint steps 1365 samples at 11025 Hz. */
const SUB_FINGERPRINT_SECONDS = 1365 / 11025;
/** What the header's first byte holds for chromaprint's default algorithm (fpcalc's `-algorithm 2`). */
const DEFAULT_ALGORITHM = 1;

// ---------------------------------------------------------------- a port of chromaprint's compressor

/** `values` packed `bits` each, least significant bit first (chromaprint's PackInt{3,5}Array). */
function packBits(values: readonly number[], bits: number): number[] {
  const bytes = new Array<number>(Math.ceil((values.length * bits) / 8)).fill(0);
  values.forEach((value, index) => {
    for (let bit = 0; bit < bits; bit++) {
      const at = index * bits + bit;
      if ((value >> bit) & 1) bytes[at >> 3]! |= 1 << (at & 7);
    }
  });
  return bytes;
}

/** chromaprint's FingerprintCompressor::Compress, then base64url: what fpcalc prints. */
function compress(raw: readonly number[], algorithm = DEFAULT_ALGORITHM): string {
  const normal: number[] = [];
  const exceptional: number[] = [];
  raw.forEach((value, index) => {
    let x = (index === 0 ? value : value ^ raw[index - 1]!) >>> 0;
    for (let bit = 1, lastBit = 0; x !== 0; x >>>= 1, bit++) {
      if ((x & 1) === 0) continue;
      const gap = bit - lastBit;
      normal.push(Math.min(gap, 7));
      if (gap >= 7) exceptional.push(gap - 7);
      lastBit = bit;
    }
    normal.push(0);
  });
  const header = [algorithm, (raw.length >> 16) & 255, (raw.length >> 8) & 255, raw.length & 255];
  return Buffer.from([...header, ...packBits(normal, 3), ...packBits(exceptional, 5)]).toString('base64url');
}

const base64url = (bytes: readonly number[]): string => Buffer.from(bytes).toString('base64url');

// ---------------------------------------------------------------- ffmpeg and fpcalc

const install: Record<string, string> = { ffmpeg: 'apt-get install ffmpeg', fpcalc: 'apt-get install libchromaprint-tools' };

/** Runs a tool to completion, whatever its exit status; a missing tool fails with how to install it. */
function run(command: string, args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error.code === 'ENOENT' ? new Error(`${command} is not installed; these tests need it (Debian: ${install[command]})`) : error);
      } else {
        resolve({ status: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      }
    });
  });
}

async function ffmpeg(...args: string[]): Promise<void> {
  const { status, stderr } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
  if (status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${stderr}`);
}

interface FpcalcFingerprint {
  compressed: string;
  raw: number[];
}

/**
 * What fpcalc prints for `file` with `-plain`, and with `-raw -plain`. fpcalc 1.5.1 ends many
 * files with "ERROR: Error decoding audio frame (End of file)" and exit status 3 after printing a
 * correct result, so the output is checked, not the status.
 */
async function fpcalc(file: string): Promise<FpcalcFingerprint> {
  const [compressed, raw] = await Promise.all([run('fpcalc', ['-plain', file]), run('fpcalc', ['-raw', '-plain', file])]);
  for (const ran of [compressed, raw]) {
    if (ran.stdout.trim() === '') throw new Error(`fpcalc gave no fingerprint for ${file} (status ${ran.status}): ${ran.stderr}`);
  }
  return { compressed: compressed.stdout.trim(), raw: raw.stdout.trim().split(',').map(Number) };
}

/**
 * A `seconds`-long tune as an ffmpeg lavfi source: three voices, each stepping through `notes`
 * pitches at its own pace, every note decaying. Chromaprint needs a spectrum that changes: over
 * steady noise every sub-fingerprint is nearly the same, and any two such signals look alike.
 */
function tune(variant: 'first' | 'second', seconds: number): string {
  const voices = variant === 'first'
    ? [[0.3, 220, 55, 2, 7], [0.2, 330, 44, 3, 5], [0.1, 660, 110, 1.5, 4]]
    : [[0.3, 247, 62, 2.5, 6], [0.2, 392, 49, 1.7, 5], [0.1, 523, 131, 3.3, 4]];
  const sum = voices
    .map(([amplitude, baseHz, stepHz, notesPerSecond, notes]) => (
      `${amplitude}*(1-0.6*mod(t*${notesPerSecond},1))*sin(2*PI*(${baseHz}+${stepHz}*mod(floor(t*${notesPerSecond}),${notes}))*t)`
    ))
    .join('+');
  return `aevalsrc='${sum}':s=44100:d=${seconds}`;
}

/** Encodings of one source the comparisons treat as the same recording. */
const ENCODINGS = {
  flac: [],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '128k'],
  ogg: ['-c:a', 'libvorbis', '-q:a', '3'],
} as const satisfies Record<string, readonly string[]>;
type Encoding = keyof typeof ENCODINGS;

/** The source encoded three ways, the same with its first 2 s cut (FLAC), fingerprinted. */
interface PieceFingerprints {
  encodings: Record<Encoding, FpcalcFingerprint>;
  cut: FpcalcFingerprint;
}

async function fingerprintPiece(folder: string, name: string, source: string): Promise<PieceFingerprints> {
  const file = (suffix: string) => join(folder, `${name}${suffix}`);
  const kinds = Object.keys(ENCODINGS) as Encoding[];
  await Promise.all([
    ...kinds.map((kind) => ffmpeg('-i', source, ...ENCODINGS[kind], file(`.${kind}`))),
    ffmpeg('-ss', '2', '-i', source, file('-cut.flac')),
  ]);
  const [flac, mp3, ogg, cut] = await Promise.all([...kinds.map((kind) => fpcalc(file(`.${kind}`))), fpcalc(file('-cut.flac'))]);
  return { encodings: { flac: flac!, mp3: mp3!, ogg: ogg! }, cut: cut! };
}

/**
 * A real recording and another piece, from Debian's soundtrack packages, and which package: the
 * first pair installed. Two minutes of each are taken (fpcalc reads no more).
 */
const REAL_RECORDINGS = [
  { package: 'asc-music', piece: '/usr/share/games/asc/music/frontiers.mp3', other: '/usr/share/games/asc/music/machine_wars.mp3' },
  { package: 'drascula-music', piece: '/usr/share/scummvm/drascula/audio/track2.ogg', other: '/usr/share/scummvm/drascula/audio/track3.ogg' },
];
const realRecording = REAL_RECORDINGS.find((pair) => existsSync(pair.piece) && existsSync(pair.other));
const NO_REAL_RECORDING = 'no real recording: install asc-music or drascula-music (Debian) to run this case';

const raw = (fingerprint: FpcalcFingerprint): Uint32Array => decompressFingerprint(fingerprint.compressed)!.raw;

/** The encodings compared pairwise. */
const PAIRS = [['flac', 'mp3'], ['flac', 'ogg'], ['mp3', 'ogg']] as const;

/** Compares two of fpcalc's fingerprints and notes the result on the test (`--reporter=verbose` shows it). */
async function measure(ctx: TestContext, what: string, a: FpcalcFingerprint, b: FpcalcFingerprint): Promise<FingerprintComparison> {
  const result = compareFingerprints(raw(a), raw(b));
  await ctx.annotate(`${what}: bit error rate ${result.bitErrorRate.toFixed(5)} at offset ${result.offset} over ${result.overlap}`, 'measured');
  return result;
}

let folder: string;
let synthetic: PieceFingerprints;
let syntheticOther: FpcalcFingerprint;
let syntheticShort: FpcalcFingerprint;
let real: (PieceFingerprints & { original: FpcalcFingerprint; other: FpcalcFingerprint }) | undefined;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'wkmp-fingerprint-match-'));
  const tuneFile = join(folder, 'tune.wav');
  await Promise.all([
    ffmpeg('-f', 'lavfi', '-i', tune('first', 30), tuneFile),
    ffmpeg('-f', 'lavfi', '-i', tune('second', 30), join(folder, 'other.flac')),
    ffmpeg('-f', 'lavfi', '-i', tune('first', 5), join(folder, 'short.flac')),
  ]);
  [synthetic, syntheticOther, syntheticShort] = await Promise.all([
    fingerprintPiece(folder, 'tune', tuneFile),
    fpcalc(join(folder, 'other.flac')),
    fpcalc(join(folder, 'short.flac')),
  ]);
  if (realRecording) {
    const [excerpt, other] = [join(folder, 'real.wav'), join(folder, 'real-other.flac')];
    await Promise.all([ffmpeg('-t', '125', '-i', realRecording.piece, excerpt), ffmpeg('-t', '125', '-i', realRecording.other, other)]);
    const [piece, original, otherFingerprint] = await Promise.all([fingerprintPiece(folder, 'real', excerpt), fpcalc(realRecording.piece), fpcalc(other)]);
    real = { ...piece, original, other: otherFingerprint };
  }
}, 120_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

// ---------------------------------------------------------------- decompressFingerprint

describe('decompressFingerprint', () => {
  it.each([
    ['the 5 s tune (FLAC)', () => syntheticShort],
    ['the 30 s tune (FLAC)', () => synthetic.encodings.flac],
    ['the 30 s tune (MP3 128k)', () => synthetic.encodings.mp3],
    ['the 30 s tune (Ogg Vorbis q3)', () => synthetic.encodings.ogg],
    ['the 28 s tune cut at 2 s', () => synthetic.cut],
    ['another 30 s tune', () => syntheticOther],
  ])('unpacks fpcalc\'s fingerprint of %s to exactly the numbers `fpcalc -raw` prints', (_, fingerprint) => {
    const { compressed, raw: expected } = fingerprint();
    const decompressed = decompressFingerprint(compressed);
    expect(decompressed?.algorithm).toBe(DEFAULT_ALGORITHM);
    expect(Array.from(decompressed!.raw)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(15); // 5 s: 19
  });

  it('unpacks fpcalc\'s fingerprints of two minutes of a real recording, as MP3 and re-encoded, exactly', (ctx) => {
    ctx.skip(!real, NO_REAL_RECORDING);
    for (const fingerprint of [real!.original, real!.encodings.flac, real!.encodings.mp3, real!.encodings.ogg, real!.other]) {
      expect(fingerprint.raw.length).toBeGreaterThan(900); // 120 s
      expect(Array.from(decompressFingerprint(fingerprint.compressed)!.raw)).toEqual(fingerprint.raw);
    }
  });

  it('round-trips chromaprint\'s compressor on the values real audio seldom gives: high bits, long gaps, all ones', () => {
    const random = seededRandom(20240611);
    const sparse = (): number => (1 << Math.floor(random() * 32)) >>> 0; // one set bit: gaps up to 32
    const cases: number[][] = [
      [0],
      [0xffffffff],
      [0x80000000, 1, 0x80000001, 0, 0x80000000],
      Array.from({ length: 500 }, () => Math.floor(random() * 2 ** 32)),
      Array.from({ length: 500 }, sparse),
    ];
    for (const values of cases) {
      const decompressed = decompressFingerprint(compress(values, 3));
      expect(decompressed?.algorithm).toBe(3);
      expect(Array.from(decompressed!.raw)).toEqual(values);
    }
  });

  it('reads a header that declares no sub-fingerprints as an empty fingerprint, as chromaprint does', () => {
    expect(decompressFingerprint(base64url([1, 0, 0, 0]))).toEqual({ algorithm: 1, raw: new Uint32Array(0) });
    expect(decompressFingerprint(compress([]))).toEqual({ algorithm: 1, raw: new Uint32Array(0) });
  });

  it('ignores bytes after the exceptional values, as chromaprint does', () => {
    const values = [0x80000000, 5, 0x12345678];
    expect(Array.from(decompressFingerprint(base64url([...Buffer.from(compress(values), 'base64url'), 0xff, 0xff]))!.raw)).toEqual(values);
  });

  const valid = compress([0x80000000, 0x00ff00ff, 0x12345678, 0xdeadbeef]);
  it.each([
    ['empty text', ''],
    ['a header cut short', base64url([1, 0, 0])],
    ['characters outside base64url', `${valid.slice(0, 8)}+/${valid.slice(10)}`],
    ['padding', `${valid}=`],
    ['whitespace', ` ${valid}`],
    ['a length no base64 has (4n + 1)', valid + 'A'.repeat((5 - (valid.length % 4)) % 4)],
    ['more sub-fingerprints declared than there are runs', base64url([1, 0, 0, 9, 0b001001])],
    ['normal bits cut short', valid.slice(0, 10)],
    ['exceptional values missing', base64url([...Buffer.from(valid, 'base64url')].slice(0, -1))],
    ['a bit past bit 32 (gap 7 + 31)', base64url([1, 0, 0, 1, 0b000111, 31])],
    ['non-ASCII text', 'AQAA\u00e9\u00e9\u00e9\u00e9'],
  ])('returns null for %s', (_, text) => {
    expect(decompressFingerprint(text)).toBeNull();
  });
});

// ---------------------------------------------------------------- compareFingerprints

describe('compareFingerprints', () => {
  const random = seededRandom(7);
  const noise = (length: number): Uint32Array => Uint32Array.from({ length }, () => Math.floor(random() * 2 ** 32));

  it('finds where the second sits in the first: positive when it starts later', () => {
    const a = noise(300);
    expect(compareFingerprints(a, a.subarray(20))).toEqual({ bitErrorRate: 0, offset: 20, overlap: 280 });
    expect(compareFingerprints(a.subarray(20), a)).toEqual({ bitErrorRate: 0, offset: -20, overlap: 280 });
    expect(compareFingerprints(a.subarray(0, 250), a.subarray(30))).toEqual({ bitErrorRate: 0, offset: 30, overlap: 220 });
  });

  it('scores unrelated sub-fingerprints near 0.5 and a bitwise complement 1', () => {
    const a = noise(500);
    expect(compareFingerprints(a, noise(500)).bitErrorRate).toBeCloseTo(0.5, 1);
    expect(compareFingerprints(a, a.map((x) => ~x >>> 0), { maxOffset: 0 })).toEqual({ bitErrorRate: 1, offset: 0, overlap: 500 });
  });

  it('looks no further than maxOffset', () => {
    const a = noise(300);
    expect(compareFingerprints(a, a.subarray(20), { maxOffset: 19 }).bitErrorRate).toBeGreaterThan(0.4);
    expect(compareFingerprints(a, a.subarray(100)).offset).not.toBe(100); // beyond the default ±80
    expect(compareFingerprints(a, a.subarray(100), { maxOffset: 100 }).offset).toBe(100);
    expect(compareFingerprints(a, a.subarray(100), { maxOffset: Infinity }).offset).toBe(100);
  });

  it('skips offsets that leave less than half the shorter fingerprint overlapping', () => {
    const a = noise(100);
    const tail = a.subarray(60); // 40 long: lined up at offset 60, where all 40 overlap
    const shifted = Uint32Array.from([...noise(25), ...a.subarray(0, 15)]); // a's start 25 in: only 15 overlap, under 20
    expect(compareFingerprints(a, tail).offset).toBe(60);
    expect(compareFingerprints(shifted, a).bitErrorRate).toBeGreaterThan(0.4);
  });

  it('scores nothing against an empty fingerprint: overlap 0, bit error rate 1', () => {
    expect(compareFingerprints(noise(10), new Uint32Array(0))).toEqual({ bitErrorRate: 1, offset: 0, overlap: 0 });
    expect(compareFingerprints(new Uint32Array(0), new Uint32Array(0))).toEqual({ bitErrorRate: 1, offset: 0, overlap: 0 });
  });

  it('takes the smallest shift among equally good ones', () => {
    const constant = new Uint32Array(200).fill(0x0f0f0f0f);
    expect(compareFingerprints(constant, constant)).toEqual({ bitErrorRate: 0, offset: 0, overlap: 200 });
  });

  it('compares two 120 s fingerprints at 161 offsets in a few milliseconds', () => {
    const [a, b] = [noise(970), noise(970)];
    compareFingerprints(a, b); // warm up
    const started = performance.now();
    for (let i = 0; i < 10; i++) compareFingerprints(a, b);
    expect((performance.now() - started) / 10).toBeLessThan(25); // ~1 ms; generous for a loaded machine and coverage
  });

  describe('on fpcalc\'s fingerprints of a synthetic tune', () => {
    it.for(PAIRS)('scores the %s and %s encodings of one source under 0.1, lined up at offset 0', async ([first, second], ctx) => {
      const result = await measure(ctx, `${first} / ${second}`, synthetic.encodings[first], synthetic.encodings[second]);
      expect(result.bitErrorRate).toBeLessThan(0.1);
      expect(result.offset).toBe(0);
    });

    it('scores another tune at 0.35 or more', async (ctx) => {
      for (const [kind, encoding] of Object.entries(synthetic.encodings)) {
        expect((await measure(ctx, `${kind} / other tune`, encoding, syntheticOther)).bitErrorRate).toBeGreaterThanOrEqual(0.35);
      }
    });

    it('finds the tune with its first 2 s cut 16 sub-fingerprints in (2 s / 0.124 s), under 0.1', async (ctx) => {
      const result = await measure(ctx, 'mp3 / flac cut at 2 s', synthetic.encodings.mp3, synthetic.cut);
      expect(Math.abs(result.offset - 2 / SUB_FINGERPRINT_SECONDS)).toBeLessThanOrEqual(1);
      expect(result.bitErrorRate).toBeLessThan(0.1);
    });
  });

  describe('on fpcalc\'s fingerprints of two minutes of a real recording', () => {
    it.for(PAIRS)('scores the %s and %s encodings under 0.1, lined up at offset 0', async ([first, second], ctx) => {
      ctx.skip(!real, NO_REAL_RECORDING);
      const result = await measure(ctx, `${first} / ${second}`, real!.encodings[first], real!.encodings[second]);
      expect(result.bitErrorRate).toBeLessThan(0.1);
      expect(result.offset).toBe(0);
    });

    it('scores the original MP3 and its re-encodings under 0.1', async (ctx) => {
      ctx.skip(!real, NO_REAL_RECORDING);
      for (const [kind, encoding] of Object.entries(real!.encodings)) {
        expect((await measure(ctx, `original / ${kind}`, real!.original, encoding)).bitErrorRate).toBeLessThan(0.1);
      }
    });

    it('scores another piece from the same soundtrack at 0.35 or more', async (ctx) => {
      ctx.skip(!real, NO_REAL_RECORDING);
      for (const [kind, encoding] of Object.entries(real!.encodings)) {
        expect((await measure(ctx, `${kind} / other piece`, encoding, real!.other)).bitErrorRate).toBeGreaterThanOrEqual(0.35);
      }
    });

    it('finds the recording with its first 2 s cut 16 sub-fingerprints in, under 0.1', async (ctx) => {
      ctx.skip(!real, NO_REAL_RECORDING);
      const result = await measure(ctx, 'ogg / flac cut at 2 s', real!.encodings.ogg, real!.cut);
      expect(Math.abs(result.offset - 2 / SUB_FINGERPRINT_SECONDS)).toBeLessThanOrEqual(1);
      expect(result.bitErrorRate).toBeLessThan(0.1);
    });
  });
});
