/**
 * Policy (b) of bench/write.ts, one worker thread: its own connection, the recorder's batch writer
 * (src/db/commit-batch.ts) called with one file per transaction, SQLITE_BUSY at BEGIN IMMEDIATE
 * retried after a millisecond, as several writing threads would contend for the lock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareCommitBatch } from '../src/db/commit-batch.js';
import { isBusyError, openWriteConnection } from '../src/db/connection.js';
import { EntityGuids } from '../src/db/entity-guids.js';
import { prepareFileWrites } from '../src/db/queries/file-writes.js';
import type { FromWorker, ToWorker, WorkerInput } from './write-shared.js';

const port = parentPort;
if (!port) throw new Error('write-worker.ts must run in a worker thread');
const input = workerData as WorkerInput;

const db = openWriteConnection(input.dbPath, 0);
const commit = prepareCommitBatch(db, prepareFileWrites(db), new EntityGuids());
const pause = new Int32Array(new SharedArrayBuffer(4));

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function run(): void {
  const holdMs = new Float64Array(input.records.length);
  const lockWaitMs = new Float64Array(input.records.length);
  let statements = 0;
  let busyRetries = 0;
  input.records.forEach((record, index) => {
    const firstTry = performance.now();
    for (;;) {
      const begun = performance.now();
      try {
        statements += commit.immediate([record], { sessionId: input.sessionId, sameContent: [], storedPassages: [], takeovers: new Map() }).statements;
        holdMs[index] = performance.now() - begun;
        lockWaitMs[index] = begun - firstTry;
        return;
      } catch (error) {
        if (!isBusyError(error)) throw error;
        busyRetries += 1;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  });
  post({
    type: 'done', files: input.records.length, transactions: input.records.length, statements, busyRetries, holdMs, lockWaitMs,
  }, [holdMs.buffer as ArrayBuffer, lockWaitMs.buffer as ArrayBuffer]);
}

port.on('message', (message: ToWorker) => {
  if (message.type !== 'start') return;
  try {
    run();
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  } finally {
    db.close();
  }
});
post({ type: 'ready' });
