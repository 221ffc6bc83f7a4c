/**
 * The audio descriptors (src/analysis/features/), measured as analysis measures them: ffmpeg decodes
 * to mono 11025 Hz float32 (the arguments of analysis/decode/ffmpeg.ts) and measureAudioFeatures
 * takes the samples. First on material made for the test, whose answer is known by construction
 * (kick drums at set tempi, chord progressions in set keys, tones and noise at set levels, silence);
 * then on the real music of Debian's asc-music and drascula-music against reference programs run on
 * the same audio (aubio's beat tracker for the tempo, ffmpeg's ebur128 filter for the loudness);
 * then on copies of real pieces sped up, transposed, and encoded twice.
 *
 * The real pieces are measured on their first 90 s: enough beats for a tempo, and the test stays
 * well under a minute on two cores.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureAudioFeatures } from '../../src/analysis/features/measure.js';
import { flavorDistance } from '../../src/flavor/distance.js';
import { localFlavor } from '../../src/flavor/local.js';
import { pitchClasses, type AudioFeatures } from '../../src/stored/additional-metadata.js';
import { fileScopedFolder } from './db-helpers.js';

const analysisRate = 11025;
const realSeconds = 90;
/** Pieces shorter than this (jingles) are left out of the real-music comparisons. */
const shortestPiece = 30;
const realPieces = [
  ...readdirSync('/usr/share/games/asc/music').map((name) => join('/usr/share/games/asc/music', name)),
  ...readdirSync('/usr/share/scummvm/drascula/audio').map((name) => join('/usr/share/scummvm/drascula/audio', name)),
].sort();
const drascula = (track: number) => `/usr/share/scummvm/drascula/audio/track${track}.ogg`;

