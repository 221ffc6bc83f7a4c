/**
 * The state of one running import: counts, phase, progress events and the session row, which is
 * saved every 10 s or 100 files (never per file) through the recorder's queue.
 */
import type { BatchReport } from '../db/commit-batch.js';
import { Recorder, type RecorderOptions } from '../db/recorder.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { listImportErrors, updateSessionEnd, updateSessionProgress, type SessionState } from '../db/queries/sessions.js';
import { TICKS_PER_SECOND, type AnalysisResult, type FileClass, type PassageRecord } from '../file-record.js';
import { errorMessage } from '../errors.js';
import { emptyCounts, type ImportEvent, type ImportPhase, type ImportProgress, type ImportSummary, type RecordedPassage } from './events.js';
import { releaseSession } from './session-claim.js';

const saveEveryMs = 10_000;
const saveEveryFiles = 100;
const emitEveryMs = 200;
/** Committed passages kept in memory for GET /import/passages; older ones are in the database. */
const keepPassages = 10_000;
const recentPassagesInProgress = 10;

export interface SessionPlace {
  rootFolder: string;
  folder: string;
  database: string;
}

export class ImportSession {
  readonly counts = emptyCounts();
  state: SessionState = 'SCANNING';
  phase: ImportPhase = 'scanning';
  filesTotal = 0;
  filesDone = 0;
  private readonly startedAt = performance.now();
  private analysingSince = performance.now();
  private lastSavedAt = performance.now();
  private filesAtLastSave = 0;
  private lastEmittedAt = 0;
  /** Files being analysed now → when their analysis started (epoch ms). */
  private readonly inFlight = new Map<string, number>();
  /** What each file met by the walk is, by content where that was checked: for GET /api/import/file-classification. */
  readonly fileClasses = new Map<string, FileClass>();
  /** Passages of files analysed and not yet committed, by path. */
  private readonly pendingPassages = new Map<string, PassageRecord[]>();
  /** The latest committed passages, oldest first, at most `keepPassages`. */
  readonly recordedPassages: RecordedPassage[] = [];
  private passageSeq = 0;
  /** The session's only writer: its files, and its own row. */
  readonly recorder: Recorder;

  constructor(
    readonly id: string,
    private readonly place: SessionPlace,
    db: WriteDb,
    recorderOptions: Omit<RecorderOptions, 'sessionId' | 'onBatch' | 'onBusy'>,
    private readonly emit: (event: ImportEvent) => void,
  ) {
    this.recorder = new Recorder(db, {
      ...recorderOptions,
      sessionId: id,
      onBatch: (report) => this.batchCommitted(report),
      onBusy: (error) => this.log('warn', error.message),
    });
  }

  /** Enters a phase; the state change is saved at once. */
  async enter(phase: ImportPhase, state: SessionState = this.state): Promise<void> {
    this.phase = phase;
    this.state = state;
    if (phase === 'analysing') this.analysingSince = performance.now();
    this.emitProgress(true);
    await this.save();
  }

  log(level: 'info' | 'warn', message: string): void {
    this.emit({ type: 'AnalysisLog', level, message });
  }

  /** A worker took the file. */
  fileStarted(path: string): void {
    this.inFlight.set(path, Date.now());
    // Also here, not only when a file is done: with one worker the file just done has left and the next not yet come.
    this.emitProgress(false);
  }

  /** The file's analysis was stopped (cancelled in flight): it is no longer being worked on. */
  fileStopped(path: string): void {
    this.inFlight.delete(path);
  }

  /** One file's analysis is done (its write may still be buffered). */
  fileAnalysed(result: AnalysisResult): void {
    this.filesDone += 1;
    this.inFlight.delete(result.path);
    if (result.kind === 'record' && result.passages.length > 0) this.pendingPassages.set(result.path, result.passages);
    if (result.kind === 'record') {
      this.counts.audioSeconds += result.decodedSeconds;
      if (result.status === 'NO AUDIO') this.counts.noAudio += 1;
    }
    if (result.kind === 'failure' && result.contentClass) {
      this.counts.classes.audio -= 1;
      this.counts.classes[result.contentClass] += 1;
      this.fileClasses.set(result.path, result.contentClass);
    }
    const now = performance.now();
    if (this.filesDone - this.filesAtLastSave >= saveEveryFiles || now - this.lastSavedAt >= saveEveryMs) {
      // Progress is a convenience: a failed save is reported, and the next one or the end row catches up.
      this.save().catch((error: unknown) => this.log('warn', `saving progress of session ${this.id}: ${errorMessage(error)}`));
    }
    this.emitProgress(false);
  }

  /** A batch was committed: what is now in the database. */
  private batchCommitted(report: BatchReport): void {
    for (const file of report.committed) {
      this.passagesCommitted(file.path, file.passages);
      this.counts.recorded += 1;
      this.counts.passages += file.passages;
      this.counts.songs += file.songs;
      if (file.status === 'DUPLICATE HASH') this.counts.duplicates += 1;
    }
    this.counts.failed += report.failed.length;
    for (const failure of report.failed) this.log('warn', failure.message);
  }

