/**
 * npm run bench:analysis -- [FOLDER] [--jobs N] [--ffmpeg COMMAND] [--files N] [--runs N] [--json] [--smoke]
 *
 * How close a full import comes to the decode ceiling. Without FOLDER, a folder of `--files`
 * (default 12) generated tracks of 3–4 minutes is made with ffmpeg (music-like: notes, bass, noise,
 * dynamics, fades, silent gaps; FLAC, MP3 and Ogg Vorbis at 44.1 and 48 kHz; deterministic) and
 * deleted afterwards. Three children on the built JavaScript, in the same run:
 *  1. ceiling (decode-child.mjs): every file only decoded through the project's ffmpeg decoder, N in
 *     flight in N worker threads; aggregate x-realtime = audio seconds ÷ wall seconds;
 *  2. import (import-child.mjs): `runImport` with analysis 'full' into a fresh database;
 *     aggregate x-realtime and peak RSS;
 *  3. steps (analysis-steps-child.mjs): each step alone, one file at a time, to say where the time
 *     goes; the write time is the import's own (hold p50 × transactions).
 * Ceiling and import run `--runs` times (default 3) in turn; the median run of each is shown, with
 * the spread, and the peak RSS is the highest of the import runs. Wall times on a shared machine
 * wander, so the ratio of CPU seconds per audio second is printed beside the wall-time ratio.
 * Targets: import ÷ ceiling ≥ 0.85; peak RSS of the import < 200 MB + 100 MB per worker; the
 * passages' audio descriptors (features) add ≤ 15 % to the import's CPU (node + ffmpeg): their
 * step's time per audio second, at the import's audio, against the rest of the import's CPU.
 * `--smoke`: 2 generated tracks of about 30 s, one run, 2 jobs, for `npm test` to check that the
 * bench runs and that its children agree (every file decoded and recorded, the same audio seconds
 * in the ceiling and the import, passages found); it exits 1 when they don't. No timing is judged.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ImportSummary } from '../src/import/events.js';

interface CpuFigures {
  /** The child's own threads (main and workers). */
  node: number;
  /** Its child processes (ffmpeg); null where /proc is not there. */
  children: number | null;
}

interface CeilingRun {
  decoder: string;
  jobs: number;
  files: number;
  failed: number;
  audioSeconds: number;
  wallMs: number;
  xRealtime: number;
  cpuSeconds: CpuFigures;
  perFile: { path: string; seconds: number; ms: number; firstChunkMs: number | null; error: string | null }[];
  peakRssMb: number;
}

interface ImportRun {
  summary: ImportSummary;
  wallMs: number;
  phasesMs: { scanAndPlan: number; analyseAndRecord: number; finish: number };
  cpuSeconds: CpuFigures;
  peakRssMb: number;
}

interface StepTimes {
  read: number;
  decode: number;
  decodeFirstChunk: number;
  silence: number;
  keep: number;
  amplitude: number;
  aWeighting: number;
  fingerprint: number;
  features: number;
  analyseAudio: number;
}

interface StepsRun {
  decoder: string;
  files: number;
  audioSeconds: number;
  passages: number;
  fingerprintedSeconds: number;
  chromaprintLoadSeconds: number;
  totals: StepTimes;
  perFile: (StepTimes & { path: string; audioSeconds: number; passages: number })[];
}

interface StepRow {
  step: string;
  seconds: number;
  share: number;
  note: string;
}

/** The generated folder: one track per entry, made by ffmpeg from an expression (no randomness but ffmpeg's seeded random()). */
interface TrackPlan {
  name: string;
  seconds: number;
  args: string[];
}

const targetRatio = 0.85;
/** The audio descriptors may cost at most this much more than the rest of the analysis (issue 18). */
const featuresTarget = 0.15;
const memoryBaseMb = 200;
const memoryPerWorkerMb = 100;

