/**
 * npm run bench:moves -- [--files N] [--json] [--smoke]
 *
 * Identity across moves, and the watcher's delay, measured side by side in one run:
 *
 * 1. A generated library of N small tagged WAV files (default 10,000; 20 to an album folder under
 *    500 artist folders) is imported (tags level), then rescanned unchanged, then every artist
 *    folder is renamed (the whole tree moves) and rescanned. Each run is a child process on the
 *    built JavaScript (import-child.mjs), so its peak memory is the importer's own. Prints the
 *    moved rescan's time against the unchanged rescan's (target ≤ 1.5×), the files opened again
 *    and audio decoded (target 0: every row follows its file unopened), and peak memory.
 * 2. `wkmp-ai serve` on a small library with the watcher's default timing (3 s debounce, 2 s
 *    stability look): the delay from a song file landing in a watched folder to its passage being
 *    committed (target ≤ 10 s).
 *
 * `--smoke`: 600 files (more than one page of the plan's spill: import/plan-files.ts), for
 * `npm test` to check that the bench runs, that every file was moved and none analysed, and
 * that the watched file was committed (not the timings). Exit code 1 when not.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { ImportSummary } from '../src/import/events.js';
import type { serve as Serve } from '../src/server/serve.js';
import { generateLibrary } from './library.js';

const movedToUnchangedTarget = 1.5;
const watchDelayTargetMs = 10_000;

interface RunFigures {
  summary: ImportSummary;
  wallMs: number;
  peakRssMb: number;
}

function runInChild(root: string, database: string): RunFigures {
  const child = fileURLToPath(new URL('./import-child.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [child, root, database, '', 'tags'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`bench child failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as RunFigures;
}

/** Every passage guid with its file's path: what a move must carry over, path by path. */
function passagesByPath(database: string): Map<string, string> {
  const db = new Database(database, { readonly: true });
  try {
    const rows = db.prepare('SELECT p.guid, f.path FROM passages p JOIN files f ON f.guid = p.file_id').all() as { guid: string; path: string }[];
    return new Map(rows.map((row) => [row.guid, row.path]));
  } finally {
    db.close();
  }
}

/** Renames every top-level folder: "Artist 001" becomes "Moved Artist 001", every file under it moves. */
function renameTree(root: string): (path: string) => string {
  for (const name of readdirSync(root)) if (name.startsWith('Artist ')) renameSync(join(root, name), join(root, `Moved ${name}`));
  return (path) => `Moved ${path}`;
}

/** The delay from a song landing in a watched folder to its passage committed, through `wkmp-ai serve` on the built code. */
async function watchDelayMs(): Promise<number> {
  const { serve } = (await import(new URL('../dist/server/serve.js', import.meta.url).href)) as { serve: typeof Serve };
  const root = mkdtempSync(join(tmpdir(), 'wkmp-bench-watch-'));
  const fixtures = fileURLToPath(new URL('../test/fixtures/library/', import.meta.url));
  cpSync(fixtures, root, { recursive: true });
  const service = await serve({ rootFolder: root, host: '127.0.0.1', port: 0, watch: {} });
  try {
    const mode = async () => ((await (await fetch(`${service.url}/import/watch`)).json()) as { mode: string; last_import: unknown }).mode;
    while ((await mode()) !== 'watching') await delay(50);
    mkdirSync(join(root, 'Incoming'));
    const landed = performance.now();
    // Four bytes more than the library's own Third.ogg (the decoders ignore them): a song of its own, not a duplicate without passages.
    writeFileSync(join(root, 'Incoming', 'New.ogg'), Buffer.concat([readFileSync(join(fixtures, 'Artist B', 'Third.ogg')), Buffer.from('wkmp')]));
    for (;;) {
      if (committed(join(root, 'wkmp.db'), 'Incoming/New.ogg')) return performance.now() - landed;
      if (performance.now() - landed > 120_000) throw new Error('the watched file was not committed in 2 minutes');
      await delay(20);
    }
  } finally {
    await service.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function committed(database: string, path: string): boolean {
  const db = new Database(database, { readonly: true });
  try {
    return db.prepare('SELECT 1 FROM passages p JOIN files f ON f.guid = p.file_id WHERE f.path = ?').get(path) !== undefined;
  } finally {
    db.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const fmt = (value: number, digits = 1): string => value.toFixed(digits);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { files: { type: 'string', default: '10000' }, json: { type: 'boolean' }, smoke: { type: 'boolean', default: false } } });
  const files = values.smoke ? 600 : Number(values.files);
  if (!Number.isInteger(files) || files <= 0) throw new Error(`--files must be a positive integer, got ${values.files}`);
  const root = generateLibrary(files, 0);
  const work = mkdtempSync(join(tmpdir(), 'wkmp-bench-db-'));
  const database = join(work, 'wkmp.db');
  try {
    const first = runInChild(root, database);
    const unchanged = runInChild(root, database);
    const before = passagesByPath(database);
    const moved = renameTree(root);
    const rescan = runInChild(root, database);
    const after = passagesByPath(database);
    const followed = [...before].filter(([guid, path]) => after.get(guid) === moved(path)).length;
    const c = rescan.summary.counts;
    const openedAgain = c.new + c.changed + c.upgraded + c.retagged;
    const ratio = rescan.summary.durationMs / unchanged.summary.durationMs;
    const watchMs = await watchDelayMs();
    const problems = [
      ...(first.summary.counts.new === files ? [] : [`import: ${first.summary.counts.new} new of ${files}`]),
      ...(c.moved === files ? [] : [`moved rescan: ${c.moved} moved of ${files}`]),
      ...(openedAgain === 0 && c.audioSeconds === 0 ? [] : [`moved rescan: ${openedAgain} files analysed again, ${c.audioSeconds} s decoded`]),
      ...(followed === before.size ? [] : [`moved rescan: ${before.size - followed} of ${before.size} passages did not follow their file`]),
      ...(c.missing === 0 ? [] : [`moved rescan: ${c.missing} files marked missing`]),
    ];
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ files, import: first, unchanged, moved: rescan, movedToUnchanged: ratio, openedAgain, watchDelayMs: watchMs, problems })}\n`);
    } else {
      console.log(`bench:moves generated library of ${files} audio files, analysis tags`);
      console.log('run              files/s   time ms  peak MB');
      for (const [name, run] of [['import', first], ['unchanged', unchanged], ['tree renamed', rescan]] as const) {
        const looked = run.summary.counts.classes.audio;
        console.log(`${name.padEnd(15)} ${fmt((looked / run.summary.durationMs) * 1000, 0).padStart(8)} ${String(run.summary.durationMs).padStart(9)} ${fmt(run.peakRssMb).padStart(8)}`);
      }
      console.log(`tree renamed: ${c.moved} files moved, ${followed} of ${before.size} passages followed their file, ${openedAgain} files opened again, ${fmt(c.audioSeconds)} s of audio decoded`);
      console.log(`target: rescan of the renamed tree ${fmt(ratio, 2)}x the unchanged rescan ≤ ${movedToUnchangedTarget}x  ${ratio <= movedToUnchangedTarget ? 'met' : 'NOT MET'}`);
      console.log(`target: files decoded or analysed again ${openedAgain} = 0  ${openedAgain === 0 ? 'met' : 'NOT MET'}`);
      console.log(`target: a file landing in a watched folder committed after ${fmt(watchMs / 1000, 1)} s ≤ ${watchDelayTargetMs / 1000} s (default debounce)  ${watchMs <= watchDelayTargetMs ? 'met' : 'NOT MET'}`);
    }
    for (const problem of problems) console.error(`bench:moves: ${problem}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
