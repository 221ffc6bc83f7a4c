/**
 * The recorder: the only writer of wkmp.db in a process (DESIGN.md, the write path). It holds the
 * one write connection and runs two kinds of work, one transaction at a time:
 *
 * - **write units** (write-unit.ts): what a feature hands it (a session's rows, settings,
 *   identification results, a lease, a request pace), each one short transaction of its own. A
 *   unit goes ahead of the batches still waiting, so it waits at most for the transaction in
 *   progress: a settings write during an import answers in milliseconds.
 * - **file recordings**: the file records of one import session, buffered by the recording and
 *   committed in batches, one short BEGIN IMMEDIATE transaction for many files, sized so that the
 *   lock is held well under 100 ms. A recording owns its buffer and its session id: what a
 *   recording that failed still held is dropped with it (the next import analyses those files
 *   again), never committed under another session.
 *
 * The lock is taken without blocking: SQLITE_BUSY is retried with backoff on the event loop, and no
 * caller ever sits in SQLite's busy handler. Every transaction is measured under its writer's name.
 * A wait past `maxLockWaitMs` is reported to every lock-wait listener; a unit then gives up with a
 * DatabaseBusyError naming what it was doing, while an import's writes wait on (giving up would
 * throw away analysed work; contention slows an import and never loses a file).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnalysisResult } from '../file-record.js';
import { DatabaseBusyError, errorMessage } from '../errors.js';
import { isBusyError, type WriteDb } from './connection.js';
import { prepareCommitBatch, type BatchReport, type CommitBatch } from './commit-batch.js';
import { WriteMetrics, type TransactionSample, type WriteMetricsSummary } from './metrics.js';
import { listFilesByHashes } from './queries/files.js';
import { listAbsentPassages, listPassageSpansOfFiles } from './queries/passages.js';
import { takeOverPassages, upgradeEdgesWithinTicks } from './kept-passages.js';
import { prepareFileWrites } from './queries/file-writes.js';
import { EntityGuids } from './entity-guids.js';
import type { WriteUnit, WriterName } from './write-unit.js';

export interface RecorderOptions {
  /**
   * `ai_database_max_lock_wait_ms`: how long a write tries for the lock before it is reported; a
   * unit then gives up, an import's batch waits on.
   */
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
}

/** A write that waited for the lock past `maxLockWaitMs`. */
export interface LockWait {
  writer: WriterName;
  doing: string;
  waitedMs: number;
  /** True when the write gave up (a unit); false when it waits on (an import's batch). */
  gaveUp: boolean;
  error: DatabaseBusyError;
}

/** What the recorder tells the import whose files it records. */
export interface RecordingListener {
  /** After each committed batch, outside the transaction. */
  onBatch?: (report: BatchReport, sample: TransactionSample) => void;
  /** Each time a batch of this recording could not have the lock within `maxLockWaitMs` (it waits on). */
  onBusy?: (error: DatabaseBusyError) => void;
}

/** The file records of one import session: added one by one, committed in batches. */
export interface FileRecording {
  readonly sessionId: string;
  /** The transactions of this recording: its batches, and the units written for it (its session's rows). */
  readonly metrics: WriteMetrics;
  /**
   * Buffers one file's result. Resolves at once unless the buffer is over its high-water mark
   * (the database is locked for long), then when it has drained: analysis waits, nothing is dropped.
   * Throws once the recording has failed or ended.
   */
  add(item: AnalysisResult): Promise<void>;
  /** Commits everything buffered so far. */
  flush(): Promise<void>;
  /**
   * Commits what is left and ends the recording, so that another can begin. If the recording
   * failed, what it still held is dropped and the failure is thrown, saying how many files were
   * not recorded.
   */
  end(): Promise<void>;
}

const firstRetryDelayMs = 10;
const lastRetryDelayMs = 1000;
const minBatchSize = 8;

/** How a transaction meets a lock held past `maxLockWaitMs`. */
type Patience = 'deadline' | 'wait-on';

interface Transaction<T> {
  run: () => T;
  writer: WriterName;
  doing: string;
  files: number;
  patience: Patience;
  /** The recording whose figures (and busy listener) this transaction also counts in. */
  recording: Recording | null;
}

