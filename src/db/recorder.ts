/**
 * The recorder: the only writer of wkmp.db (DESIGN.md, the write path). It buffers analysis
 * results and commits them in batches, one short BEGIN IMMEDIATE transaction for many files;
 * the batch size adapts so that the lock is held well under 100 ms. The lock is taken without
 * blocking: SQLITE_BUSY is retried with backoff on the event loop, so lock contention slows an
 * import and never loses or skips a file. Every other write of an import (session rows, missing
 * marks) goes through `write`, under the same discipline and in the same queue.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnalysisResult } from '../file-record.js';
import { DatabaseBusyError } from '../errors.js';
import { isBusyError, setBusyTimeout, type WriteDb } from './connection.js';
import { prepareCommitBatch, type BatchReport, type CommitBatch } from './commit-batch.js';
import { WriteMetrics, type TransactionSample } from './metrics.js';
import { listFilesByHashes } from './queries/files.js';
import { listPassageSpansOfFiles } from './queries/passages.js';
import { prepareFileWrites } from './queries/file-writes.js';
import { EntityGuids } from './entity-guids.js';

export interface RecorderOptions {
  sessionId: string;
  /** `ai_database_max_lock_wait_ms`: how long one write tries for the lock before saying so and trying on. */
  maxLockWaitMs: number;
  /** Hold time the batch size is tuned for. */
  targetHoldMs?: number;
  /**
   * The least time the lock is left free between two of the recorder's transactions. Another
   * service waiting in SQLite's busy handler wakes after 1, 2, 5, 10, 15, 20… ms: if the recorder
   * took the lock again at once, that service could miss every free moment while an import writes
   * flat out. The WAL checkpoint between batches counts as free time.
   */
  minLockGapMs?: number;
  /** A batch is committed at the latest this long after its first file arrived. */
  maxBatchAgeMs?: number;
  initialBatchSize?: number;
  maxBatchSize?: number;
  /** Called after each committed batch, outside the transaction. */
  onBatch?: (report: BatchReport, sample: TransactionSample) => void;
  /** Called each time the lock could not be had within `maxLockWaitMs`. */
  onBusy?: (error: DatabaseBusyError) => void;
}

const firstRetryDelayMs = 10;
const lastRetryDelayMs = 1000;
const minBatchSize = 8;

export class Recorder {
  readonly metrics = new WriteMetrics();
  private readonly commitBatch: CommitBatch;
  private readonly options: Required<Omit<RecorderOptions, 'onBatch' | 'onBusy'>> & RecorderOptions;
  private buffer: AnalysisResult[] = [];
  private batchSize: number;
  private ageTimer: NodeJS.Timeout | null = null;
  /** Every transaction runs in this chain, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private flushing = false;
  private drainWaiters: (() => void)[] = [];
  private failure: unknown = null;
  /** Before this (performance.now()), the lock is left to other services. */
  private freeUntil = 0;
  /** Time spent checkpointing the WAL between batches, outside any transaction. */
  checkpointMs = 0;

  constructor(private readonly db: WriteDb, options: RecorderOptions) {
    this.options = { targetHoldMs: 12, minLockGapMs: 10, maxBatchAgeMs: 1000, initialBatchSize: 64, maxBatchSize: 2000, ...options };
    this.batchSize = this.options.initialBatchSize;
    // A blocking busy handler would freeze the event loop while another service holds the lock;
    // the recorder waits on the event loop instead (see acquire).
    setBusyTimeout(db, 0);
    // SQLite checkpoints inside COMMIT once the WAL passes 1000 pages: after the lock is released,
    // but inside the call the hold is timed by, and on this thread. The recorder checkpoints
    // between batches instead, where it delays nobody and is measured apart.
    db.pragma('wal_autocheckpoint = 0');
    this.commitBatch = prepareCommitBatch(db, prepareFileWrites(db), new EntityGuids());
  }

  /**
   * Buffers one file's result. Resolves at once unless the buffer is over its high-water mark
   * (the database is locked for long), then when it has drained: analysis waits, nothing is dropped.
   */
  add(item: AnalysisResult): Promise<void> {
    this.throwIfFailed();
    this.buffer.push(item);
    if (this.buffer.length >= this.batchSize) this.scheduleFlush(false);
    else this.ageTimer ??= setTimeout(() => this.scheduleFlush(true), this.options.maxBatchAgeMs);
    if (this.buffer.length < this.highWaterMark()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Commits everything buffered so far. */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.buffer.length > 0) {
      await this.enqueue(() => this.commitNextBatch());
    }
    await this.queue;
    this.throwIfFailed();
  }

