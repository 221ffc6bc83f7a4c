/**
 * Strategy (b) of bench/write.ts, one worker thread: its own connection, one BEGIN IMMEDIATE
 * transaction per file, SQLITE_BUSY (busy_timeout ran out) retried by beginning the file again.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isBusyError, openDatabase } from '../src/db/connection.js';
import { prepareFileWrites } from '../src/db/queries/file-writes.js';
import { writeFileRecord, type Exec, type FromWorker, type ToWorker, type WorkerInput } from './write-shared.js';

const port = parentPort;
if (!port) throw new Error('write-worker.ts must run in a worker thread');
const input = workerData as WorkerInput;

const db = openDatabase(input.dbPath, { busyTimeoutMs: input.busyTimeoutMs });
const writes = prepareFileWrites(db);
const direct: Exec = (statement) => statement();

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
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (error) {
        if (!isBusyError(error)) throw error;
        busyRetries += 1;
        continue;
      }
      const begun = performance.now();
      try {
        const count = writeFileRecord(writes, record, direct);
        db.exec('COMMIT');
        statements += count + 2;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        if (!isBusyError(error)) throw error;
        busyRetries += 1;
        continue;
      }
      holdMs[index] = performance.now() - begun;
      lockWaitMs[index] = begun - firstTry;
      break;
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
