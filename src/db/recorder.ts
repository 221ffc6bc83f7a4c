/**
 * The recorder: the only writer of wkmp.db in a process (DESIGN.md, the write path). It holds the
 * one write connection and takes two kinds of work, in one queue:
 *
 * - **file records** of the import being recorded, buffered and committed in batches: one short
 *   BEGIN IMMEDIATE transaction for many files, sized so that the lock is held well under 100 ms;
 * - **named commands** (claim a session, save its progress, end it, mark files missing, store
 *   settings, cancel sessions a dead process left), each one short transaction of its own. A
 *   command goes ahead of the batches still waiting, so it waits at most for the transaction in
 *   progress: a settings write during an import answers in milliseconds.
 *
 * The lock is taken without blocking: SQLITE_BUSY is retried with backoff on the event loop, so
 * contention slows an import and never loses or skips a file, and no caller ever sits in SQLite's
 * busy handler.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnalysisResult } from '../file-record.js';
import { DatabaseBusyError } from '../errors.js';
import { isBusyError, type WriteDb } from './connection.js';
import { prepareCommitBatch, type BatchReport, type CommitBatch } from './commit-batch.js';
import { WriteMetrics, type TransactionSample } from './metrics.js';
import { clearFilesMissing, deleteOtherFiles, listFilesByHashes, markFilesMissing } from './queries/files.js';
import { listPassageSpansOfFiles } from './queries/passages.js';
import { prepareFileWrites } from './queries/file-writes.js';
import { updateSessionEnd, updateSessionProgress, type SessionProgressRow, type SessionRow } from './queries/sessions.js';
import { upsertSettings } from './queries/settings.js';
import { cancelAbandonedSessions, claimSession, releaseSession, type SessionClaim } from './session-claim.js';
import { EntityGuids } from './entity-guids.js';
import { prepareRecordIdentifications, type IdentificationUpdate } from './record-identifications.js';

export interface RecorderOptions {
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
}

/** What the recorder tells the import whose files it records. */
export interface RecordingListener {
  /** After each committed batch, outside the transaction. */
  onBatch?: (report: BatchReport, sample: TransactionSample) => void;
  /** Each time the lock could not be had within `maxLockWaitMs`. */
  onBusy?: (error: DatabaseBusyError) => void;
}

/** The file records of one import session: added one by one, committed in batches. */
export interface FileRecording {
  readonly sessionId: string;
  /** The transactions while this recording ran: its batches, and the commands of its session (claim, progress, end). */
  readonly metrics: WriteMetrics;
  /**
   * Buffers one file's result. Resolves at once unless the buffer is over its high-water mark
   * (the database is locked for long), then when it has drained: analysis waits, nothing is dropped.
   */
  add(item: AnalysisResult): Promise<void>;
  /** Commits everything buffered so far. */
  flush(): Promise<void>;
}

const firstRetryDelayMs = 10;
const lastRetryDelayMs = 1000;
const minBatchSize = 8;

type Transaction<T> = { run: () => T; kind: TransactionSample['kind']; files: number };

