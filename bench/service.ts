/**
 * npm run bench:service -- [--files N] [--json] [--smoke]
 *
 * How long a settings write through the service takes while an import runs, beside the same
 * write with nothing running. `wkmp-ai serve` runs as a child process on the built JavaScript,
 * over a generated library of N small tagged WAV files (default 3,000) and their covers; this
 * process is its HTTP client. First 200 writes of `POST /api/settings` on the idle service, then
 * a full import started through the API with writes sent one after another (each as soon as the
 * last answered, 20 ms apart) until the import completes. Prints p50, p95, p99 and the largest of
 * both, and their ratio. Target: p99 during the import ≤ 50 ms (the write is queued behind the
 * recorder's current batch, never behind SQLite's busy handler).
 *
 * `--smoke`: 100 files and 20 idle writes, for `npm test` to check that the bench runs, that every
 * write was answered 200, that the import recorded every file and that the database holds the
 * last value written (not its timings). Exit code 1 when it does not.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { percentile } from '../src/db/metrics.js';
import { generateLibrary } from './library.js';

const targetP99Ms = 50;
const writeGapMs = 20;
/** A setting an import reads when it starts, so that writing it does not change the import measured. */
const settingKey = 'ingest_max_concurrent_jobs';

interface Service {
  url: string;
  stop: () => Promise<void>;
}

/** `wkmp-ai serve` from the built JavaScript on a free port of 127.0.0.1. */
async function startService(root: string): Promise<Service> {
  const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
  // --no-watch: the bench starts the one import it measures.
  const child = spawn(process.execPath, [main, 'serve', '--root-folder', root, '--host', '127.0.0.1', '--no-watch'], {
    env: { ...process.env, WKMP_AI_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString('utf8')));
  child.stderr.on('data', (data: Buffer) => (output += data.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await Promise.race([
    (async () => {
      for (;;) {
        const match = /listening on (http:\S+)/.exec(output);
        if (match) return match[1]!;
        await delay(20);
      }
    })(),
    exited.then((code) => {
      throw new Error(`wkmp-ai serve exited with ${String(code)} before listening: ${output}`);
    }),
  ]);
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

interface Writes {
  latenciesMs: number[];
  refused: number;
  lastValue: number;
}

/** One settings write after another, `writeGapMs` apart, while `goOn()` says so (or `count` of them). */
async function writeSettings(url: string, goOn: (done: number) => boolean | Promise<boolean>): Promise<Writes> {
  const writes: Writes = { latenciesMs: [], refused: 0, lastValue: 0 };
  while (await goOn(writes.latenciesMs.length)) {
    const value = 2 + (writes.latenciesMs.length % 2);
    const started = performance.now();
    const answer = await post(`${url}/api/settings`, { [settingKey]: value });
    writes.latenciesMs.push(performance.now() - started);
    if (answer.status !== 200) writes.refused += 1;
    writes.lastValue = value;
    await delay(writeGapMs);
  }
  return writes;
}

interface LatencyFigures {
  writes: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function figures(latencies: readonly number[]): LatencyFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { writes: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 };
}

function storedSetting(database: string): string | null {
  const db = new Database(database, { readonly: true });
  try {
    return (db.prepare('SELECT value FROM settings WHERE key = ?').get(settingKey) as { value: string } | undefined)?.value ?? null;
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { files: { type: 'string', default: '3000' }, json: { type: 'boolean', default: false }, smoke: { type: 'boolean', default: false } },
  });
  const files = values.smoke ? 100 : Number(values.files);
  if (!Number.isInteger(files) || files <= 0) throw new Error(`--files must be a positive integer, got ${values.files}`);
  const idleWrites = values.smoke ? 20 : 200;
  const root = generateLibrary(files);
  const home = mkdtempSync(join(tmpdir(), 'wkmp-bench-service-'));
  process.env.XDG_CONFIG_HOME = home; // no config file of the machine's user
  const service = await startService(root);
  try {
    const idle = await writeSettings(service.url, (done) => done < idleWrites);
    const started = await post(`${service.url}/import/start`, { root_folder: root, parameters: { analysis: 'full' } });
    if (started.status !== 202) throw new Error(`POST /import/start answered ${started.status}: ${JSON.stringify(started.body)}`);
    const sessionId = started.body.session_id as string;
    let status: Record<string, unknown> = {};
    const during = await writeSettings(service.url, async () => {
      status = (await (await fetch(`${service.url}/import/status/${sessionId}`)).json()) as Record<string, unknown>;
      return status.state !== 'COMPLETED' && status.state !== 'CANCELLED' && status.state !== 'FAILED';
    });
    await service.stop();
    const stored = storedSetting(join(root, 'wkmp.db'));
    const recorded = (status.counts as { recorded?: number } | null)?.recorded ?? 0;
    const problems: string[] = [];
    if (idle.refused + during.refused > 0) problems.push(`${idle.refused + during.refused} settings writes refused`);
    if (status.state !== 'COMPLETED' || recorded !== files) problems.push(`import ${String(status.state)} with ${recorded} of ${files} files recorded`);
    const lastValue = during.latenciesMs.length > 0 ? during.lastValue : idle.lastValue;
    if (stored !== String(lastValue)) problems.push(`${settingKey} stored as ${String(stored)}, last written ${lastValue}`);

    const quiet = figures(idle.latenciesMs);
    const busy = figures(during.latenciesMs);
    const ratio = quiet.p99 > 0 ? busy.p99 / quiet.p99 : 0;
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ files, idle: quiet, duringImport: busy, p99Ratio: ratio, targetP99Ms, problems })}\n`);
    } else {
      const row = (name: string, f: LatencyFigures) =>
        [name.padEnd(14), String(f.writes).padStart(7), ...[f.p50, f.p95, f.p99, f.max].map((ms) => ms.toFixed(2).padStart(8))].join(' ');
      console.log(`bench:service POST /api/settings, one write every ${writeGapMs} ms; a full import of ${files} files through the API`);
      console.log('while           writes   p50 ms   p95 ms   p99 ms   max ms');
      console.log(row('idle', quiet));
      console.log(row('an import runs', busy));
      console.log(`p99 during the import is ${ratio.toFixed(2)}x the idle p99`);
      console.log(`target: p99 during the import ${busy.p99.toFixed(2)} ms ≤ ${targetP99Ms} ms  ${busy.p99 <= targetP99Ms ? 'met' : 'NOT MET'}`);
    }
    for (const problem of problems) console.error(`bench:service: ${problem}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await service.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
