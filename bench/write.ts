/**
 * The write-path benchmark behind docs/adr/0001-batched-single-writer.md. Writes the same
 * generated file records into a fresh database with the recorder's own batch writer
 * (src/db/commit-batch.ts) under three transaction policies (the third fed two ways):
 *   (a) autocommit   no transaction: each statement commits on its own, one connection (earlier
 *                    WKMP builds);
 *   (b) tx-per-file  one BEGIN IMMEDIATE per file from 4 worker threads, each with its own
 *                    connection (SQLITE_BUSY retried after a millisecond);
 *   (c) recorder     src/db/recorder.ts: batched BEGIN IMMEDIATE, savepoint per file, fed by
 *                    `await recorder.add(record)` in a loop (every add resolves at once, so the
 *                    producer and the recorder's commit loop interleave on microtasks alone);
 *       recorder-yield the same, but the producer yields a macrotask (setImmediate) after each
 *                    add, as an import does: there each result arrives in a worker message;
 *       recorder-paced with `--rate N`: results delivered at N files/s, as analysis would deliver
 *                    them (tag reading runs at ~300–570 files/s), so the writer is not saturated.
 * While each runs, a second process writes a heartbeat every 10 ms and times each write: the
 * wait another WKMP service would see.
 *
 *   npm run bench:write -- [--files 20000] [--workers 4] [--rate 570] [--json] [--out result.json] [--smoke]
 *
 * `--smoke`: 300 files and 2 workers, for `npm test` to check the bench runs and its databases
 * agree (not its timings). Exit code 1 when the databases differ.
 */
import { fork } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { FileRecord } from '../src/file-record.js';
import { prepareCommitBatch } from '../src/db/commit-batch.js';
import { openWriteConnection } from '../src/db/connection.js';
import { EntityGuids } from '../src/db/entity-guids.js';
import { percentile } from '../src/db/metrics.js';
import { prepareFileWrites } from '../src/db/queries/file-writes.js';
import { insertSession } from '../src/db/queries/sessions.js';
import { Recorder } from '../src/db/recorder.js';
import { openWkmpDatabase } from '../src/db/setup.js';
import { generateRecords, type FromForeign, type FromWorker, type ToForeign, type ToWorker, type WorkerInput } from './write-shared.js';

const busyTimeoutMs = 5000;
const limits = { recorderHoldP99Ms: 25, foreignWaitP99Ms: 50, lockAcquisitionsPerFile: 0.1 };

type Method = 'autocommit' | 'tx-per-file' | 'recorder' | 'recorder-yield' | 'recorder-paced';
type RecorderFeed = { method: 'recorder' | 'recorder-yield' } | { method: 'recorder-paced'; filesPerSecond: number };

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

interface ForeignStats extends Percentiles {
  samples: number;
  busyErrors: number;
}