export class Recorder {
  /** Every transaction since the recorder was made. */
  readonly metrics = new WriteMetrics();
  private readonly byWriter = new Map<WriterName, WriteMetrics>();
  private readonly commitBatch: CommitBatch;
  private readonly options: Required<RecorderOptions>;
  private recording: Recording | null = null;
  private batchSize: number;
  /** Units wait here and go before batches. */
  private readonly units: (() => Promise<void>)[] = [];
  private pumping: Promise<void> | null = null;
  private readonly lockWaitListeners = new Set<(wait: LockWait) => void>();
  /** Before this (performance.now()), the lock is left to other services. */
  private freeUntil = 0;
  /** Time spent checkpointing the WAL between batches, outside any transaction. */
  checkpointMs = 0;

  constructor(private readonly db: WriteDb, options: RecorderOptions) {
    this.options = { targetHoldMs: 12, minLockGapMs: 10, maxBatchAgeMs: 1000, initialBatchSize: 64, maxBatchSize: 2000, ...options };
    this.batchSize = this.options.initialBatchSize;
    db.pragma('busy_timeout = 0');
    // SQLite checkpoints inside COMMIT once the WAL passes 1000 pages: after the lock is released,
    // but inside the call the hold is timed by, and on this thread. The recorder checkpoints
    // between batches instead, where it delays nobody and is measured apart.
    db.pragma('wal_autocheckpoint = 0');
    this.commitBatch = prepareCommitBatch(db, prepareFileWrites(db), new EntityGuids());
  }

  /** `ai_database_max_lock_wait_ms` as it is now: read by each import from the settings. */
  setMaxLockWait(ms: number): void {
    this.options.maxLockWaitMs = ms;
  }

  /** The figures of each writer that has written since the recorder was made. */
  figures(): Partial<Record<WriterName, WriteMetricsSummary>> {
    return Object.fromEntries([...this.byWriter].map(([writer, metrics]) => [writer, metrics.summary()]));
  }

  /** Hears of every write, of any writer, that waited for the lock past `maxLockWaitMs`. */
  onLockWait(listener: (wait: LockWait) => void): () => void {
    this.lockWaitListeners.add(listener);
    return () => this.lockWaitListeners.delete(listener);
  }