  /**
   * Runs `fn` in its own write transaction, after what is queued, with the same lock
   * discipline as the batches. `fn` must be synchronous and quick.
   */
  write<T>(fn: (db: WriteDb) => T): Promise<T> {
    const transaction = this.db.transaction(fn);
    return this.enqueue(async () => (await this.acquire(() => transaction.immediate(this.db), 'write', 0)).result);
  }

  private highWaterMark(): number {
    return this.options.maxBatchSize * 2;
  }

  private clearTimer(): void {
    if (this.ageTimer) clearTimeout(this.ageTimer);
    this.ageTimer = null;
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Commits full batches; with `aged`, also what is left (the oldest file has waited long
   * enough). A remainder smaller than a batch otherwise waits for more files or for its age.
   */
  private scheduleFlush(aged: boolean): void {
    this.clearTimer();
    if (this.flushing) return;
    this.flushing = true;
    void this.enqueue(async () => {
      try {
        while (this.buffer.length >= this.batchSize || (aged && this.buffer.length > 0)) await this.commitNextBatch();
      } finally {
        this.flushing = false;
        if (this.buffer.length > 0) this.ageTimer ??= setTimeout(() => this.scheduleFlush(true), this.options.maxBatchAgeMs);
      }
    }).catch((error: unknown) => {
      this.failure = error;
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async commitNextBatch(): Promise<void> {
    const items = this.buffer.slice(0, this.batchSize);
    if (items.length === 0) return;
    const records = items.filter((item) => item.kind === 'record');
    const hashes = records.flatMap((record) => (record.hash === '' ? [] : [record.hash]));
    const known = records.flatMap((record) => (record.change === 'changed' ? [record.guid] : []));
    // Read before the transaction: which files already hold these contents, and the passages of those re-recorded.
    const context = {
      sessionId: this.options.sessionId,
      sameContent: listFilesByHashes(this.db, hashes),
      storedPassages: listPassageSpansOfFiles(this.db, known),
    };
    const { result: report, sample } = await this.acquire(() => this.commitBatch.immediate(items, context), 'batch', items.length);
    sample.statements = report.statements;
    this.buffer.splice(0, items.length);
    this.adaptBatchSize(sample);
    this.checkpoint();
    this.releaseDrainWaiters();
    this.options.onBatch?.(report, sample);
  }

  /** Copies the WAL back into the database without taking the write lock (PASSIVE). */
  private checkpoint(): void {
    const started = performance.now();
    this.db.pragma('wal_checkpoint(PASSIVE)');
    this.checkpointMs += performance.now() - started;
  }

  /** Keeps the hold near the target: the next batch is sized from this one's time per file. */
  private adaptBatchSize(sample: TransactionSample): void {
    if (sample.files === 0) return;
    const perFileMs = Math.max(sample.holdMs / sample.files, 0.001);
    const wanted = this.options.targetHoldMs / perFileMs;
    const next = Math.round((this.batchSize + wanted) / 2);
    this.batchSize = Math.min(this.options.maxBatchSize, Math.max(minBatchSize, next));
  }

  private releaseDrainWaiters(): void {
    if (this.buffer.length >= this.highWaterMark()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Tries the transaction until it gets the lock: SQLITE_BUSY at BEGIN IMMEDIATE is retried with
   * backoff from 10 ms doubling to 1 s; past `maxLockWaitMs` the wait is reported and goes on.
   */
  private async acquire<T>(attempt: () => T, kind: TransactionSample['kind'], files: number): Promise<{ result: T; sample: TransactionSample }> {
    const wait = this.freeUntil - performance.now();
    if (wait > 0) await sleep(wait);
    const firstTry = performance.now();
    let budgetStart = firstTry;
    let delayMs = firstRetryDelayMs;
    let retries = 0;
    for (;;) {
      const begun = performance.now();
      try {
        const result = attempt();
        const ended = performance.now();
        this.freeUntil = ended + this.options.minLockGapMs;
        const sample: TransactionSample = {
          kind, files, retries, statements: 0, lockWaitMs: begun - firstTry, holdMs: ended - begun,
        };
        this.metrics.add(sample);
        return { result, sample };
      } catch (error) {
        if (!isBusyError(error) || this.db.inTransaction) throw error;
      }
      retries += 1;
      if (performance.now() - budgetStart >= this.options.maxLockWaitMs) {
        this.options.onBusy?.(new DatabaseBusyError('record', `writing to the database: still locked by another process after ${Math.round(performance.now() - firstTry)} ms; waiting on`));
        budgetStart = performance.now();
      }
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, lastRetryDelayMs);
    }
  }
}
