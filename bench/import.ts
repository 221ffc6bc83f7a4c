/**
 * npm run bench:import -- [FOLDER] [--files N] [--images N] [--jobs N] [--analysis tags|full] [--json] [--smoke]
 *
 * The write path and the scan are what this measures, so the default is a tags-level import
 * (`--analysis full` decodes every file too: bench:analysis measures that).
 *
 * Imports FOLDER (or, without one, a generated library of N small tagged WAV files with N/10
 * cover images beside them) into a fresh database, then rescans it unchanged. Each run is a child
 * process on the built JavaScript (import-child.mjs), so that its peak memory is the importer's
 * own. Prints files/s, time per phase and peak RSS of both, and their ratio. Targets, at any size
 * (a million files included): the rescan looks at ≥ 100,000 files/s, images included (an unchanged
 * image costs no open); the import and the rescan peak under 300 MB; the write lock is held ≤ 25 ms
 * at the 99th percentile. Then times the rescan's steps one by one (rescan-steps-child.mjs): the
 * walk, the read of what the database knows and the comparison, with their shares, against
 * listing the tree and an lstat per file alone, the floor a rescan cannot go below.
 *
 * `--smoke`: 600 files and 60 images (more than one page of the plan's spill), for `npm test` to
 * check that the bench runs, that the rescan writes nothing and that the database after it holds
 * what the import recorded (not its timings). Exit code 1 when it does not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { ImportSummary } from '../src/import/events.js';
import { generateLibrary } from './library.js';

/** Issue 20's targets, whatever the library's size (a million files included): an unchanged rescan at the speed of lstat, memory that does not grow with the library, short write locks. */
const rescanTargetFilesPerSecond = 100_000;
const peakTargetMb = 300;
const holdTargetMs = 25;

interface RunFigures {
  summary: ImportSummary;
  phasesMs: { scanAndPlan: number; analyseAndRecord: number; finish: number };
  peakRssMb: number;
}

function runInChild(root: string, database: string, jobs: number | undefined, analysis: string): RunFigures {
  const child = fileURLToPath(new URL('./import-child.mjs', import.meta.url));
  const args = [child, root, database, jobs === undefined ? '' : String(jobs), analysis];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`bench child failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as RunFigures;
}

interface RescanSteps {
  files: number;
  /** fdir's listing and an lstat per file, nothing else: what a rescan cannot go below. */
  floorMs: number;
  walkMs: number;
  readMs: number;
  compareMs: number;
}

/** The unchanged rescan's steps timed one by one (rescan-steps-child.mjs), against the floor of listing and lstat alone. */
function rescanSteps(root: string, database: string): RescanSteps {
  const child = fileURLToPath(new URL('./rescan-steps-child.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [child, root, database], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`rescan steps child failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as RescanSteps;
}

function fmt(value: number, digits = 1): string {
  return value.toFixed(digits);
}

/** Every file the run looked at: audio, images and the rest. */
function filesLookedAt(run: RunFigures): number {
  const { audio, image, other } = run.summary.counts.classes;
  return audio + image + other;
}

function row(name: string, run: RunFigures): string {
  const s = run.summary;
  const files = filesLookedAt(run);
  const p = run.phasesMs;
  return [
    name.padEnd(8),
    String(files).padStart(7),
    fmt((files / s.durationMs) * 1000).padStart(10),
    fmt(p.scanAndPlan).padStart(12),
    fmt(p.analyseAndRecord).padStart(12),
    fmt(p.finish).padStart(9),
    fmt(run.peakRssMb).padStart(9),
    fmt(s.write.lockAcquisitionsPerFile, 4).padStart(9),
    fmt(s.write.holdMs.p99, 2).padStart(9),
  ].join(' ');
}

/** The rows the library's import leaves: what a rescan must leave as it found it. */
function libraryRows(database: string): string {
  const db = new Database(database, { readonly: true });
  try {
    const files = db.prepare('SELECT path, hash, modification_time FROM files ORDER BY path').all();
    const passages = db.prepare('SELECT guid, file_id, start_time_ticks, end_time_ticks FROM passages ORDER BY guid').all();
    return JSON.stringify({ files, passages });
  } finally {
    db.close();
  }
}