  /**
   * Runs a unit in its own transaction, ahead of waiting batches. Rejects with a DatabaseBusyError
   * when the lock cannot be had within `maxLockWaitMs` (nothing of the unit is written), or with
   * the unit's own error (rolled back). `recording`: the import it is written for (its session's
   * rows, the files it found missing): the unit counts in that import's figures and, as its batches
   * do, waits on past `maxLockWaitMs`, saying so to the import.
   */
  write<T>(unit: WriteUnit<T>, options: { recording?: FileRecording } = {}): Promise<T> {
    const recording = options.recording instanceof Recording ? options.recording : null;
    return new Promise<T>((resolve, reject) => {
      this.units.push(async () => {
        try {
          const transaction = this.db.transaction(() => unit.run(this.db));
          const { result } = await this.acquire({
            run: () => transaction.immediate(), writer: unit.writer, doing: unit.doing, files: 0, recording,
            patience: recording === null ? 'deadline' : 'wait-on',
          });
          resolve(result);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      this.pump();
    });
  }

  /** Starts recording an import's files; one recording at a time (one session runs at a time). */
  beginRecording(sessionId: string, listener: RecordingListener = {}): FileRecording {
    if (this.recording) throw new Error(`the recorder is recording session ${this.recording.sessionId}`);
    const recording = new Recording(sessionId, listener, {
      pump: () => this.pump(),
      idle: () => this.idle(),
      batchSize: () => this.batchSize,
      highWaterMark: () => this.options.maxBatchSize * 2,
      maxBatchAgeMs: () => this.options.maxBatchAgeMs,
      ended: (ended) => {
        if (this.recording === ended) this.recording = null;
      },
    });
    this.recording = recording;
    return recording;
  }

  /** Nothing queued, buffered or running. */
  get isIdle(): boolean {
    return this.pumping === null && this.units.length === 0 && (this.recording?.buffered ?? 0) === 0;
  }

  /** Waits for every queued unit and due batch. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  // ------------------------------------------------------------------ the queue

  /** One loop runs the queue: units first, then the batches that are due. */
  private pump(): void {
    if (this.pumping) return;
    // Started a microtask later, so that `pumping` is set before the loop can end: with nothing to
    // do, it would end at once, clear `pumping` before it was set, and leave it set for ever.
    this.pumping = Promise.resolve().then(async () => {
      try {
        // A unit, then a due batch, in turn: a steady stream of units (a settings write every few
        // milliseconds, each kicking the queues' leases) never keeps an import's batches waiting.
        for (let worked = true; worked; ) {
          worked = false;
          const unit = this.units.shift();
          if (unit) {
            await unit();
            worked = true;
          }
          const recording = this.recording;
          if (recording?.hasBatchDue(this.batchSize)) {
            try {
              await this.commitNextBatch(recording);
            } catch (error) {
              recording.fail(error); // the recording's failure, not the recorder's: the next recording starts clean
            }
            worked = true;
          }
        }
      } finally {
        this.pumping = null;
        this.recording?.armTimer();
        if (this.units.length > 0) this.pump();
      }
    });
  }

  private async commitNextBatch(recording: Recording): Promise<void> {
    const items = recording.peek(this.batchSize);
    const records = items.filter((item) => item.kind === 'record');
    const hashes = records.flatMap((record) => (record.hash === '' ? [] : [record.hash]));
    const known = records.flatMap((record) => (record.change === 'changed' ? [record.guid] : []));
    // New files analysed in full may be other encodings of missing ones: the lengths of their passages.
    const newInFull = records.filter((record) => record.change === 'new' && record.analysis === 'full');
    const lengths = newInFull.flatMap((record) => record.passages.map((p) => p.endTicks - p.startTicks));
    // Read before the transaction: which files already hold these contents, the passages of those re-recorded, and missing passages like the new ones.
    const absent = listAbsentPassages(this.db, lengths, 2 * upgradeEdgesWithinTicks);
    const context = {
      sessionId: recording.sessionId, sameContent: listFilesByHashes(this.db, hashes), storedPassages: listPassageSpansOfFiles(this.db, known),
      // Fingerprints are unpacked and compared here, never while the lock is held.
      takeovers: new Map(absent.length === 0 ? [] : newInFull.map((record) => [record.guid, takeOverPassages(record.passages, absent)] as const)),
    };
    const { result: report, sample } = await this.acquire({
      run: () => this.commitBatch.immediate(items, context), writer: 'import', files: items.length, patience: 'wait-on', recording,
      doing: `recording ${items.length} files of session ${recording.sessionId}`,
    });
    sample.statements = report.statements;
    recording.committed(items.length);
    this.adaptBatchSize(sample);
    this.checkpoint();
    recording.listener.onBatch?.(report, sample);
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

  private measure(sample: TransactionSample, recording: Recording | null): void {
    this.metrics.add(sample);
    let writer = this.byWriter.get(sample.writer);
    if (writer === undefined) {
      writer = new WriteMetrics();
      this.byWriter.set(sample.writer, writer);
    }
    writer.add(sample);
    recording?.metrics.add(sample);
  }

  private reportWait(transaction: Transaction<unknown>, waitedMs: number): DatabaseBusyError {
    const gaveUp = transaction.patience === 'deadline';
    const seconds = (waitedMs / 1000).toFixed(1);
    const error = new DatabaseBusyError(
      'record',
      gaveUp
        ? `${transaction.doing}: wkmp.db is still locked by another process after ${seconds} s (ai_database_max_lock_wait_ms); nothing was written, try again`
        : `${transaction.doing}: wkmp.db is still locked by another process after ${seconds} s; waiting on`,
    );
    if (!gaveUp) transaction.recording?.listener.onBusy?.(error);
    for (const listener of this.lockWaitListeners) listener({ writer: transaction.writer, doing: transaction.doing, waitedMs, gaveUp, error });
    return error;
  }

  /**
   * Tries the transaction until it gets the lock: SQLITE_BUSY at BEGIN IMMEDIATE is retried with
   * backoff from 10 ms doubling to 1 s. Past `maxLockWaitMs` the wait is reported; a unit then
   * gives up, a batch waits on and is reported again after each further `maxLockWaitMs`.
   */
  private async acquire<T>(transaction: Transaction<T>): Promise<{ result: T; sample: TransactionSample }> {
    const wait = this.freeUntil - performance.now();
    if (wait > 0) await sleep(wait);
    const firstTry = performance.now();
    let reportedAt = firstTry;
    let delayMs = firstRetryDelayMs;
    let retries = 0;
    for (;;) {
      const begun = performance.now();
      try {
        const result = transaction.run();
        const ended = performance.now();
        this.freeUntil = ended + this.options.minLockGapMs;
        const sample: TransactionSample = {
          writer: transaction.writer, files: transaction.files, retries, statements: 0, lockWaitMs: begun - firstTry, holdMs: ended - begun,
        };
        this.measure(sample, transaction.recording);
        return { result, sample };
      } catch (error) {
        if (!isBusyError(error) || this.db.inTransaction) throw error;
      }
      retries += 1;
      if (performance.now() - reportedAt >= this.options.maxLockWaitMs) {
        const busy = this.reportWait(transaction, performance.now() - firstTry);
        if (transaction.patience === 'deadline') throw busy;
        reportedAt = performance.now();
      }
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, lastRetryDelayMs);
    }
  }
}

/** What a recording asks of its recorder. */
interface RecorderLink {
  pump(): void;
  idle(): Promise<void>;
  batchSize(): number;
  highWaterMark(): number;
  maxBatchAgeMs(): number;
  ended(recording: Recording): void;
}

/** One import's file records: its own buffer, batch timer and failure. */
class Recording implements FileRecording {
  readonly metrics = new WriteMetrics();
  private buffer: AnalysisResult[] = [];
  private batchDue = false;
  private ageTimer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  private isEnded = false;
  private drainWaiters: (() => void)[] = [];
  /** flush() calls waiting for a commit or a failure of this recording. */
  private flushWaiters: (() => void)[] = [];

  constructor(readonly sessionId: string, readonly listener: RecordingListener, private readonly recorder: RecorderLink) {}

  get buffered(): number {
    return this.buffer.length;
  }

  add(item: AnalysisResult): Promise<void> {
    const unusable = this.failure ?? (this.isEnded ? new Error(`the recording of session ${this.sessionId} has ended`) : null);
    if (unusable !== null) return Promise.reject(unusable);
    this.buffer.push(item);
    if (this.buffer.length >= this.recorder.batchSize()) this.wantBatch();
    else this.armTimer();
    if (this.buffer.length < this.recorder.highWaterMark()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Commits what is buffered and waits for it: for this recording's items, not for the recorder to fall idle (other writers may never let it). */
  async flush(): Promise<void> {
    this.clearTimer();
    this.batchDue = this.buffer.length > 0;
    this.recorder.pump();
    while (this.buffer.length > 0 && this.failure === null) await new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    this.throwIfFailed();
  }

  async end(): Promise<void> {
    if (this.isEnded) return;
    try {
      await this.flush();
    } catch (error) {
      const dropped = this.buffer.length;
      this.buffer = [];
      throw new Error(`recording session ${this.sessionId}: ${errorMessage(error)}; ${dropped} analysed files were not recorded (the next import records them)`, { cause: error });
    } finally {
      this.isEnded = true;
      this.clearTimer();
      this.releaseDrainWaiters(true);
      this.recorder.ended(this);
    }
  }

  // ------------------------------------------------------------------ what the recorder calls

  /** A batch is due: a full one, or what is left once the oldest file waited long enough or a flush asked. */
  hasBatchDue(batchSize: number): boolean {
    return this.failure === null && this.buffer.length > 0 && (this.buffer.length >= batchSize || this.batchDue);
  }

  /** The next batch's items, left in the buffer until they are committed. */
  peek(batchSize: number): AnalysisResult[] {
    return this.buffer.slice(0, batchSize);
  }

  committed(count: number): void {
    this.buffer.splice(0, count);
    if (this.buffer.length === 0) this.batchDue = false;
    this.releaseDrainWaiters(false);
    this.releaseFlushWaiters();
  }

  /** A batch failed as a whole (SQLite rolled it back): nothing more of this recording is written. */
  fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.clearTimer();
    this.releaseDrainWaiters(true);
    this.releaseFlushWaiters();
  }

  /** Makes sure what is buffered is committed within the batch age. */
  armTimer(): void {
    if (this.buffer.length === 0 || this.failure !== null || this.isEnded) return;
    this.ageTimer ??= setTimeout(() => this.wantBatch(true), this.recorder.maxBatchAgeMs());
  }

  // ------------------------------------------------------------------

  private wantBatch(aged = false): void {
    this.clearTimer();
    if (aged) this.batchDue = true;
    this.recorder.pump();
  }

  private clearTimer(): void {
    if (this.ageTimer) clearTimeout(this.ageTimer);
    this.ageTimer = null;
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  private releaseFlushWaiters(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private releaseDrainWaiters(all: boolean): void {
    if (!all && this.buffer.length >= this.recorder.highWaterMark()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
