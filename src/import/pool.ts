import type { Worker } from 'node:worker_threads';
import { fileFailure } from '../analysis/file-failure.js';
import type { AmplitudeResult, AmplitudeTask, AnalyseTask, WorkerTask } from '../analysis/worker.js';
import { errorMessage } from '../errors.js';
import type { AnalysisResult, FileFailure } from '../file-record.js';

/**
 * From the TypeScript sources (tests, benchmarks) workers need tsx registered first; built code
 * starts the worker's bundle (scripts/bundle-worker.mjs).
 */
function workerFile(): string {
  const fromSources = import.meta.url.endsWith('.ts');
  return new URL(fromSources ? '../analysis/worker-tsx.mjs' : '../worker/worker.js', import.meta.url).href;
}

export interface AnalysisPoolOptions {
  /** Worker threads (`ingest_max_concurrent_jobs`). */
  jobs: number;
  /** A file still in analysis after this long has its worker stopped and becomes an error row. */
  fileTimeLimitMs: number;
}

export interface AnalysisPool {
  /** How many tasks keep every worker busy: one each, so that a task stopped for its time limit takes no other down with it, and its limit counts from when it starts. */
  readonly capacity: number;
  /** The file's result; null when `cancel` stopped it (the next import does it again). */
  analyse(task: AnalyseTask, cancel?: AbortSignal): Promise<AnalysisResult | null>;
  /**
   * The files' results in their order, from one task: for files that take a fraction of a
   * millisecond each (a tags pass). When the task fails or runs past the time limit, each file is
   * analysed again on its own, so that only the one to blame becomes an error row.
   */
  analyseAll(tasks: readonly AnalyseTask[], cancel?: AbortSignal): Promise<(AnalysisResult | null)[]>;
  /** One region's envelope and leads; null when `cancel` stopped it (its worker is stopped, and its decoder with it). */
  measureAmplitude(task: AmplitudeTask, cancel?: AbortSignal): Promise<AmplitudeResult | null>;
  close(): Promise<void>;
  /** The worker threads running now (piscina's): for tests that stop one mid-file. */
  readonly threads: readonly Worker[];
}

/**
 * What stops one task: its file's time limit, or the import's cancel. Cleared when the task is
 * done, so that nothing outlives it: AbortSignal.timeout's timer lives until it fires, and
 * AbortSignal.any leaves its signal registered with the import's, so a million files would leave
 * a million of each behind (measured: 12,000 timers at 60,000 files of a tags pass).
 */
function taskStop(timeLimitMs: number, cancel?: AbortSignal): { signal: AbortSignal; readonly timedOut: boolean; clear(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeLimitMs);
  const onCancel = (): void => controller.abort();
  cancel?.addEventListener('abort', onCancel, { once: true });
  if (cancel?.aborted === true) controller.abort();
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    },
  };
}

/** Piscina is loaded with the first pool: an import with nothing to analyse (a rescan) never loads it, and starts that much sooner. */
export async function createAnalysisPool(options: AnalysisPoolOptions): Promise<AnalysisPool> {
  const { Piscina: Pool } = await import('piscina');
  const pool = new Pool<WorkerTask, AnalysisResult | AnalysisResult[] | AmplitudeResult>({
    filename: workerFile(),
    minThreads: options.jobs,
    maxThreads: options.jobs,
    concurrentTasksPerWorker: 1,
    idleTimeout: 5_000,
    // A tags pass makes garbage quickly, and each worker's young generation grew to its default
    // bound (peak 323 MB for two workers at 100,000 files); at 8 MB the same pass peaks at 253 MB
    // and runs as fast. Decoded audio lives outside the heap, in buffers this does not bound.
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  /** Runs one task in a worker: its result, or why there is none. */
  async function attempt<R>(task: WorkerTask, cancel: AbortSignal | undefined): Promise<{ result: R } | { cancelled: true } | { timedOut: true } | { crashed: unknown }> {
    const stop = taskStop(options.fileTimeLimitMs, cancel);
    try {
      // Aborting a running task terminates its worker thread; piscina starts another.
      return { result: (await pool.run(task, { signal: stop.signal })) as R };
    } catch (error) {
      if (cancel?.aborted) return { cancelled: true };
      return stop.timedOut ? { timedOut: true } : { crashed: error };
    } finally {
      stop.clear();
    }
  }
  /**
   * Runs one file's task. A cancelled task gives null; one past the time limit, or whose worker
   * crashed, is a failure of its file (`doing`: what the messages say the worker did).
   */
  async function run<R>(task: AnalyseTask | AmplitudeTask, cancel: AbortSignal | undefined, doing: { ran: string; failed: string }): Promise<R | FileFailure | null> {
    const outcome = await attempt<R>(task, cancel);
    if ('result' in outcome) return outcome.result;
    if ('cancelled' in outcome) return null;
    if ('timedOut' in outcome) return fileFailure(task.path, 'decode', 'ANALYSIS_TIMEOUT', `${doing.ran} ran past ${Math.round(options.fileTimeLimitMs / 1000)} s; its worker was stopped`);
    // A crashed worker costs one file, never the import.
    return fileFailure(task.path, 'decode', 'WORKER_FAILED', `the worker ${doing.failed} it failed (${errorMessage(outcome.crashed)})`);
  }
  const analyse = (task: AnalyseTask, cancel?: AbortSignal): Promise<AnalysisResult | null> => run<AnalysisResult>(task, cancel, { ran: 'analysis', failed: 'analysing' });
  async function analyseAll(tasks: readonly AnalyseTask[], cancel?: AbortSignal): Promise<(AnalysisResult | null)[]> {
    if (tasks.length <= 1) return tasks.length === 0 ? [] : [await analyse(tasks[0]!, cancel)];
    const outcome = await attempt<AnalysisResult[]>({ kind: 'analyse files', files: [...tasks] }, cancel);
    if ('result' in outcome) return outcome.result;
    if ('cancelled' in outcome) return tasks.map(() => null);
    // One after another: each with its own time limit from when it starts.
    const results: (AnalysisResult | null)[] = [];
    for (const task of tasks) results.push(await analyse(task, cancel));
    return results;
  }
  return {
    capacity: options.jobs,
    analyse,
    analyseAll,
    measureAmplitude: (task, cancel) => run<AmplitudeResult>(task, cancel, { ran: 'measuring', failed: 'measuring' }),
    close: () => pool.close({ force: true }),
    get threads() {
      return pool.threads;
    },
  };
}
