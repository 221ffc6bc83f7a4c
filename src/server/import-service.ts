/**
 * The service's one running import: starts `runImport` (the same engine as the CLI) on the
 * service's database, cancels it through its AbortSignal, and keeps the run's tracker, whose state
 * (import/state.ts) answers every status question: there is no other copy. Its events go on to
 * the subscribers (SSE). Only one import runs at a time; the session claim also refuses one
 * started by another process.
 */
import { resolveImportPlace } from '../config/root-folder.js';
import type { WkmpDatabase } from '../db/setup.js';
import { SessionRunningError } from '../errors.js';
import type { ImportEvent, RecordedPassage } from '../import/events.js';
import { runImport } from '../import/run.js';
import type { ImportState } from '../import/state.js';
import type { ImportTracker } from '../import/tracker.js';
import type { AnalysisLevel } from '../file-record.js';
import type { SessionOrigin } from '../stored/session-parameters.js';

export interface ImportServiceOptions {
  rootFolder: string;
  /** The service's database, open for its whole life: its recorder is the process's one writer. */
  db: WkmpDatabase;
  /** The ffmpeg to decode with; default the system's, else the one npm installed. */
  ffmpeg?: string;
}

export interface StartRequest {
  /** The folder to import: the root, or a folder inside it (relative to the root, or absolute). */
  folder: string;
  /** Folders to import in one session instead (the watcher's): relative to the root. */
  folders?: readonly string[];
  /** Who asks: the API (default) or the folder watcher. */
  origin?: Extract<SessionOrigin, 'service' | 'watch'>;
  jobs?: number;
  analysis?: AnalysisLevel;
}

/** One import started by this service, running or ended. */
export interface ImportRun {
  /** Null until runImport hands it over. */
  tracker: ImportTracker | null;
  /** Why it failed before or after its session started. */
  failure: string | null;
}

interface Handle {
  run: ImportRun;
  controller: AbortController;
  done: Promise<void>;
}

export type ImportListener = (event: ImportEvent) => void;

/** The state of a run whose session started. */
export function stateOf(run: ImportRun | null): ImportState | null {
  return run?.tracker?.state ?? null;
}

function isRunning(state: ImportState | null): boolean {
  return state !== null && state.endedAt === null;
}

export class ImportService {
  private running: Handle | null = null;
  /** The last run that ended, for status and passage questions. */
  private latest: Handle | null = null;
  private readonly settling = new Set<Promise<void>>();
  private readonly listeners = new Set<ImportListener>();

  constructor(private readonly options: ImportServiceOptions) {}

  get rootFolder(): string {
    return this.options.rootFolder;
  }

  /** Starts an import; resolves once its session is claimed. Throws InvalidInputError (bad folder) or SessionRunningError. */
  async start(request: StartRequest): Promise<ImportState> {
    if (this.running) {
      throw new SessionRunningError('session', `an import is running (session ${stateOf(this.running.run)?.sessionId ?? 'starting'}); wait for it to finish or cancel it`);
    }
    const folders = request.folders ?? [resolveImportPlace(this.options.rootFolder, request.folder).folder];
    const controller = new AbortController();
    let started!: () => void;
    const whenStarted = new Promise<void>((resolve) => { started = resolve; });
    const run: ImportRun = { tracker: null, failure: null };
    const engine = runImport({
      rootFolder: this.options.rootFolder,
      folders,
      db: this.options.db,
      ...(request.jobs === undefined ? {} : { jobs: request.jobs }),
      analysis: request.analysis ?? 'full',
      origin: request.origin ?? 'service',
      ...(this.options.ffmpeg === undefined ? {} : { ffmpeg: this.options.ffmpeg }),
      signal: controller.signal,
      onTracker: (tracker) => { run.tracker = tracker; },
      onEvent: (event) => {
        if (event.type === 'ImportSessionStarted') started();
        for (const listener of this.listeners) listener(event);
      },
    });
    const handle: Handle = { run, controller, done: Promise.resolve() };
    this.running = handle;
    handle.done = engine.then(
      () => undefined,
      (error: unknown) => {
        run.failure = error instanceof Error ? error.message : String(error);
        if (!stateOf(run)) throw error;
      },
    ).finally(() => this.ended(handle));
    this.settling.add(handle.done);
    void handle.done.catch(() => undefined).finally(() => this.settling.delete(handle.done));
    // Either the session is claimed, or runImport failed before it (another process's session, a bad database).
    await Promise.race([whenStarted, handle.done]);
    const state = stateOf(run);
    if (!state) throw new Error(run.failure ?? 'the import ended before its session started');
    return state;
  }

  private ended(handle: Handle): void {
    if (this.running === handle) this.running = null;
    if (stateOf(handle.run)) this.latest = handle;
  }

  /** The running import's state, or null. */
  active(): ImportState | null {
    const state = stateOf(this.running?.run ?? null);
    return isRunning(state) ? state : null;
  }

  /** A run of this service (running, or the last one ended) by session id. */
  find(sessionId: string): ImportState | null {
    for (const handle of [this.running, this.latest]) {
      const state = stateOf(handle?.run ?? null);
      if (state?.sessionId === sessionId) return state;
    }
    return null;
  }

  /** The running run, else the last one: what the classification and passage lists read. */
  current(): ImportState | null {
    return this.active() ?? stateOf(this.latest?.run ?? null);
  }

  /** Asks the running import to stop; false when `sessionId` is not the running one. */
  cancel(sessionId: string): boolean {
    const handle = this.running;
    if (!handle || this.active()?.sessionId !== sessionId) return false;
    handle.controller.abort();
    return true;
  }

  subscribe(listener: ImportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when no import of this service is running (at once when none is). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running.done.catch(() => undefined);
  }

  /** Cancels what runs and waits until it has ended (CANCELLED, its files committed). */
  async shutdown(): Promise<void> {
    this.running?.controller.abort();
    await Promise.allSettled([...this.settling]);
  }
}

/** Passages a run committed after `after` (a `seq`), at most `limit`, oldest first. */
export function listRecordedPassages(state: ImportState | null, after: number, limit: number): RecordedPassage[] {
  const passages = state?.passages ?? [];
  // seq rises by one per passage: the first kept one tells where `after` sits.
  const first = passages[0]?.seq ?? 1;
  const start = Math.max(0, after + 1 - first);
  return passages.slice(start, start + limit);
}