function trackPlans(count: number, root: string, short: boolean): TrackPlan[] {
  const formats = [
    { ext: 'flac', codec: ['-c:a', 'flac'] },
    { ext: 'mp3', codec: ['-c:a', 'libmp3lame', '-b:a', '192k'] },
    { ext: 'ogg', codec: ['-c:a', 'libvorbis', '-q:a', '5'] },
  ] as const;
  return Array.from({ length: count }, (_, i) => {
    const seconds = short ? 30 + i * 5 : 180 + ((i * 37) % 61); // 3:00 to 4:00
    const format = formats[i % formats.length]!;
    const rate = i % 2 === 0 ? 44100 : 48000;
    const beat = (60 / (88 + ((i * 13) % 50))).toFixed(4);
    const rootHz = (110 * 2 ** (((i * 5) % 12) / 12)).toFixed(3);
    const leading = (0.5 + (i % 3) * 0.5).toFixed(1);
    const fadeIn = i % 3 === 0 ? 6 : 0.05; // a slow lead-in, or a quick ramp
    const fadeOut = i % 2 === 1 ? 8 : 0.5;
    const end = seconds - 2; // 2 s of trailing silence
    // Most tracks hold two passages: a 3 s silence near the middle splits them. A 0.2 s dip splits nothing.
    const gapAt = i % 4 === 0 ? seconds : Math.round(seconds * 0.45);
    const dipAt = (seconds * 0.7).toFixed(1);
    const step = `floor(t/${beat})`;
    const melody = `(0.3*sin(2*PI*t*${rootHz}*2*pow(2,mod(${step}*7+floor(t/(${beat}*16))*2,12)/12))`
      + `+0.12*sin(4*PI*t*${rootHz}*2*pow(2,mod(${step}*7+floor(t/(${beat}*16))*2,12)/12)))*exp(-4*mod(t,${beat})/${beat})`;
    const bass = `0.28*sin(2*PI*t*${rootHz}/2*pow(2,mod(floor(t/(${beat}*4))*5,12)/12))`;
    const hats = `0.2*(random(0)-0.5)*exp(-25*mod(t,${beat}/2)/${beat})+0.03*(random(1)-0.5)`;
    const dynamics = `(0.75+0.25*sin(2*PI*t/${23 + i}))`;
    const gate = `if(lt(t,${leading}),0,if(between(t,${gapAt},${gapAt + 3}),0,if(between(t,${dipAt},${dipAt}+0.2),0,if(gt(t,${end}),0,1))))`;
    const fades = `min(1,max(0,(t-${leading})/${fadeIn}))*min(1,max(0,(${end}-t)/${fadeOut}))`;
    const floor = '0.0004*(random(2)-0.5)'; // tape hiss under everything, about −80 dBFS: no digital silence
    const expression = `(${melody}+${bass}+${hats})*${dynamics}*${gate}*${fades}+${floor}`;
    const name = `Artist ${i % 4}/Album ${Math.floor(i / 4)}/${String(i + 1).padStart(2, '0')} Track ${i + 1}.${format.ext}`;
    return {
      name,
      seconds,
      args: [
        '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
        '-f', 'lavfi', '-i', `aevalsrc='${expression}':s=22050:d=${seconds},aresample=${rate},pan=stereo|c0=c0|c1=0.9*c0`,
        '-fflags', '+bitexact', '-flags:a', '+bitexact',
        '-metadata', `title=Track ${i + 1}`, '-metadata', `artist=Artist ${i % 4}`, '-metadata', `album=Album ${Math.floor(i / 4)}`,
        '-metadata', `track=${i + 1}`, ...format.codec, join(root, name),
      ],
    };
  });
}

/** On the PATH, as the project's ffmpeg decoder looks for it. */
const ffmpegCommand = 'ffmpeg';

