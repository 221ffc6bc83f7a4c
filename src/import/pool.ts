import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
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
  /** Files in flight per worker: tags-only analysis waits on I/O and gains from a few; decoding does not. */
  tasksPerWorker: number;
  /** A file still in analysis after this long has its worker stopped and becomes an error row. */
  fileTimeLimitMs: number;
}

export interface AnalysisPool {
  /** How many files to keep in flight to keep every worker busy. */
  readonly capacity: number;
  /** The file's result; null when `cancel` stopped it (the next import does it again). */
  analyse(task: AnalyseTask, cancel?: AbortSignal): Promise<AnalysisResult | null>;
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

export function createAnalysisPool(options: AnalysisPoolOptions): AnalysisPool {
  const pool = new Piscina<WorkerTask, AnalysisResult | AmplitudeResult>({
    filename: workerFile(),
    minThreads: options.jobs,
    maxThreads: options.jobs,
    concurrentTasksPerWorker: options.tasksPerWorker,
    idleTimeout: 5_000,
    // A tags pass makes garbage quickly, and each worker's young generation grew to its default
    // bound (peak 323 MB for two workers at 100,000 files); at 8 MB the same pass peaks at 253 MB
    // and runs as fast. Decoded audio lives outside the heap, in buffers this does not bound.
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  /**
   * Runs one task in a worker. A cancelled task gives null; one past the time limit, or whose
   * worker crashed, is a failure of its file (`doing`: what the messages say the worker did).
   */
  async function run<R>(task: AnalyseTask | AmplitudeTask, cancel: AbortSignal | undefined, doing: { ran: string; failed: string }): Promise<R | FileFailure | null> {
    const stop = taskStop(options.fileTimeLimitMs, cancel);
    try {
      // Aborting a running task terminates its worker thread; piscina starts another.
      return (await pool.run(task, { signal: stop.signal })) as R;
    } catch (error) {
      if (cancel?.aborted) return null;
      if (stop.timedOut) return fileFailure(task.path, 'decode', 'ANALYSIS_TIMEOUT', `${doing.ran} ran past ${Math.round(options.fileTimeLimitMs / 1000)} s; its worker was stopped`);
      // A crashed worker costs one file, never the import.
      return fileFailure(task.path, 'decode', 'WORKER_FAILED', `the worker ${doing.failed} it failed (${errorMessage(error)})`);
    } finally {
      stop.clear();
    }
  }
  return {
    capacity: options.jobs * options.tasksPerWorker,
    analyse: (task, cancel) => run<AnalysisResult>(task, cancel, { ran: 'analysis', failed: 'analysing' }),
    measureAmplitude: (task, cancel) => run<AmplitudeResult>(task, cancel, { ran: 'measuring', failed: 'measuring' }),
    close: () => pool.close({ force: true }),
    get threads() {
      return pool.threads;
    },
  };
}