  private passagesCommitted(path: string, stored: number): void {
    const passages = this.pendingPassages.get(path) ?? [];
    this.pendingPassages.delete(path);
    if (stored === 0) return; // a duplicate or a file without audio: no passages were written
    const { passagesPerFile } = this.counts;
    if (stored === 1) passagesPerFile.one += 1;
    else if (stored <= 5) passagesPerFile.twoToFive += 1;
    else passagesPerFile.moreThanFive += 1;
    for (const [index, passage] of passages.entries()) {
      const seconds = (passage.endTicks - passage.startTicks) / TICKS_PER_SECOND;
      if (this.counts.shortestPassageSeconds === null || seconds < this.counts.shortestPassageSeconds) this.counts.shortestPassageSeconds = seconds;
      this.recordedPassages.push({
        seq: ++this.passageSeq, path, title: passage.title, number: index + 1, of: passages.length,
        artist: passage.artist, recordingMbid: passage.recording?.recordingMbid ?? null,
        startTicks: passage.startTicks, endTicks: passage.endTicks,
        leadInStartTicks: passage.leadInStartTicks, leadOutStartTicks: passage.leadOutStartTicks,
      });
    }
    if (this.recordedPassages.length > keepPassages) this.recordedPassages.splice(0, this.recordedPassages.length - keepPassages);
  }

  progress(): ImportProgress {
    const elapsedS = (performance.now() - this.analysingSince) / 1000;
    const rate = this.phase === 'analysing' && elapsedS > 0 ? this.filesDone / elapsedS : 0;
    return {
      sessionId: this.id,
      state: this.state,
      phase: this.phase,
      filesTotal: this.filesTotal,
      filesDone: this.filesDone,
      filesPerSecond: Math.round(rate * 10) / 10,
      xRealtime: this.phase === 'analysing' && elapsedS > 0 ? Math.round((this.counts.audioSeconds / elapsedS) * 10) / 10 : 0,
      etaSeconds: rate > 0 ? Math.round((this.filesTotal - this.filesDone) / rate) : null,
      counts: structuredClone(this.counts),
      write: this.recorder.metrics.summary(),
      inFlight: [...this.inFlight].map(([path, sinceMs]) => ({ path, sinceMs })),
      passagesRecorded: this.passageSeq,
      recentPassages: this.recordedPassages.slice(-recentPassagesInProgress),
    };
  }

  private emitProgress(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastEmittedAt < emitEveryMs && this.filesDone < this.filesTotal) return;
    this.lastEmittedAt = now;
    this.emit({ type: 'ImportProgressUpdate', progress: this.progress() });
  }

  private save(): Promise<void> {
    this.lastSavedAt = performance.now();
    this.filesAtLastSave = this.filesDone;
    const row = {
      sessionId: this.id,
      state: this.state,
      filesTotal: this.filesTotal,
      filesProcessed: this.filesDone,
      currentOperation: this.phase,
      counts: JSON.stringify(this.counts),
      metrics: JSON.stringify(this.recorder.metrics.summary()),
    };
    return this.recorder.write((db) => updateSessionProgress(db, row));
  }

  /** Commits what is buffered, writes the final row and returns the summary. */
  async finish(state: 'COMPLETED' | 'CANCELLED' | 'FAILED', db: ReadDb, error?: string): Promise<ImportSummary> {
    this.phase = 'finishing';
    this.state = state;
    try {
      if (state !== 'FAILED') await this.recorder.flush();
      const endRow = {
        sessionId: this.id, state, filesTotal: this.filesTotal, filesProcessed: this.filesDone,
        counts: JSON.stringify(this.counts), metrics: JSON.stringify(this.recorder.metrics.summary()),
        errors: JSON.stringify(error === undefined ? [] : [error]),
      };
      await this.recorder.write((writeDb) => updateSessionEnd(writeDb, endRow));
    } finally {
      releaseSession(this.id);
    }
    const durationMs = performance.now() - this.startedAt;
    const summary: ImportSummary = {
      sessionId: this.id,
      state,
      ...this.place,
      durationMs: Math.round(durationMs),
      filesPerSecond: durationMs > 0 ? Math.round(((this.filesDone + this.counts.unchanged) / durationMs) * 1000 * 10) / 10 : 0,
      counts: structuredClone(this.counts),
      write: this.recorder.metrics.summary(),
      errors: listImportErrors(db, this.id),
    };
    if (state === 'COMPLETED') this.emit({ type: 'ImportSessionCompleted', summary });
    else if (state === 'CANCELLED') this.emit({ type: 'ImportSessionCancelled', summary });
    return summary;
  }
}
