/**
 * The service's one running import: starts `runImport` (the same engine as the CLI), cancels it
 * through its AbortSignal, answers status questions from memory while it runs, and passes every
 * event on to the subscribers (SSE). Only one import runs at a time; `runImport`'s session claim
 * also refuses one started by another process.
 */
import { resolveImportPlace } from '../config/root-folder.js';
import { SessionRunningError } from '../errors.js';
import type { ImportEvent, ImportProgress, ImportSummary, RecordedPassage } from '../import/events.js';
import { runImport } from '../import/run.js';
import type { ImportSession } from '../import/session.js';
import type { AnalysisLevel, FileClass } from '../file-record.js';
import type { DecoderPreference } from '../analysis/decode/decoder.js';

export interface ImportServiceOptions {
  rootFolder: string;
  database: string;
  decoder?: DecoderPreference;
}

export interface StartRequest {
  /** The folder to import: the root, or a folder inside it (relative to the root, or absolute). */
  folder: string;
  jobs?: number;
  analysis?: AnalysisLevel;
}

export type RunState = 'SCANNING' | 'PROCESSING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** One import started by this service, running or ended. */
export interface ImportRun {
  sessionId: string;
  rootFolder: string;
  folder: string;
  startedAt: string;
  state: RunState;
  /** The latest progress event; null before the first. */
  progress: ImportProgress | null;
  summary: ImportSummary | null;
  /** Why it failed. */
  failure: string | null;
  session: ImportSession | null;
}

interface Handle {
  run: ImportRun;
  controller: AbortController;
  done: Promise<void>;
}

export type ImportListener = (event: ImportEvent) => void;

export class ImportService {
  private running: Handle | null = null;
  /** The last run that ended, for status and classification questions. */
  private latest: Handle | null = null;
  private readonly settling = new Set<Promise<void>>();
  private readonly listeners = new Set<ImportListener>();

  constructor(private readonly options: ImportServiceOptions) {}

  get rootFolder(): string {
    return this.options.rootFolder;
  }

  /** Starts an import; resolves once its session is claimed. Throws InvalidInputError (bad folder) or SessionRunningError. */
  async start(request: StartRequest): Promise<ImportRun> {
    if (this.running) {
      throw new SessionRunningError('session', `an import is running (session ${this.running.run.sessionId || 'starting'}); wait for it to finish or cancel it`);
    }
    const place = resolveImportPlace(this.options.rootFolder, request.folder);
    const controller = new AbortController();
    const run: ImportRun = {
      sessionId: '', rootFolder: place.rootFolder, folder: place.relativeFolder, startedAt: '', state: 'SCANNING',
      progress: null, summary: null, failure: null, session: null,
    };
    let started!: (run: ImportRun) => void;
    const whenStarted = new Promise<ImportRun>((resolve) => { started = resolve; });
    const onEvent = (event: ImportEvent): void => {
      this.apply(run, event);
      if (event.type === 'ImportSessionStarted') started(run);
    };
    const engine = runImport({
      rootFolder: this.options.rootFolder,
      folder: place.folder,
      database: this.options.database,
      ...(request.jobs === undefined ? {} : { jobs: request.jobs }),
      analysis: request.analysis ?? 'full',
      decoder: this.options.decoder ?? 'auto',
      signal: controller.signal,
      onEvent,
      onSession: (session) => { run.session = session; },
    });
    const handle: Handle = { run, controller, done: Promise.resolve() };
    this.running = handle;
    handle.done = engine.then(
      (summary) => { run.summary = summary; run.state = summary.state; },
      (error: unknown) => {
        if (run.state === 'SCANNING' || run.state === 'PROCESSING') run.state = 'FAILED';
        run.failure ??= error instanceof Error ? error.message : String(error);
        if (!run.sessionId) throw error;
      },
    ).finally(() => this.ended(handle));
    this.settling.add(handle.done);
    void handle.done.catch(() => undefined).finally(() => this.settling.delete(handle.done));
    // Either the session is claimed, or runImport failed before (another process's session, a bad database).
    return Promise.race([whenStarted, handle.done.then(() => run)]);
  }

  private ended(handle: Handle): void {
    if (this.running === handle) this.running = null;
    if (handle.run.sessionId) this.latest = handle;
  }

  private apply(run: ImportRun, event: ImportEvent): void {
    switch (event.type) {
      case 'ImportSessionStarted':
        run.sessionId = event.sessionId;
        run.startedAt = new Date().toISOString();
        break;
      case 'ImportProgressUpdate':
        run.progress = event.progress;
        run.state = event.progress.state;
        break;
      case 'ImportSessionCompleted':
      case 'ImportSessionCancelled':
        run.summary = event.summary;
        run.state = event.summary.state;
        break;
      case 'ImportSessionFailed':
        run.state = 'FAILED';
        run.failure = event.message;
        break;
      case 'AnalysisLog':
        break;
    }
    for (const listener of this.listeners) listener(event);
  }

  /** The running import, or null. */
  active(): ImportRun | null {
    const run = this.running?.run;
    return run && run.sessionId && (run.state === 'SCANNING' || run.state === 'PROCESSING') ? run : null;
  }

  /** A run of this service (running, or the last one ended) by session id. */
  find(sessionId: string): ImportRun | null {
    for (const handle of [this.running, this.latest]) if (handle?.run.sessionId === sessionId) return handle.run;
    return null;
  }

  /** The running run, else the last one: what the classification and passage lists read. */
  current(): ImportRun | null {
    return this.active() ?? this.latest?.run ?? null;
  }

  /** Asks the running import to stop; false when `sessionId` is not the running one. */
  cancel(sessionId: string): boolean {
    const handle = this.running;
    if (!handle || handle.run.sessionId !== sessionId || this.active() === null) return false;
    handle.controller.abort();
    return true;
  }

  subscribe(listener: ImportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels what runs and waits until it has ended (CANCELLED, its files committed). */
  async shutdown(): Promise<void> {
    this.running?.controller.abort();
    await Promise.allSettled([...this.settling]);
  }
}

/** The paths a run classified as `category`, a page of them. */
export function listClassified(run: ImportRun | null, category: FileClass, offset: number, limit: number): { total: number; paths: string[] } {
  const all = run?.session ? [...run.session.fileClasses].filter(([, fileClass]) => fileClass === category).map(([path]) => path) : [];
  return { total: all.length, paths: all.slice(offset, offset + limit) };
}

/** Passages a run committed after `after` (a `seq`), at most `limit`, oldest first. */
export function listRecordedPassages(run: ImportRun | null, after: number, limit: number): RecordedPassage[] {
  const passages = run?.session?.recordedPassages ?? [];
  // seq rises by one per passage: the first kept one tells where `after` sits.
  const first = passages[0]?.seq ?? 1;
  const start = Math.max(0, after + 1 - first);
  return passages.slice(start, start + limit);
}