/** Runs a program to its end, `input` on its stdin; its stdout as bytes, its stderr as text. */
function runProgram(command: string, args: string[], input?: Uint8Array): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.toString().trim() || error.message}`, { cause: error }));
      else resolve({ stdout, stderr: stderr.toString() });
    });
    child.stdin?.end(input);
  });
}

const ffmpeg = (args: string[]) => runProgram('ffmpeg', ['-nostdin', '-hide_banner', '-v', 'error', '-y', ...args]);

/** The analysis signal: what analysis/decode/ffmpeg.ts has ffmpeg make of `input` (channels averaged, 11025 Hz, float32). */
async function decode(input: string[], filter?: string): Promise<Float32Array> {
  const { stdout } = await ffmpeg([...input, ...(filter === undefined ? [] : ['-af', filter]), '-vn', '-ac', '1', '-rematrix_maxval', '1', '-ar', String(analysisRate), '-f', 'f32le', '-']);
  // A copy: the Buffer's bytes need not start on a float's boundary.
  return new Float32Array(new Uint8Array(stdout).buffer);
}

/** `seconds` of an ffmpeg lavfi source graph, decoded as analysis decodes. */
const synthesise = (graph: string, seconds: number) => decode(['-f', 'lavfi', '-t', String(seconds), '-i', graph]);
/** The first `seconds` of a file, decoded as analysis decodes. */
const decodeFile = (path: string, seconds: number, filter?: string) => decode(['-t', String(seconds), '-i', path], filter);
const measure = (samples: Float32Array) => measureAudioFeatures(samples, analysisRate);

interface R128 { integratedLufs: number; rangeLu: number }

/** ffmpeg's EBU R128 meter (the ebur128 filter, which resamples to 48 kHz) on the same signal: its summary. */
async function ebur128(samples: Float32Array): Promise<R128> {
  const { stderr } = await runProgram('ffmpeg', ['-hide_banner', '-nostats', '-f', 'f32le', '-ar', String(analysisRate), '-ac', '1', '-i', '-', '-af', 'ebur128', '-f', 'null', '-'],
    new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
  const range = /LRA:\s+([\d.]+) LU/.exec(summary);
  if (!integrated || !range) throw new Error(`no ebur128 summary in:\n${summary}`);
  return { integratedLufs: Number(integrated[1]), rangeLu: Number(range[1]) };
}

/**
 * aubio's tempo of a file: what `aubio tempo` prints, which is the mean of its beat tracker's
 * instantaneous tempi (60 / each interval between beats; aubio 0.4.9's python/aubio/cmd.py), and the
 * median of those tempi from `aubio beat`'s beats, which a tracker's occasional skipped or doubled
 * beat does not drag (aubio's author recommends it: aubio/aubio#52). Both on a 44.1 kHz mono WAV of
 * the same first seconds, the rate aubio's default 1024/512 analysis is made for. And `aubio onset`'s
 * onsets per second (its default high-frequency-content detector) on the same WAV.
 */
async function aubioTempo(path: string, seconds: number, folder: string): Promise<{ printedBpm: number; medianBpm: number; onsetsPerSecond: number }> {
  const wav = join(folder, `${basename(path)}.wav`);
  await ffmpeg(['-t', String(seconds), '-i', path, '-vn', '-ac', '1', '-ar', '44100', wav]);
  const [tempo, beat, onset] = await Promise.all([
    runProgram('aubio', ['tempo', '-i', wav]), runProgram('aubio', ['beat', '-i', wav]), runProgram('aubio', ['onset', '-i', wav]),
  ]);
  const printed = /^(\d+(?:\.\d+)?) bpm/.exec(tempo.stdout.toString().trim());
  if (!printed) throw new Error(`aubio tempo printed ${tempo.stdout.toString()}`);
  const beats = beat.stdout.toString().trim().split(/\s+/).map(Number);
  const tempi = beats.slice(1).map((time, i) => 60 / (time - beats[i]!)).sort((a, b) => a - b);
  const middle = tempi.length / 2;
  const median = tempi.length % 2 === 1 ? tempi[Math.floor(middle)]! : (tempi[middle - 1]! + tempi[middle]!) / 2;
  const onsets = onset.stdout.toString().trim().split(/\s+/).filter((line) => line !== '').length;
  return { printedBpm: Number(printed[1]), medianBpm: median, onsetsPerSecond: onsets / seconds };
}

/** `work` on every item, at most `limit` at a time; the results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Within 4 % of the reference, or of its double or half: the same beat counted at another metrical level. */
function agreesInTempo(ours: number | null, reference: number): boolean {
  return ours !== null && [1, 2, 0.5].some((octave) => Math.abs(ours / (reference * octave) - 1) <= 0.04);
}

/** Semitones from one pitch class up to another, 0-11. */
const semitonesUp = (from: string | null, to: string | null) =>
  (pitchClasses.indexOf(to as (typeof pitchClasses)[number]) - pitchClasses.indexOf(from as (typeof pitchClasses)[number]) + 12) % 12;

// ---------------------------------------------------------------------------------------------
// Material made for the test.

/** A kick drum on every beat: a sine swept from 155 Hz down to 45 Hz, decaying in about a quarter second. */
function kickDrum(bpm: number): string {
  const sinceBeat = `mod(t\\,${60 / bpm})`;
  return `aevalsrc=exprs=0.7*sin(2*PI*(45*${sinceBeat}+4.4*(1-exp(-25*${sinceBeat}))))*exp(-9*${sinceBeat}):s=44100`;
}

/** A 5 ms burst of 1 kHz on every beat. */
function clickTrack(bpm: number): string {
  return `aevalsrc=exprs=if(lt(mod(t\\,${60 / bpm})\\,0.005)\\,0.8*sin(2*PI*1000*t)\\,0):s=44100`;
}

type Chord = readonly [root: (typeof pitchClasses)[number], quality: 'major' | 'minor'];

/**
 * Chords a second each, looped: each a bass on its root (C3 to F#3) under the triad from the root
 * above middle C, each note with its second and third harmonics, plucked (decaying from its start).
 */
function chordProgression(chords: readonly Chord[]): string {
  const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
  const terms = chords.map(([root, quality], i) => {
    const pitch = pitchClasses.indexOf(root);
    const notes = [48 + pitch - (pitch > 6 ? 12 : 0), 60 + pitch, 60 + pitch + (quality === 'major' ? 4 : 3), 60 + pitch + 7];
    const partials = notes.flatMap((midi) => [1, 2, 3].map((harmonic) => `${(0.12 / harmonic).toFixed(3)}*sin(2*PI*${(hz(midi) * harmonic).toFixed(3)}*t)`));
    const sinceChord = `(mod(t\\,${chords.length})-${i})`;
    return `gte(${sinceChord}\\,0)*lt(${sinceChord}\\,1)*exp(-1.5*${sinceChord})*(${partials.join('+')})`;
  });
  return `aevalsrc=exprs=${terms.join('+')}:s=${analysisRate}`;
}

const pinkNoise = (seed: number) => `anoisesrc=color=pink:seed=${seed}:amplitude=0.1:r=44100`;

/** The samples times a gain in dB. */
function scaled(samples: Float32Array, gainDb: number): Float32Array {
  const gain = 10 ** (gainDb / 20);
  return samples.map((x) => x * gain);
}

describe('audio descriptors of material made for the test', () => {
  it.each([72, 100, 128, 150])('a kick drum at %i BPM is measured within 2 per cent', async (bpm) => {
    const features = measure(await synthesise(kickDrum(bpm), 30));
    expect(features.bpm).not.toBeNull();
    expect(Math.abs(features.bpm! / bpm - 1), `${features.bpm} BPM`).toBeLessThanOrEqual(0.02);
    expect(features.bpm_confidence).toBeGreaterThan(0.5);
  });

  it.each([100, 150])('a click track at %i BPM: its tempo, and an onset for each click', async (bpm) => {
    const features = measure(await synthesise(clickTrack(bpm), 30));
    expect(Math.abs(features.bpm! / bpm - 1), `${features.bpm} BPM`).toBeLessThanOrEqual(0.02);
    expect(Math.abs(features.onset_rate / (bpm / 60) - 1), `${features.onset_rate} onsets a second`).toBeLessThanOrEqual(0.05);
  });

  const progressions: [string, Chord[]][] = [
    ['C major', [['C', 'major'], ['F', 'major'], ['G', 'major'], ['C', 'major']]],
    ['A minor', [['A', 'minor'], ['D', 'minor'], ['E', 'major'], ['A', 'minor']]],
    ['F# major', [['F#', 'major'], ['B', 'major'], ['C#', 'major'], ['F#', 'major']]],
    ['E minor', [['E', 'minor'], ['A', 'minor'], ['B', 'major'], ['E', 'minor']]],
  ];
  it.each(progressions)('I-IV-V-I (i-iv-V-i in minor) in %s is in that key', async (key, chords) => {
    const features = measure(await synthesise(chordProgression(chords), 16));
    expect(`${features.key} ${features.mode}`).toBe(key);
    expect(features.key_strength).toBeGreaterThan(0.8);
  });

  it.each([-23, -14])('a 1 kHz tone at %i LUFS (by its level: BS.1770 reads a 0 dBFS sine as -3.01) reads so, as ffmpeg ebur128 does', async (target) => {
    const peak = 10 ** ((target + 3.01) / 20);
    const tone = await synthesise(`aevalsrc=exprs=${peak.toFixed(6)}*sin(2*PI*1000*t):s=44100`, 20);
    const reference = await ebur128(tone);
    expect(Math.abs(reference.integratedLufs - target)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(measure(tone).loudness_lufs! - reference.integratedLufs)).toBeLessThanOrEqual(0.5);
  });

  it.each([-23, -14])('pink noise brought to %i LUFS by its gain reads so, as ffmpeg ebur128 does', async (target) => {
    const noise = await synthesise(pinkNoise(7), 20);
    const before = await ebur128(noise);
    const levelled = scaled(noise, target - before.integratedLufs);
    const reference = await ebur128(levelled);
    expect(Math.abs(reference.integratedLufs - target)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(measure(levelled).loudness_lufs! - reference.integratedLufs)).toBeLessThanOrEqual(0.5);
  });

  it('noise stepping between two levels 10 dB apart every 10 s has a loudness range of about 10 LU, as ffmpeg ebur128 says', async () => {
    const steps = await synthesise(`${pinkNoise(11)},volume='if(lt(mod(t\\,20)\\,10)\\,1\\,0.31623)':eval=frame`, 60);
    const features = measure(steps);
    const reference = await ebur128(steps);
    expect(Math.abs(features.loudness_range_lu - 10), `${features.loudness_range_lu} LU`).toBeLessThanOrEqual(1);
    expect(Math.abs(features.loudness_range_lu - reference.rangeLu)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(features.loudness_lufs! - reference.integratedLufs)).toBeLessThanOrEqual(0.5);
  });

  it('noise high-passed at 2 kHz is brighter than noise low-passed at 500 Hz', async () => {
    const [bright, dark] = await Promise.all([
      synthesise('anoisesrc=color=white:seed=3:amplitude=0.3:r=44100,highpass=f=2000,highpass=f=2000', 20),
      synthesise('anoisesrc=color=white:seed=3:amplitude=0.3:r=44100,lowpass=f=500,lowpass=f=500', 20),
    ]);
    const [brightHz, darkHz] = [measure(bright).spectral_centroid_hz, measure(dark).spectral_centroid_hz];
    expect(brightHz).toBeGreaterThan(2000);
    expect(darkHz).toBeLessThan(1000);
  });

  it('silence has no tempo, no key and no loudness', async () => {
    const features = measure(await synthesise('anullsrc=r=44100:cl=mono', 30));
    expect(features).toMatchObject({ bpm: null, key: null, mode: null, loudness_lufs: null });
  });

  it('noise has no tempo, and a steady beat is more danceable than noise', async () => {
    const [pink, white, kick] = await Promise.all([
      synthesise(pinkNoise(5), 30),
      synthesise('anoisesrc=color=white:seed=5:amplitude=0.3:r=44100', 30),
      synthesise(kickDrum(120), 30),
    ]);
    const noises = [measure(pink), measure(white)];
    expect(noises.map((features) => features.bpm)).toEqual([null, null]);
    const steady = measure(kick).danceability;
    for (const noise of noises) expect(steady).toBeGreaterThan(noise.danceability);
  });
});

// ---------------------------------------------------------------------------------------------
// Real music.

interface RealPiece {
  path: string;
  features: AudioFeatures;
  r128: R128;
  aubio: { printedBpm: number; medianBpm: number; onsetsPerSecond: number };
}

describe(`audio descriptors of real music (the first ${realSeconds} s of each piece of ${shortestPiece} s or more)`, () => {
  let pieces: RealPiece[] = [];

  beforeAll(async () => {
    const folder = fileScopedFolder();
    const measured = await mapLimited(realPieces, Math.max(2, availableParallelism()), async (path): Promise<RealPiece | null> => {
      const samples = await decodeFile(path, realSeconds);
      if (samples.length < shortestPiece * analysisRate) return null;
      const [r128, aubio] = await Promise.all([ebur128(samples), aubioTempo(path, realSeconds, folder)]);
      return { path, features: measure(samples), r128, aubio };
    });
    pieces = measured.filter((piece) => piece !== null);
  }, 300_000);

  it('finds the pieces', () => {
    // asc-music's 3 and drascula-music's 31, less its three jingles (track12, track17, track28).
    expect(pieces).toHaveLength(31);
  });

  it('integrated loudness and loudness range are within 1 LU of ffmpeg ebur128 on the same signal, for every piece', () => {
    for (const { path, features, r128 } of pieces) {
      expect(Math.abs(features.loudness_lufs! - r128.integratedLufs), `${basename(path)}: ${features.loudness_lufs} vs ${r128.integratedLufs} LUFS`).toBeLessThanOrEqual(1);
      expect(Math.abs(features.loudness_range_lu - r128.rangeLu), `${basename(path)}: ${features.loudness_range_lu} vs ${r128.rangeLu} LU`).toBeLessThanOrEqual(1);
    }
  });

  /**
   * Onsets per second against `aubio onset` on the same audio: the pieces in the same order (a busy
   * piece busier, an ambient one sparser; measured, a rank correlation of 0.80), at about aubio's
   * rate (measured, 0.95 times it, median of the pieces).
   */
  it('the onset rate orders the pieces as aubio\'s onsets do, at about its rate', () => {
    const ranks = (values: number[]) => {
      const order = values.map((value, i) => [value, i] as const).sort((a, b) => a[0] - b[0]);
      const rank = new Array<number>(values.length);
      order.forEach(([, i], r) => { rank[i] = r; });
      return rank;
    };
    const ours = ranks(pieces.map((piece) => piece.features.onset_rate));
    const theirs = ranks(pieces.map((piece) => piece.aubio.onsetsPerSecond));
    const n = pieces.length;
    const spearman = 1 - (6 * ours.reduce((sum, r, i) => sum + (r - theirs[i]!) ** 2, 0)) / (n * (n * n - 1));
    expect(spearman).toBeGreaterThan(0.7);
    const ratios = pieces.map((piece) => piece.features.onset_rate / piece.aubio.onsetsPerSecond).sort((a, b) => a - b);
    const median = ratios[Math.floor(n / 2)]!;
    expect(median).toBeGreaterThan(0.75);
    expect(median).toBeLessThan(1.3);
  });

  /**
   * On this music (game soundtracks, much of it without drums) the references disagree with each
   * other too: bpm-tools agrees with `aubio tempo` on 18 of the 31. Measured: ours agrees with the
   * figure `aubio tempo` prints on 17, with the median of aubio's beats on 22; 5 pieces have no tempo
   * of ours (no beat stands above what noise gives), and count as disagreeing. (Onset spectra of the
   * full-rate signal, at half as much again of the descriptors' CPU, agree on 18 and 23: measure.ts.)
   */
  it('the tempo agrees with aubio within 4 per cent or an octave: with `aubio tempo` on more than half the pieces, with the median of its beats on two thirds', () => {
    const disagreeing = (reference: (piece: RealPiece) => number) => pieces.filter((piece) => !agreesInTempo(piece.features.bpm, reference(piece)))
      .map((piece) => `${basename(piece.path)}: ${piece.features.bpm} vs ${reference(piece).toFixed(1)}`);
    const withPrinted = disagreeing((piece) => piece.aubio.printedBpm);
    const withMedian = disagreeing((piece) => piece.aubio.medianBpm);
    expect(pieces.length - withPrinted.length, `disagreeing with aubio tempo:\n${withPrinted.join('\n')}`).toBeGreaterThan(pieces.length / 2);
    expect(pieces.length - withMedian.length, `disagreeing with aubio's median beat:\n${withMedian.join('\n')}`).toBeGreaterThanOrEqual(Math.ceil((2 / 3) * pieces.length));
  });
});

