/**
 * Another WKMP service, as bench/write.ts sees it: a separate process with its own connection
 * (busy_timeout 5000) that writes a heartbeat setting every 10 ms and times each write. The time
 * is how long it waited for the write lock (the write itself takes microseconds). Started with
 * `fork(foreign-writer.mjs, [dbPath])`; on `{ type: 'stop' }` it sends its samples and exits.
 */
import { isBusyError, openWriteConnection } from '../src/db/connection.js';
import type { FromForeign, ToForeign } from './write-shared.js';

const intervalMs = 10;
const dbPath = process.argv[2];
if (!dbPath || !process.send) throw new Error('usage: fork(foreign-writer.mjs, [dbPath]) with an IPC channel');

const db = openWriteConnection(dbPath, 5000);
const heartbeat = db.prepare(
  "INSERT INTO settings(key,value) VALUES('bench_heartbeat', ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
);
const waitsMs: number[] = [];
let busyErrors = 0;
let timer: NodeJS.Timeout | null = null;
let nextDue = performance.now();

function send(message: FromForeign, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

function tick(): void {
  const started = performance.now();
  try {
    heartbeat.run(new Date().toISOString());
  } catch (error) {
    if (!isBusyError(error)) throw error;
    busyErrors += 1;
  }
  const now = performance.now();
  waitsMs.push(now - started);
  nextDue = Math.max(nextDue + intervalMs, now);
  timer = setTimeout(tick, Math.max(0, nextDue - now));
}

process.on('message', (message: ToForeign) => {
  if (message.type !== 'stop') return;
  if (timer) clearTimeout(timer);
  timer = null;
  db.close();
  send({ type: 'samples', waitsMs, busyErrors }, () => process.exit(0));
});

send({ type: 'ready' });
tick();