export class Recorder {
  /** Every transaction since the recorder was made. */
  readonly metrics = new WriteMetrics();
  private readonly commitBatch: CommitBatch;
  private readonly writeIdentifications: (update: IdentificationUpdate) => number;
  private readonly options: Required<RecorderOptions>;
  private recording: (FileRecording & { listener: RecordingListener }) | null = null;
  private buffer: AnalysisResult[] = [];
  private batchSize: number;
  private ageTimer: NodeJS.Timeout | null = null;
  private batchDue = false;
  /** Commands wait here and go before batches. */
  private readonly commands: (() => Promise<void>)[] = [];
  private pumping: Promise<void> | null = null;
  private drainWaiters: (() => void)[] = [];
  private failure: unknown = null;
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
    const writes = prepareFileWrites(db);
    this.commitBatch = prepareCommitBatch(db, writes, new EntityGuids());
    this.writeIdentifications = prepareRecordIdentifications(db, writes);
  }

  /** `ai_database_max_lock_wait_ms` as it is now: read by each import from the settings. */
  setMaxLockWait(ms: number): void {
    this.options.maxLockWaitMs = ms;
  }

  // ------------------------------------------------------------------ named commands

  /** Claims the one running session (refused while another runs, here or in another process). */
  claimSession(claim: SessionClaim): Promise<void> {
    return this.command(() => claimSession(this.db, claim));
  }

  saveSessionProgress(row: SessionProgressRow): Promise<void> {
    return this.command(() => updateSessionProgress(this.db, row));
  }

  /** Writes the session's last row and lets another session be claimed. */
  async endSession(row: Omit<SessionProgressRow, 'currentOperation'> & { errors: string }): Promise<void> {
    try {
      await this.command(() => updateSessionEnd(this.db, row));
    } finally {
      releaseSession(row.sessionId);
    }
  }

  /** Marks sessions left running by a process that is gone CANCELLED; returns those still alive. */
  cancelAbandonedSessions(): Promise<SessionRow[]> {
    return this.command(() => cancelAbandonedSessions(this.db));
  }

  /**
   * Audio files gone from disk are marked (never deleted: they are the library) and unchanged ones
   * that came back unmarked; remembered non-audio files that are gone are forgotten.
   */
  markPresence(presence: { missing: readonly string[]; restored: readonly string[]; goneOthers: readonly string[] }): Promise<void> {
    if (presence.missing.length + presence.restored.length + presence.goneOthers.length === 0) return Promise.resolve();
    return this.command(() => {
      markFilesMissing(this.db, presence.missing);
      clearFilesMissing(this.db, presence.restored);
      deleteOtherFiles(this.db, presence.goneOthers);
    });
  }

  /** Stores settings (values already checked), in one transaction. */
  setSettings(values: ReadonlyMap<string, string | null>): Promise<void> {
    return this.command(() => upsertSettings(this.db, values));
  }

  /**
   * Identification results (identify/queue.ts), in one transaction: cache rows, job outcomes,
   * songs and links. Returns the songs linked.
   */
  recordIdentifications(update: IdentificationUpdate): Promise<number> {
    return this.command(() => this.writeIdentifications(update));
  }

  // ------------------------------------------------------------------ file records

  /** Starts recording an import's files; one at a time (one session runs at a time). */
  beginRecording(sessionId: string, listener: RecordingListener = {}): FileRecording {
    if (this.recording) throw new Error(`the recorder is recording session ${this.recording.sessionId}`);
    const recording = {
      sessionId,
      metrics: new WriteMetrics(),
      listener,
      add: (item: AnalysisResult) => this.add(item),
      flush: () => this.flush(),
    };
    this.recording = recording;
    this.failure = null;
    return recording;
  }

  /** Commits what is left of the recording and ends it. */
  async endRecording(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.recording = null;
    }
  }

  /** Nothing queued, buffered or running. */
  get isIdle(): boolean {
    return this.pumping === null && this.commands.length === 0 && this.buffer.length === 0;
  }

  /** Waits for every queued command and batch. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private add(item: AnalysisResult): Promise<void> {
    this.throwIfFailed();
    this.buffer.push(item);
    if (this.buffer.length >= this.batchSize) this.wantBatch();
    else this.ageTimer ??= setTimeout(() => this.wantBatch(true), this.options.maxBatchAgeMs);
    if (this.buffer.length < this.highWaterMark()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private async flush(): Promise<void> {
    this.clearTimer();
    this.batchDue = true;
    this.pump();
    await this.idle();
    this.throwIfFailed();
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

  /** A batch is wanted: a full one, or with `aged`, what is left (the oldest file has waited long enough). */
  private wantBatch(aged = false): void {
    this.clearTimer();
    if (aged) this.batchDue = true;
    this.pump();
  }

  // ------------------------------------------------------------------ the queue

  /** Runs `fn` in its own transaction, ahead of waiting batches. */
  private command<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.commands.push(async () => {
        try {
          const transaction = this.db.transaction(fn);
          resolve((await this.acquire({ run: () => transaction.immediate(), kind: 'write', files: 0 })).result);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      this.pump();
    });
  }

  /** One loop runs the queue: commands first, then the batches that are due. */
  private pump(): void {
    if (this.pumping) return;
    // Started a microtask later, so that `pumping` is set before the loop can end: with nothing to
    // do, it would end at once, clear `pumping` before it was set, and leave it set for ever.
    this.pumping = Promise.resolve().then(async () => {
      try {
        for (;;) {
          const command = this.commands.shift();
          if (command) await command();
          else if (this.buffer.length > 0 && (this.buffer.length >= this.batchSize || this.batchDue)) await this.commitNextBatch();
          else break;
        }
      } catch (error) {
        this.failure = error;
        this.releaseDrainWaiters(true);
      } finally {
        this.batchDue = this.batchDue && this.buffer.length > 0;
        this.pumping = null;
        if (this.buffer.length > 0 && this.failure === null) this.ageTimer ??= setTimeout(() => this.wantBatch(true), this.options.maxBatchAgeMs);
        if (this.commands.length > 0) this.pump();
      }
    });
  }

  private async commitNextBatch(): Promise<void> {
    const items = this.buffer.slice(0, this.batchSize);
    const sessionId = this.recording?.sessionId;
    if (sessionId === undefined) throw new Error('file records came with no recording begun');
    const records = items.filter((item) => item.kind === 'record');
    const hashes = records.flatMap((record) => (record.hash === '' ? [] : [record.hash]));
    const known = records.flatMap((record) => (record.change === 'changed' ? [record.guid] : []));
    // Read before the transaction: which files already hold these contents, and the passages of those re-recorded.
    const context = { sessionId, sameContent: listFilesByHashes(this.db, hashes), storedPassages: listPassageSpansOfFiles(this.db, known) };
    const { result: report, sample } = await this.acquire({ run: () => this.commitBatch.immediate(items, context), kind: 'batch', files: items.length });
    sample.statements = report.statements;
    this.buffer.splice(0, items.length);
    this.adaptBatchSize(sample);
    this.checkpoint();
    this.releaseDrainWaiters(false);
    this.recording?.listener.onBatch?.(report, sample);
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

  private releaseDrainWaiters(all: boolean): void {
    if (!all && this.buffer.length >= this.highWaterMark()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Tries the transaction until it gets the lock: SQLITE_BUSY at BEGIN IMMEDIATE is retried with
   * backoff from 10 ms doubling to 1 s; past `maxLockWaitMs` the wait is reported and goes on.
   */
  private async acquire<T>(transaction: Transaction<T>): Promise<{ result: T; sample: TransactionSample }> {
    const wait = this.freeUntil - performance.now();
    if (wait > 0) await sleep(wait);
    const firstTry = performance.now();
    let budgetStart = firstTry;
    let delayMs = firstRetryDelayMs;
    let retries = 0;
    for (;;) {
      const begun = performance.now();
      try {
        const result = transaction.run();
        const ended = performance.now();
        this.freeUntil = ended + this.options.minLockGapMs;
        const sample: TransactionSample = {
          kind: transaction.kind, files: transaction.files, retries, statements: 0, lockWaitMs: begun - firstTry, holdMs: ended - begun,
        };
        this.metrics.add(sample);
        this.recording?.metrics.add(sample);
        return { result, sample };
      } catch (error) {
        if (!isBusyError(error) || this.db.inTransaction) throw error;
      }
      retries += 1;
      if (performance.now() - budgetStart >= this.options.maxLockWaitMs) {
        this.recording?.listener.onBusy?.(new DatabaseBusyError('record', `writing to the database: still locked by another process after ${Math.round(performance.now() - firstTry)} ms; waiting on`));
        budgetStart = performance.now();
      }
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, lastRetryDelayMs);
    }
  }
}