interface MethodResult {
  method: Method;
  files: number;
  seconds: number;
  filesPerSecond: number;
  writeTransactions: number;
  lockAcquisitionsPerFile: number;
  statementsPerFile: number;
  /** Autocommit: per statement; tx-per-file: per transaction; recorder: per batch. */
  holdMs: Percentiles;
  /** Time from the first try at the lock to holding it (not measurable per autocommit statement). */
  lockWaitMs: Percentiles | null;
  busyRetries: number;
  /** Recorder only: time spent in its WAL checkpoints between batches (lock free, same thread). */
  checkpointMs: number | null;
  foreign: ForeignStats;
  rows: Record<string, number>;
  digest: string;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function percentiles(values: ArrayLike<number>): Percentiles {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return { p50: round2(percentile(sorted, 50)), p99: round2(percentile(sorted, 99)), max: round2(sorted.at(-1) ?? 0) };
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// The foreign writer: another process, another connection.

interface ForeignWriter {
  stop(): Promise<ForeignStats>;
  /** Ends the child if it still runs (after an error). */
  kill(): void;
}

function startForeignWriter(dbPath: string): Promise<ForeignWriter> {
  const child = fork(fileURLToPath(new URL('./foreign-writer.mjs', import.meta.url)), [dbPath], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const nextMessage = (): Promise<FromForeign> => new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`foreign writer exited (${code}) before answering`));
    child.once('exit', onExit);
    child.once('message', (message: FromForeign) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
  return nextMessage().then((ready) => {
    if (ready.type !== 'ready') throw new Error(`foreign writer: expected ready, got ${ready.type}`);
    return {
      async stop(): Promise<ForeignStats> {
        const answer = nextMessage();
        const stop: ToForeign = { type: 'stop' };
        child.send(stop);
        const samples = await answer;
        if (samples.type !== 'samples') throw new Error(`foreign writer: expected samples, got ${samples.type}`);
        if (!exited) await new Promise((resolve) => child.once('exit', resolve));
        return { ...percentiles(samples.waitsMs), samples: samples.waitsMs.length, busyErrors: samples.busyErrors };
      },
      kill(): void {
        if (!exited) child.kill();
      },
    };
  }, (error: unknown) => {
    if (!exited) child.kill();
    throw error;
  });
}

// ---------------------------------------------------------------------------------------------
// What ended up in the database: row counts and a digest of every row the import writes.

const digestTables: Record<string, string> = {
  files: 'guid, path, hash, modification_time, file_size_bytes, duration_ticks, format, sample_rate, channels, status, matching_hashes, artist, title, album, track_number, year, missing_since',
  passages: 'guid, file_id, start_time_ticks, end_time_ticks, lead_in_start_ticks, lead_out_start_ticks, title, artist, album, import_metadata, status',
  songs: 'guid, recording_mbid, work_id, title, status',
  artists: 'guid, artist_mbid, name',
  albums: 'guid, album_mbid, title, release_date',
  works: 'guid, work_mbid, title',
  song_artists: 'song_id, artist_id, weight',
  song_works: 'song_id, work_id',
  passage_songs: 'passage_id, song_id, start_time_ticks, end_time_ticks',
  passage_albums: 'passage_id, album_id',
  import_errors: 'path, phase, code, message',
};

function inspect(db: Database.Database): { rows: Record<string, number>; digest: string } {
  const hash = createHash('sha256');
  const rows: Record<string, number> = {};
  for (const [table, columns] of Object.entries(digestTables)) {
    let count = 0;
    for (const row of db.prepare(`SELECT ${columns} FROM ${table} ORDER BY ${columns}`).raw().iterate()) {
      hash.update(JSON.stringify(row));
      hash.update('\n');
      count += 1;
    }
    rows[table] = count;
    hash.update(`-- ${table}\n`);
  }
  return { rows, digest: hash.digest('hex') };
}

/** A fresh database as wkmp-ai makes it, with the session the records are written for. */
function freshDatabase(dir: string, method: Method): { dbPath: string; sessionId: string } {
  const dbPath = join(dir, `${method}.db`);
  void openWkmpDatabase(dbPath).close();
  const db = openWriteConnection(dbPath, busyTimeoutMs);
  const sessionId = randomUUID();
  insertSession(db, { sessionId, rootFolder: '/bench', folder: '', parameters: '{}', ownerPid: process.pid });
  db.close();
  return { dbPath, sessionId };
}

function inspectFile(dbPath: string): { rows: Record<string, number>; digest: string } {
  const db = new Database(dbPath, { readonly: true });
  try {
    return inspect(db);
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (a) autocommit: every statement its own implicit transaction, one connection.

async function runAutocommit(dir: string, records: readonly FileRecord[]): Promise<MethodResult> {
  const { dbPath, sessionId } = freshDatabase(dir, 'autocommit');
  const db = openWriteConnection(dbPath, busyTimeoutMs);
  const commit = prepareCommitBatch(db, prepareFileWrites(db), new EntityGuids());
  const perFile = new Float64Array(records.length);
  const foreign = await startForeignWriter(dbPath);
  let statements = 0;
  let elapsedMs: number;
  let foreignStats: ForeignStats;
  try {
    const started = performance.now();
    records.forEach((record, index) => {
      const begun = performance.now();
      statements += commit.autocommit([record], { sessionId, sameContent: [], storedPassages: [], takeovers: new Map() }).statements;
      perFile[index] = performance.now() - begun;
    });
    elapsedMs = performance.now() - started;
    foreignStats = await foreign.stop();
  } finally {
    foreign.kill();
    db.close();
  }
  return {
    method: 'autocommit',
    files: records.length,
    seconds: elapsedMs / 1000,
    filesPerSecond: records.length / (elapsedMs / 1000),
    // Every statement is a transaction of its own: it takes the lock once.
    writeTransactions: statements,
    lockAcquisitionsPerFile: statements / records.length,
    statementsPerFile: statements / records.length,
    holdMs: percentiles(perFile),
    lockWaitMs: null,
    busyRetries: 0,
    checkpointMs: null,
    foreign: foreignStats,
    ...inspectFile(dbPath),
  };
}

// ---------------------------------------------------------------------------------------------
// (b) tx-per-file: one BEGIN IMMEDIATE per file, several worker threads, a connection each.

interface WorkerHandle {
  worker: Worker;
  ready: Promise<void>;
  done: Promise<Extract<FromWorker, { type: 'done' }>>;
}

function startWorker(input: WorkerInput): WorkerHandle {
  const worker = new Worker(new URL('./write-worker.mjs', import.meta.url), { workerData: input });
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const done = new Promise<Extract<FromWorker, { type: 'done' }>>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') onReady();
      else if (message.type === 'done') resolve(message);
      else reject(new Error(`worker failed: ${message.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was done`)));
  });
  // A worker that fails before it is ready must not leave `ready` pending forever.
  void done.catch(() => onReady());
  return { worker, ready, done };
}

async function runTxPerFile(dir: string, records: readonly FileRecord[], workerCount: number): Promise<MethodResult> {
  const { dbPath, sessionId } = freshDatabase(dir, 'tx-per-file');
  const handles = Array.from({ length: workerCount }, (_, w) => startWorker({
    dbPath, sessionId, records: records.filter((_, i) => i % workerCount === w),
  }));
  try {
    await Promise.all(handles.map((handle) => handle.ready));
    const foreign = await startForeignWriter(dbPath);
    let results: Extract<FromWorker, { type: 'done' }>[];
    let elapsedMs: number;
    let foreignStats: ForeignStats;
    try {
      const started = performance.now();
      const start: ToWorker = { type: 'start' };
      for (const handle of handles) handle.worker.postMessage(start);
      results = await Promise.all(handles.map((handle) => handle.done));
      elapsedMs = performance.now() - started;
      foreignStats = await foreign.stop();
    } finally {
      foreign.kill();
    }
    const transactions = results.reduce((sum, r) => sum + r.transactions, 0);
    const statements = results.reduce((sum, r) => sum + r.statements, 0);
    const holds: number[] = [];
    const waits: number[] = [];
    for (const r of results) {
      for (const ms of r.holdMs) holds.push(ms);
      for (const ms of r.lockWaitMs) waits.push(ms);
    }
    return {
      method: 'tx-per-file',
      files: records.length,
      seconds: elapsedMs / 1000,
      filesPerSecond: records.length / (elapsedMs / 1000),
      writeTransactions: transactions,
      lockAcquisitionsPerFile: transactions / records.length,
      statementsPerFile: statements / records.length,
      holdMs: percentiles(holds),
      lockWaitMs: percentiles(waits),
      busyRetries: results.reduce((sum, r) => sum + r.busyRetries, 0),
      checkpointMs: null,
      foreign: foreignStats,
      ...inspectFile(dbPath),
    };
  } finally {
    await Promise.all(handles.map((handle) => handle.worker.terminate()));
  }
}

// ---------------------------------------------------------------------------------------------
// (c) the recorder.

async function runRecorder(dir: string, records: readonly FileRecord[], feed: RecorderFeed): Promise<MethodResult> {
  const method = feed.method;
  const { dbPath, sessionId } = freshDatabase(dir, method);
  const db = openWriteConnection(dbPath, busyTimeoutMs);
  const writer = new Recorder(db, { maxLockWaitMs: 30_000 });
  const recorder = writer.beginRecording(sessionId);
  const foreign = await startForeignWriter(dbPath);
  let elapsedMs: number;
  let foreignStats: ForeignStats;
  try {
    const started = performance.now();
    if (feed.method === 'recorder-paced') {
      const intervalMs = 1000 / feed.filesPerSecond;
      for (const [index, record] of records.entries()) {
        await recorder.add(record);
        const dueInMs = started + (index + 1) * intervalMs - performance.now();
        await (dueInMs >= 1 ? sleep(dueInMs) : setImmediate());
      }
    } else if (feed.method === 'recorder-yield') {
      for (const record of records) {
        await recorder.add(record);
        await setImmediate();
      }
    } else {
      for (const record of records) await recorder.add(record);
    }
    await recorder.flush();
    elapsedMs = performance.now() - started;
    foreignStats = await foreign.stop();
  } finally {
    foreign.kill();
  }
  const summary = recorder.metrics.summary();
  db.close();
  const inspected = inspectFile(dbPath);
  return {
    method,
    files: summary.files,
    seconds: elapsedMs / 1000,
    filesPerSecond: records.length / (elapsedMs / 1000),
    writeTransactions: summary.transactions,
    lockAcquisitionsPerFile: summary.transactions / records.length,
    statementsPerFile: summary.statements / records.length,
    holdMs: { p50: summary.holdMs.p50, p99: summary.holdMs.p99, max: summary.holdMs.max },
    lockWaitMs: summary.lockWaitMs,
    busyRetries: summary.retries,
    checkpointMs: round2(writer.checkpointMs),
    foreign: foreignStats,
    ...inspected,
  };
}

// ---------------------------------------------------------------------------------------------
// Report.

function fixed(value: number, decimals = 2): string {
  return value.toFixed(decimals);
}

/** Two decimals, or two significant digits for values too small to show with two decimals. */
function small(value: number): string {
  return value !== 0 && Math.abs(value) < 0.01 ? value.toPrecision(2) : value.toFixed(2);
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

interface Report {
  benchmark: 'write';
  files: number;
  workers: number;
  node: string;
  sqlite: string;
  cpus: number;
  results: MethodResult[];
  ratios: { method: Method; overAutocommit: number; overTxPerFile: number }[];
  foreignWaitP99Ms: Partial<Record<Method, number>>;
  identicalRows: boolean;
  checks: { method: Method; name: string; limit: number; value: number; ok: boolean }[];
}

function render(report: Report): string {
  const out: string[] = [];
  out.push(`wkmp-ai write benchmark: ${report.files} files, ${report.workers} workers for tx-per-file, Node ${report.node}, SQLite ${report.sqlite}, ${report.cpus} CPUs`);
  out.push('');
  out.push(table(
    ['method', 'files/s', 'seconds', 'locks/file', 'stmts/file', 'hold p50', 'hold p99', 'hold max', 'wait p99', 'busy retries', 'foreign p50', 'foreign p99', 'foreign max', 'foreign n'],
    report.results.map((r) => [
      r.method, fixed(r.filesPerSecond, 1), fixed(r.seconds), small(r.lockAcquisitionsPerFile), fixed(r.statementsPerFile),
      fixed(r.holdMs.p50), fixed(r.holdMs.p99), fixed(r.holdMs.max), r.lockWaitMs ? fixed(r.lockWaitMs.p99) : '-',
      String(r.busyRetries), fixed(r.foreign.p50), fixed(r.foreign.p99), fixed(r.foreign.max), String(r.foreign.samples),
    ]),
  ));
  out.push('');
  out.push('All times in ms. hold: autocommit per file (each of its statements a transaction), tx-per-file per transaction, recorder per batch.');
  out.push('recorder: `await recorder.add()` in a loop; recorder-yield: the same plus a setImmediate after each add;');
  out.push('recorder-paced (--rate): results delivered at a fixed rate, as analysis delivers them.');
  out.push('wait: from the first try at the lock to holding it. foreign: each 10 ms heartbeat write of a second process.');
  const checkpoints = report.results.flatMap((r) => (r.checkpointMs === null ? [] : [
    `${r.method} ${fixed(r.checkpointMs / 1000)} s (${fixed((r.checkpointMs / 10) / r.seconds, 1)}% of the run)`,
  ]));
  if (checkpoints.length > 0) out.push(`recorder WAL checkpoints between batches (outside the lock): ${checkpoints.join(', ')}`);
  const few = report.results.filter((r) => r.foreign.samples < 100).map((r) => r.method);
  if (few.length > 0) out.push(`(foreign n < 100 for ${few.join(', ')}: its p99 is the largest of few samples; use more --files)`);
  out.push('');
  for (const ratio of report.ratios) {
    out.push(`${ratio.method} files/s ÷ autocommit: ${fixed(ratio.overAutocommit)}×, ÷ tx-per-file: ${fixed(ratio.overTxPerFile)}×`);
  }
  out.push(`foreign writer p99 wait: ${Object.entries(report.foreignWaitP99Ms).map(([m, v]) => `${m} ${fixed(v ?? 0)} ms`).join(', ')}`);
  const first = report.results[0];
  out.push(`rows: ${report.identicalRows ? 'identical in every database' : 'DIFFERENT between databases'}`
    + (first ? ` (${Object.entries(first.rows).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(', ')})` : ''));
  out.push('');
  out.push('recorder checks:');
  for (const check of report.checks) {
    out.push(`  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.method.padEnd(14)}  ${check.name}: ${small(check.value)} (limit ${check.limit})`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '20000' },
      workers: { type: 'string', default: '4' },
      rate: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      smoke: { type: 'boolean', default: false },
    },
  });
  const files = values.smoke ? 300 : Number(values.files);
  const workers = values.smoke ? 2 : Number(values.workers);
  if (!Number.isInteger(files) || files <= 0) throw new Error(`--files must be a positive integer, got ${values.files}`);
  if (!Number.isInteger(workers) || workers <= 0) throw new Error(`--workers must be a positive integer, got ${values.workers}`);
  const rate = values.rate === undefined ? null : Number(values.rate);
  if (rate !== null && !(rate > 0)) throw new Error(`--rate must be a positive number of files/s, got ${values.rate}`);