function runFfmpeg(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegCommand, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${String(code)}: ${stderr}`))));
  });
}

async function generateFolder(count: number, short: boolean): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'wkmp-bench-analysis-'));
  const plans = trackPlans(count, root, short);
  for (const plan of plans) mkdirSync(join(root, plan.name, '..'), { recursive: true });
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < plans.length) await runFfmpeg(plans[next++]!.args);
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), plans.length) }, lane));
  return root;
}

function runChild<T>(script: string, args: readonly string[]): T {
  const child = fileURLToPath(new URL(script, import.meta.url));
  const result = spawnSync(process.execPath, [child, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (result.status !== 0) throw new Error(`${script} failed (${String(result.status)}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as T;
}

/** Reads every file once, so that no measured run pays for a cold page cache the others do not. */
function warmPageCache(paths: readonly string[]): void {
  for (const path of paths) readFileSync(path);
}

function stepRows(steps: StepsRun, run: ImportRun): StepRow[] {
  const t = steps.totals;
  const write = run.summary.write;
  const writeSeconds = (write.holdMs.p50 * write.transactions) / 1000;
  const oneCore = (s: number): string => (s > 0 ? `${(steps.audioSeconds / s).toFixed(0)}x realtime on one core` : '');
  const rows = [
    { step: 'read', seconds: t.read, note: `classify, tags, SHA-256; ${oneCore(t.read)}` },
    { step: 'decode', seconds: t.decode, note: `${steps.decoder}; first chunk after ${((t.decodeFirstChunk / steps.files) * 1000).toFixed(0)} ms per file; ${oneCore(t.decode)}` },
    { step: 'silence', seconds: t.silence, note: `envelope less its filter, song boundaries; ${oneCore(t.silence)}` },
    { step: 'keep', seconds: t.keep, note: `16-bit copy for edges and fingerprints; ${oneCore(t.keep)}` },
    { step: 'amplitude', seconds: t.amplitude, note: `of which A-weighting ${t.aWeighting.toFixed(2)} s; ${oneCore(t.amplitude)}` },
    {
      step: 'fingerprint', seconds: t.fingerprint,
      note: `${steps.passages} passages, ${(steps.fingerprintedSeconds / 60).toFixed(1)} min fed; ${oneCore(t.fingerprint)}`,
    },
    { step: 'features', seconds: t.features, note: `audio descriptors of every passage (local flavor); ${oneCore(t.features)}` },
    { step: 'write', seconds: writeSeconds, note: `hold p50 ${write.holdMs.p50} ms × ${write.transactions} transactions` },
  ];
  const total = rows.reduce((sum, row) => sum + row.seconds, 0);
  return rows.map((row) => ({ ...row, share: total > 0 ? row.seconds / total : 0 }));
}

function f(value: number, digits = 1): string {
  return value.toFixed(digits);
}

function verdict(met: boolean): string {
  return met ? 'met' : 'NOT MET';
}

function totalCpu(cpu: CpuFigures): number {
  return cpu.node + (cpu.children ?? 0);
}

/** The middle run by `key` (the lower middle of an even count), with the spread of `key`. */
function median<T>(runs: readonly T[], key: (run: T) => number): { run: T; min: number; max: number } {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return { run: sorted[Math.floor((sorted.length - 1) / 2)]!, min: key(sorted[0]!), max: key(sorted.at(-1)!) };
}

/** What the smoke run checks: the children decoded and recorded every file and agree on the audio. */
function smokeProblems(ceilings: readonly CeilingRun[], imports: readonly ImportRun[], steps: StepsRun, files: number): string[] {
  const problems: string[] = [];
  for (const c of ceilings) {
    if (c.files !== files || c.failed !== 0) problems.push(`ceiling: ${c.files} files decoded, ${c.failed} failed, of ${files}`);
  }
  for (const run of imports) {
    const { counts, state } = run.summary;
    if (state !== 'COMPLETED' || counts.recorded !== files || counts.failed !== 0) {
      problems.push(`import: ${state}, ${counts.recorded} recorded and ${counts.failed} failed of ${files} files`);
    }
    if (counts.passages < files) problems.push(`import: ${counts.passages} passages for ${files} files`);
    for (const c of ceilings) {
      if (Math.abs(counts.audioSeconds - c.audioSeconds) > 0.1 * files) {
        problems.push(`import recorded ${f(counts.audioSeconds, 2)} s of audio, the ceiling decoded ${f(c.audioSeconds, 2)} s`);
      }
    }
  }
  if (steps.files !== files || steps.passages === 0) problems.push(`steps: ${steps.files} files, ${steps.passages} passages`);
  return problems;
}

function importXrt(run: ImportRun): number {
  return run.summary.counts.audioSeconds / (run.summary.durationMs / 1000);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      jobs: { type: 'string' },
      ffmpeg: { type: 'string', default: '' },
      files: { type: 'string', default: '12' },
      runs: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  });
  const smoke = values.smoke;
  const ffmpeg = values.ffmpeg; // '' for the one the import finds (src/analysis/decode/decoder.ts)
  const cores = availableParallelism();
  const jobs = smoke ? 2 : values.jobs === undefined ? cores : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, not ${String(values.jobs)}`);
  const runs = smoke ? 1 : Number(values.runs);
  const fileCount = smoke ? 2 : Number(values.files);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);

  const generated = positionals[0] === undefined;
  if (generated) process.stderr.write(`generating ${fileCount} tracks with ffmpeg…\n`);
  const root = positionals[0] ?? (await generateFolder(fileCount, smoke));
  const work = mkdtempSync(join(tmpdir(), 'wkmp-bench-analysis-db-'));
  try {
    warmPageCache(runChild<{ files: string[] }>('./decode-child.mjs', [root, '--list']).files);
    // Ceiling and import take turns, so that a slow spell of the machine does not fall on one of them only.
    const ceilings: CeilingRun[] = [];
    const imports: ImportRun[] = [];
    for (let r = 1; r <= runs; r += 1) {
      process.stderr.write(`run ${r} of ${runs}: decode ceiling, full import…\n`);
      ceilings.push(runChild<CeilingRun>('./decode-child.mjs', [root, ffmpeg, String(jobs)]));
      imports.push(runChild<ImportRun>('./import-child.mjs', [root, join(work, `wkmp-${r}.db`), String(jobs), 'full', ffmpeg]));
    }
    process.stderr.write('the steps, one file at a time…\n');
    const steps = runChild<StepsRun>('./analysis-steps-child.mjs', [root, ffmpeg]);
    const problems = smoke ? smokeProblems(ceilings, imports, steps, generated ? fileCount : ceilings[0]!.files) : [];
    for (const problem of problems) process.stderr.write(`bench:analysis --smoke: ${problem}\n`);
    if (problems.length > 0) process.exitCode = 1;

    const ceiling = median(ceilings, (run) => run.xRealtime);
    const imported = median(imports, importXrt);
    const run = imported.run;
    const audioSeconds = run.summary.counts.audioSeconds;
    const ratio = importXrt(run) / ceiling.run.xRealtime;
    // CPU seconds per audio second, which a busy or throttled machine disturbs less than wall time.
    const ceilingCpu = median(ceilings, (c) => totalCpu(c.cpuSeconds) / c.audioSeconds).run;
    const importCpu = median(imports, (i) => totalCpu(i.cpuSeconds) / i.summary.counts.audioSeconds).run;
    const cpuRatio = (totalCpu(ceilingCpu.cpuSeconds) / ceilingCpu.audioSeconds) / (totalCpu(importCpu.cpuSeconds) / importCpu.summary.counts.audioSeconds);
    const peakRssMb = Math.max(...imports.map((i) => i.peakRssMb));
    const memoryLimitMb = memoryBaseMb + memoryPerWorkerMb * jobs;
    const rows = stepRows(steps, run);
    const oneCoreTotal = rows.reduce((sum, row) => sum + row.seconds, 0);
    // The descriptors' CPU against the rest of the import's (node's threads and ffmpeg, measured by
    // /proc): the features step's seconds per audio second, timed in this run, at the import's audio.
    const featuresSeconds = steps.totals.features;
    const importFeatures = featuresSeconds * (audioSeconds / steps.audioSeconds);
    const featuresShare = importFeatures / Math.max(1e-9, totalCpu(run.cpuSeconds) - importFeatures);
    // Beside the other steps alone, one file at a time on one core (which leaves out the import's own work: tags, threads, writes).
    const stepsShare = featuresSeconds / Math.max(1e-9, oneCoreTotal - featuresSeconds);
    const targets = {
      ratio: { value: ratio, target: targetRatio, met: ratio >= targetRatio },
      featuresCpu: { value: featuresShare, stepsShare, target: featuresTarget, met: featuresShare <= featuresTarget },
      peakRssMb: { value: peakRssMb, target: memoryLimitMb, met: peakRssMb < memoryLimitMb },
    };

    if (values.json) {
      process.stdout.write(`${JSON.stringify({
        root, generated, ffmpeg: ceiling.run.decoder, jobs, cores, runs,
        ceiling: { median: ceiling.run, xRealtime: { median: ceiling.run.xRealtime, min: ceiling.min, max: ceiling.max }, runs: ceilings },
        import: {
          median: run, xRealtime: { median: importXrt(run), min: imported.min, max: imported.max },
          analysePhaseXrealtime: audioSeconds / (run.phasesMs.analyseAndRecord / 1000), peakRssMb, runs: imports,
        },
        cpuRatio,
        steps: { ...steps, rows },
        targets, problems,
      })}\n`);
      return;
    }
    const c = ceiling.run;
    const counts = run.summary.counts;
    console.log(`bench:analysis ${generated ? `generated folder of ${fileCount} tracks (FLAC, MP3, Ogg Vorbis)` : root}`);
    console.log(`ffmpeg ${c.decoder}, jobs ${jobs}, ${cores} cores; ${c.files} audio files, ${f(c.audioSeconds / 60)} min of audio; median of ${runs} runs`);
    console.log('');
    console.log('run                 wall s   x-realtime  (min–max)      CPU s node + ffmpeg   CPU ms/audio min   peak MB');
    const cpu = (figures: CpuFigures): string => `${f(figures.node, 2)} + ${figures.children === null ? '?' : f(figures.children, 2)}`.padStart(20);
    const perMinute = (figures: CpuFigures, seconds: number): string => f((totalCpu(figures) * 1000) / (seconds / 60)).padStart(18);
    const spread = (m: { min: number; max: number }): string => `(${f(m.min, 0)}–${f(m.max, 0)})`.padEnd(12);
    console.log([
      'ceiling (decode)'.padEnd(17), f(c.wallMs / 1000, 2).padStart(8), f(c.xRealtime).padStart(12), spread(ceiling),
      cpu(c.cpuSeconds), perMinute(c.cpuSeconds, c.audioSeconds), f(c.peakRssMb).padStart(9),
    ].join(' '));
    console.log([
      'full import'.padEnd(17), f(run.summary.durationMs / 1000, 2).padStart(8), f(importXrt(run)).padStart(12), spread(imported),
      cpu(run.cpuSeconds), perMinute(run.cpuSeconds, audioSeconds), f(peakRssMb).padStart(9),
    ].join(' '));
    console.log(['  analyse phase'.padEnd(17), f(run.phasesMs.analyseAndRecord / 1000, 2).padStart(8), f(audioSeconds / (run.phasesMs.analyseAndRecord / 1000)).padStart(12)].join(' '));
    console.log(`import: ${counts.recorded} recorded, ${counts.failed} failed, ${counts.passages} passages, ${counts.noAudio} no audio; scan+plan ${f(run.phasesMs.scanAndPlan)} ms, finish ${f(run.phasesMs.finish)} ms`);
    if (c.failed > 0) console.log(`ceiling: ${c.failed} files failed to decode`);
    console.log(`import ÷ ceiling by CPU seconds per audio second (what wall time tends to on a quiet machine): ${f(cpuRatio, 2)}`);
    console.log('');
    console.log(`time per step, one file at a time on one core (${f(oneCoreTotal, 2)} s in all, ${f(steps.audioSeconds / oneCoreTotal)}x realtime)`);
    console.log('step          seconds   share');
    for (const row of rows) console.log(`${row.step.padEnd(12)} ${f(row.seconds, 3).padStart(8)} ${`${f(row.share * 100)}%`.padStart(7)}   ${row.note}`);
    const parts = steps.totals.silence + steps.totals.amplitude + steps.totals.fingerprint + steps.totals.features;
    console.log(`analyseAudio as the worker runs it (one pass): ${f(steps.totals.analyseAudio, 3)} s, against ${f(parts, 3)} s for silence + amplitude + fingerprint + features apart`);
    console.log(`features against the other steps, one core: ${f(targets.featuresCpu.stepsShare * 100)}% more; ${f((featuresSeconds * 1000) / steps.audioSeconds, 2)} ms of CPU per audio second`);
    console.log(`chromaprint load (once per worker): ${f(steps.chromaprintLoadSeconds * 1000)} ms`);
    console.log('');
    console.log('targets');
    console.log(`  import ÷ ceiling x-realtime   ${f(ratio, 2).padStart(7)}    ≥ ${targetRatio}                                  ${verdict(targets.ratio.met)}`);
    console.log(`  features ÷ the rest, CPU     ${`${f(targets.featuresCpu.value * 100)}%`.padStart(8)}    ≤ ${f(featuresTarget * 100, 0)}% more than the import without them    ${verdict(targets.featuresCpu.met)}`);
    console.log(`  peak memory of the import     ${f(peakRssMb).padStart(7)} MB < ${memoryLimitMb} MB (${memoryBaseMb} + ${memoryPerWorkerMb} × ${jobs} workers)  ${verdict(targets.peakRssMb.met)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (generated) rmSync(root, { recursive: true, force: true });
  }
}

await main();
