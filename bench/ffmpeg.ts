/**
 * npm run bench:ffmpeg -- [--starts N] [--seconds S] [--runs N] [--json] [--smoke]
 *
 * The two ffmpegs an import may decode with, side by side in one run (docs/adr/0005): the
 * system's on the PATH and the static build `npm ci` installs (@ffmpeg-installer/ffmpeg). For
 * each, through the project's own decoder (src/analysis/decode/ffmpeg.ts):
 *  - start-up: `--starts` (default 40) decodes of a 0.25 s WAV, one after another: wall and CPU
 *    (ffmpeg's own, from /proc) per file — what a library of short files pays;
 *  - throughput: one decode of a `--seconds` (default 600) stereo 44.1 kHz FLAC: x-realtime, CPU,
 *    and ffmpeg's peak RSS;
 *  - install size: the bytes its package puts in node_modules (the system's is not ours to count).
 * The two alternate, `--runs` (default 3) times; the best run of each is shown, and the ratios
 * bundled ÷ system. `--smoke`: 4 starts, a 20 s FLAC, one run, for `npm test`; it exits 1 when a
 * decode gives the wrong length. No timing is judged.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { findFfmpeg, locateFfmpeg } from '../src/analysis/decode/decoder.js';
import { createFfmpegDecoder } from '../src/analysis/decode/ffmpeg.js';

const sampleRate = 11025;

interface Figures {
  startWallMs: number;
  startCpuMs: number;
  decodeXRealtime: number;
  decodeCpuMsPerAudioMinute: number;
  peakRssMb: number;
  decodedSeconds: number;
}

/** CPU seconds of this process's waited-for children (ffmpeg): cutime + cstime of /proc/self/stat, at 100 ticks a second. */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function vmHwmBytes(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The pids of this process's children whose command line names `path`. */
function childrenReading(path: string): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    for (const pid of readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path)) pids.push(Number(pid));
      } catch {
        // ended meanwhile
      }
    }
  }
  return pids;
}

async function decodedSamples(command: string, path: string, onChunk?: () => void): Promise<number> {
  let samples = 0;
  for await (const chunk of createFfmpegDecoder(command).decode(path, { sampleRate })) {
    samples += chunk.length;
    onChunk?.();
  }
  return samples;
}

async function measure(command: string, short: string, long: string, starts: number): Promise<Figures> {
  let cpu = childrenCpu();
  let started = performance.now();
  for (let i = 0; i < starts; i += 1) await decodedSamples(command, short);
  const startWallMs = (performance.now() - started) / starts;
  const startCpuMs = ((childrenCpu() - cpu) * 1000) / starts;

  cpu = childrenCpu();
  started = performance.now();
  let peak = 0;
  let chunks = 0;
  const samples = await decodedSamples(command, long, () => {
    if (chunks++ % 32 === 0) for (const pid of childrenReading(long)) peak = Math.max(peak, vmHwmBytes(pid));
  });
  const seconds = samples / sampleRate;
  return {
    startWallMs,
    startCpuMs,
    decodeXRealtime: seconds / ((performance.now() - started) / 1000),
    decodeCpuMsPerAudioMinute: ((childrenCpu() - cpu) * 1000) / (seconds / 60),
    peakRssMb: peak / 2 ** 20,
    decodedSeconds: seconds,
  };
}

function folderBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return total;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      starts: { type: 'string', default: '40' },
      seconds: { type: 'string', default: '600' },
      runs: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  });
  const starts = values.smoke ? 4 : Number(values.starts);
  const longSeconds = values.smoke ? 20 : Number(values.seconds);
  const runs = values.smoke ? 1 : Number(values.runs);

  const saved = process.env.PATH;
  process.env.PATH = '';
  const bundled = await locateFfmpeg(undefined); // with nothing on the PATH: the static one
  process.env.PATH = saved;
  const system = await findFfmpeg();
  const commands = { system: system === bundled ? null : system, bundled };
  const bundledPackage = dirname(createRequire(import.meta.url).resolve(`@ffmpeg-installer/${process.platform}-${process.arch}/package.json`));

  const work = mkdtempSync(join(tmpdir(), 'wkmp-bench-ffmpeg-'));
  try {
    const short = join(work, 'short.wav');
    const long = join(work, 'long.flac');
    const make = (args: string[]): void => void execFileSync(system, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
    make(['-f', 'lavfi', '-i', `sine=frequency=440:duration=0.25:sample_rate=44100`, short]);
    make(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${longSeconds}:sample_rate=44100`, '-f', 'lavfi', '-i',
      `anoisesrc=d=${longSeconds}:a=0.1:seed=1`, '-filter_complex', 'amerge=inputs=2', '-c:a', 'flac', long]);

    const results: Record<'system' | 'bundled', Figures[]> = { system: [], bundled: [] };
    for (let r = 0; r < runs; r += 1) {
      for (const name of ['system', 'bundled'] as const) {
        const command = commands[name];
        if (command !== null) results[name].push(await measure(command, short, long, starts));
      }
    }
    const best = (figures: Figures[]): Figures | null => (figures.length === 0 ? null : figures.reduce((a, b) => (a.startCpuMs + a.decodeCpuMsPerAudioMinute <= b.startCpuMs + b.decodeCpuMsPerAudioMinute ? a : b)));
    const [s, b] = [best(results.system), best(results.bundled)];
    const versionOf = (command: string): string => execFileSync(command, ['-version'], { encoding: 'utf8' }).split('\n')[0]!.split(' Copyright')[0]!;
    const installMb = folderBytes(bundledPackage) / 2 ** 20;
    const problems = [s, b].flatMap((figures) => (figures !== null && Math.abs(figures.decodedSeconds - longSeconds) > 0.05 ? [`decoded ${figures.decodedSeconds} s of ${longSeconds} s`] : []));

    if (values.json) {
      process.stdout.write(`${JSON.stringify({ commands, installMb, system: s, bundled: b, problems })}\n`);
    } else {
      console.log(`bench:ffmpeg ${starts} starts on a 0.25 s WAV, one ${longSeconds} s stereo FLAC; best of ${runs}`);
      console.log('ffmpeg    start ms wall  start ms CPU  decode x-realtime  CPU ms/audio min  peak MB  version');
      for (const [name, figures] of [['system', s], ['bundled', b]] as const) {
        if (figures === null) {
          console.log(`${name.padEnd(9)} (none on the PATH)`);
          continue;
        }
        console.log([
          name.padEnd(9), figures.startWallMs.toFixed(1).padStart(13), figures.startCpuMs.toFixed(1).padStart(13),
          figures.decodeXRealtime.toFixed(0).padStart(18), figures.decodeCpuMsPerAudioMinute.toFixed(1).padStart(17),
          figures.peakRssMb.toFixed(1).padStart(8), ` ${versionOf(commands[name]!)}`,
        ].join(' '));
      }
      if (s !== null && b !== null) {
        console.log(`bundled ÷ system: start CPU ${(b.startCpuMs / s.startCpuMs).toFixed(2)}x, decode CPU ${(b.decodeCpuMsPerAudioMinute / s.decodeCpuMsPerAudioMinute).toFixed(2)}x, peak memory ${(b.peakRssMb / s.peakRssMb).toFixed(2)}x`);
      }
      console.log(`install size of the bundled ffmpeg: ${installMb.toFixed(1)} MB (${bundledPackage.slice(bundledPackage.indexOf('node_modules'))})`);
    }
    for (const problem of problems) console.error(`bench:ffmpeg --smoke: ${problem}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