  const dir = mkdtempSync(join(tmpdir(), 'wkmp-bench-'));
  try {
    log(`generating ${files} records…`);
    const records = generateRecords(files);
    const results: MethodResult[] = [];
    log('(a) autocommit…');
    results.push(await runAutocommit(dir, records));
    log('(b) tx-per-file…');
    results.push(await runTxPerFile(dir, records, workers));
    log('(c) recorder…');
    results.push(await runRecorder(dir, records, { method: 'recorder' }));
    log('(c\') recorder, producer yielding after each add…');
    results.push(await runRecorder(dir, records, { method: 'recorder-yield' }));
    if (rate !== null) {
      log(`(c'') recorder, results delivered at ${rate} files/s…`);
      results.push(await runRecorder(dir, records, { method: 'recorder-paced', filesPerSecond: rate }));
    }

    const [autocommit, txPerFile] = results;
    if (!autocommit || !txPerFile || results.length < 4) throw new Error('a strategy did not report');
    const probe = new Database(join(dir, 'recorder.db'), { readonly: true });
    const sqlite = (probe.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    probe.close();
    const report: Report = {
      benchmark: 'write',
      files,
      workers,
      node: process.version,
      sqlite,
      cpus: availableParallelism(),
      results,
      ratios: results.filter((r) => r.method === 'recorder' || r.method === 'recorder-yield').map((r) => ({
        method: r.method,
        overAutocommit: round2(r.filesPerSecond / autocommit.filesPerSecond),
        overTxPerFile: round2(r.filesPerSecond / txPerFile.filesPerSecond),
      })),
      foreignWaitP99Ms: Object.fromEntries(results.map((r) => [r.method, r.foreign.p99])),
      identicalRows: results.every((r) => r.digest === autocommit.digest),
      checks: results.slice(2).flatMap((r) => [
        { method: r.method, name: 'hold p99 ms', limit: limits.recorderHoldP99Ms, value: r.holdMs.p99, ok: r.holdMs.p99 <= limits.recorderHoldP99Ms },
        { method: r.method, name: 'foreign writer p99 wait ms', limit: limits.foreignWaitP99Ms, value: r.foreign.p99, ok: r.foreign.p99 <= limits.foreignWaitP99Ms },
        { method: r.method, name: 'lock acquisitions per file', limit: limits.lockAcquisitionsPerFile, value: r.lockAcquisitionsPerFile, ok: r.lockAcquisitionsPerFile <= limits.lockAcquisitionsPerFile },
      ]),
    };
    for (const r of results) {
      r.filesPerSecond = round2(r.filesPerSecond);
      r.seconds = round2(r.seconds);
      r.statementsPerFile = round2(r.statementsPerFile);
      r.lockAcquisitionsPerFile = Math.round(r.lockAcquisitionsPerFile * 10_000) / 10_000;
    }
    const json = JSON.stringify(report, null, 2);
    if (values.out) writeFileSync(values.out, `${json}\n`);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      log(render(report));
    } else {
      process.stdout.write(`${render(report)}\n`);
    }
    if (!report.identicalRows) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
