/**
 * npm run bench:import -- [FOLDER] [--files N] [--jobs N] [--analysis tags|full] [--json]
 *
 * The write path and the scan are what this measures, so the default is a tags-level import
 * (`--analysis full` decodes every file too: bench:analysis measures that).
 *
 * Imports FOLDER (or, without one, a generated library of N small tagged WAV files) into a fresh
 * database, then rescans it unchanged. Each run is a child process on the built JavaScript
 * (import-child.mjs), so that its peak memory is the importer's own. Prints files/s, time per phase and peak RSS of both, and their ratio.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ImportSummary } from '../src/import/events.js';

interface RunFigures {
  summary: ImportSummary;
  phasesMs: { scanAndPlan: number; analyseAndRecord: number; finish: number };
  peakRssMb: number;
}

/** A RIFF WAVE file: 0.25 s of 8 kHz 8-bit mono noise unique to `n`, with an INFO title and artist. */
function tinyWav(n: number): Buffer {
  const samples = Buffer.alloc(2000);
  let seed = n * 2654435761 + 1;
  for (let i = 0; i < samples.length; i += 1) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    samples[i] = 96 + (seed >>> 25);
  }
  const info = (id: string, text: string) => {
    const body = Buffer.from(`${text}\0`);
    const padded = body.length % 2 === 0 ? body : Buffer.concat([body, Buffer.alloc(1)]);
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, padded]);
  };
  const list = Buffer.concat([Buffer.from('INFO'), info('INAM', `Track ${n}`), info('IART', `Artist ${n % 500}`)]);
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8); // PCM
  fmt.writeUInt16LE(1, 10); // mono
  fmt.writeUInt32LE(8000, 12);
  fmt.writeUInt32LE(8000, 16);
  fmt.writeUInt16LE(1, 20);
  fmt.writeUInt16LE(8, 22);
  const chunk = (id: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  const riffBody = Buffer.concat([Buffer.from('WAVE'), fmt, chunk('LIST', list), chunk('data', samples)]);
  return chunk('RIFF', riffBody);
}

function generateLibrary(files: number): string {
  const root = mkdtempSync(join(tmpdir(), 'wkmp-bench-import-'));
  for (let n = 0; n < files; n += 1) {
    const folder = join(root, `Artist ${String(n % 500).padStart(3, '0')}`, `Album ${String(Math.floor(n / 20)).padStart(4, '0')}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `Track ${String(n).padStart(5, '0')}.wav`), tinyWav(n));
  }
  return root;
}

function runInChild(root: string, database: string, jobs: number | undefined, analysis: string): RunFigures {
  const child = fileURLToPath(new URL('./import-child.mjs', import.meta.url));
  const args = [child, root, database, jobs === undefined ? '' : String(jobs), analysis];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`bench child failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as RunFigures;
}

function fmt(value: number, digits = 1): string {
  return value.toFixed(digits);
}

function row(name: string, run: RunFigures): string {
  const s = run.summary;
  const files = s.counts.new + s.counts.changed + s.counts.unchanged;
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

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { files: { type: 'string', default: '20000' }, jobs: { type: 'string' }, analysis: { type: 'string', default: 'tags' }, json: { type: 'boolean' } },
  });
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);

  const generated = positionals[0] === undefined;
  const root = positionals[0] ?? generateLibrary(Number(values.files));
  const work = mkdtempSync(join(tmpdir(), 'wkmp-bench-db-'));
  const database = join(work, 'wkmp.db');
  try {
    const first = runInChild(root, database, jobs, values.analysis);
    const rescan = runInChild(root, database, jobs, values.analysis);
    const ratio = (rescan.summary.counts.unchanged / rescan.summary.durationMs) / ((first.summary.counts.new + first.summary.counts.changed) / first.summary.durationMs);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ root, generated, import: first, rescan, rescanToImportRatio: ratio })}\n`);
      return;
    }
    console.log(`bench:import ${generated ? `generated library of ${values.files} files` : root}, analysis ${values.analysis}`);
    console.log('run        files    files/s  scan+plan ms  analyse ms  finish ms  peak MB  locks/f  hold p99');
    console.log(row('import', first));
    console.log(row('rescan', rescan));
    console.log(`rescan is ${fmt(ratio)}x the import's files/s; import failed ${first.summary.counts.failed}, passages ${first.summary.counts.passages}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (generated) rmSync(root, { recursive: true, force: true });
  }
}

await main();