describe('real pieces changed: sped up, transposed, encoded twice', () => {
  /** Pieces with a clear beat and key (key strength over 0.8): three in major, one in minor. */
  const clear = [2, 16, 24, 4].map((track) => [`track${track}.ogg`, drascula(track)] as const);

  it.each(clear)('%s sped up 8 per cent (atempo) is 8 per cent faster, in the same key', async (_name, path) => {
    const [original, faster] = await Promise.all([decodeFile(path, realSeconds), decodeFile(path, realSeconds, 'atempo=1.08')]);
    const [before, after] = [measure(original), measure(faster)];
    expect(Math.abs(after.bpm! / before.bpm! / 1.08 - 1), `${before.bpm} → ${after.bpm} BPM`).toBeLessThanOrEqual(0.02);
    expect(`${after.key} ${after.mode}`).toBe(`${before.key} ${before.mode}`);
  });

  it.each(clear)('%s played 2 semitones higher (asetrate) is 2 semitones up, and faster by as much', async (_name, path) => {
    const ratio = 2 ** (2 / 12);
    const filter = `aresample=${analysisRate},asetrate=${analysisRate * ratio},aresample=${analysisRate}`;
    const [original, higher] = await Promise.all([decodeFile(path, realSeconds), decodeFile(path, realSeconds, filter)]);
    const [before, after] = [measure(original), measure(higher)];
    expect(semitonesUp(before.key, after.key), `${before.key} ${before.mode} → ${after.key} ${after.mode}`).toBe(2);
    expect(after.mode).toBe(before.mode);
    expect(Math.abs(after.bpm! / before.bpm! / ratio - 1), `${before.bpm} → ${after.bpm} BPM`).toBeLessThanOrEqual(0.02);
  });

  /**
   * Six pieces: asc-music's three and three of drascula-music's. Of all 31 pieces, 30 pass this: the
   * MP3 of track30 is nearer track1, as its key is a tie between A# minor and A# major (correlations
   * 0.7827 and 0.7820) that the encoding tips, and the flavor takes the other key and mode as sure.
   */
  it('the same song as FLAC and as MP3 (128 kb/s) of one master: each MP3 is nearer its own FLAC than any other piece', async () => {
    const folder = fileScopedFolder();
    const songs = ['/usr/share/games/asc/music/frontiers.mp3', '/usr/share/games/asc/music/machine_wars.mp3', '/usr/share/games/asc/music/time_to_strike.mp3', drascula(3), drascula(9), drascula(22)];
    const encoded = await mapLimited(songs, Math.max(2, availableParallelism()), async (path) => {
      const master = join(folder, `${basename(path)}.wav`);
      await ffmpeg(['-t', String(realSeconds), '-i', path, '-vn', master]);
      const flac = join(folder, `${basename(path)}.flac`);
      const mp3 = join(folder, `${basename(path)}.mp3`);
      await Promise.all([ffmpeg(['-i', master, '-c:a', 'flac', flac]), ffmpeg(['-i', master, '-c:a', 'libmp3lame', '-b:a', '128k', mp3])]);
      const [ofFlac, ofMp3] = await Promise.all([decodeFile(flac, realSeconds), decodeFile(mp3, realSeconds)]);
      return { name: basename(path), flac: localFlavor(measure(ofFlac)).flavor, mp3: localFlavor(measure(ofMp3)).flavor };
    });
    for (const song of encoded) {
      const own = flavorDistance(song.mp3, song.flac);
      for (const other of encoded.filter((candidate) => candidate !== song)) {
        expect(own, `${song.name} (MP3) to its FLAC vs to ${other.name}`).toBeLessThan(Math.min(flavorDistance(song.mp3, other.flac), flavorDistance(song.mp3, other.mp3)));
      }
    }
  });
});