/** What the smoke run checks: the import took every file, and the rescan wrote nothing and changed nothing. */
function smokeProblems(first: RunFigures, rescan: RunFigures, files: number, images: number, rowsAfterImport: string, rowsAfterRescan: string): string[] {
  const problems: string[] = [];
  const { counts } = first.summary;
  if (first.summary.state !== 'COMPLETED' || rescan.summary.state !== 'COMPLETED') problems.push(`states ${first.summary.state}, ${rescan.summary.state}`);
  if (counts.new !== files || counts.failed !== 0) problems.push(`import: ${counts.new} new and ${counts.failed} failed of ${files} files`);
  if (counts.classes.image !== images) problems.push(`import: ${counts.classes.image} images of ${images}`);
  if (rescan.summary.counts.unchanged !== files || rescan.summary.counts.recorded !== 0) {
    problems.push(`rescan: ${rescan.summary.counts.unchanged} unchanged and ${rescan.summary.counts.recorded} recorded of ${files} files`);
  }
  if (rescan.summary.write.transactions !== 0) problems.push(`rescan: ${rescan.summary.write.transactions} write transactions`);
  if (rowsAfterRescan !== rowsAfterImport) problems.push('rescan: the files and passages differ from what the import recorded');
  return problems;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      files: { type: 'string', default: '20000' },
      images: { type: 'string' },
      jobs: { type: 'string' },
      analysis: { type: 'string', default: 'tags' },
      json: { type: 'boolean' },
      smoke: { type: 'boolean', default: false },
    },
  });
  const jobs = values.smoke ? 2 : values.jobs === undefined ? undefined : Number(values.jobs);
  const files = values.smoke ? 600 : Number(values.files);
  const images = values.smoke ? 60 : values.images === undefined ? Math.floor(files / 10) : Number(values.images);
  if (!Number.isInteger(files) || files <= 0) throw new Error(`--files must be a positive integer, got ${values.files}`);
  if (!Number.isInteger(images) || images < 0) throw new Error(`--images must be a whole number, got ${String(values.images)}`);

  const generated = positionals[0] === undefined;
  const root = positionals[0] ?? generateLibrary(files, images);
  const work = mkdtempSync(join(tmpdir(), 'wkmp-bench-db-'));
  const database = join(work, 'wkmp.db');
  try {
    const first = runInChild(root, database, jobs, values.analysis);
    const rowsAfterImport = libraryRows(database);
    const rescan = runInChild(root, database, jobs, values.analysis);
    const rowsAfterRescan = libraryRows(database);
    const rescanFilesPerSecond = (filesLookedAt(rescan) / rescan.summary.durationMs) * 1000;
    const steps = rescanSteps(root, database);
    const ratio = (rescan.summary.counts.unchanged / rescan.summary.durationMs) / ((first.summary.counts.new + first.summary.counts.changed) / first.summary.durationMs);
    const problems = values.smoke ? smokeProblems(first, rescan, files, images, rowsAfterImport, rowsAfterRescan) : [];
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ root, generated, import: first, rescan, rescanFilesPerSecond, rescanToImportRatio: ratio, rescanSteps: steps, problems })}\n`);
    } else {
      console.log(`bench:import ${generated ? `generated library of ${files} audio files and ${images} images` : root}, analysis ${values.analysis}`);
      console.log('run        files    files/s  scan+plan ms  analyse ms  finish ms  peak MB  locks/f  hold p99');
      console.log(row('import', first));
      console.log(row('rescan', rescan));
      console.log(`rescan is ${fmt(ratio)}x the import's audio files/s; import failed ${first.summary.counts.failed}, passages ${first.summary.counts.passages}`);
      const stepsMs = steps.walkMs + steps.readMs + steps.compareMs;
      const share = (ms: number) => `${fmt((ms / stepsMs) * 100, 0)} %`;
      console.log(`rescan steps: walk ${fmt(steps.walkMs, 0)} ms (${share(steps.walkMs)}), read ${fmt(steps.readMs, 0)} ms (${share(steps.readMs)}), compare ${fmt(steps.compareMs, 0)} ms (${share(steps.compareMs)}); `
        + `listing and lstat alone ${fmt(steps.floorMs, 0)} ms: the steps take ${fmt(stepsMs / steps.floorMs, 2)}x the floor, the whole rescan ${fmt(rescan.summary.durationMs / steps.floorMs, 2)}x`);
      const met = (ok: boolean) => (ok ? 'met' : 'NOT MET');
      console.log(`target: rescan ${fmt(rescanFilesPerSecond, 0)} files/s (${rescan.summary.counts.classes.image} images among them) ≥ ${rescanTargetFilesPerSecond}  ${met(rescanFilesPerSecond >= rescanTargetFilesPerSecond)}`);
      console.log(`target: peak memory of the import ${fmt(first.peakRssMb, 0)} MB and of the rescan ${fmt(rescan.peakRssMb, 0)} MB < ${peakTargetMb} MB  ${met(Math.max(first.peakRssMb, rescan.peakRssMb) < peakTargetMb)}`);
      console.log(`target: write-lock hold p99 ${fmt(first.summary.write.holdMs.p99, 2)} ms ≤ ${holdTargetMs} ms  ${met(first.summary.write.holdMs.p99 <= holdTargetMs)}`);
    }
    for (const problem of problems) console.error(`bench:import --smoke: ${problem}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (generated) rmSync(root, { recursive: true, force: true });
  }
}

await main();
