import { Piscina } from 'piscina';
import type { AnalyseTask } from '../analysis/worker.js';
import { errorMessage } from '../errors.js';
import type { AnalysisResult } from '../file-record.js';

/** From the TypeScript sources (tests, benchmarks) workers need tsx registered first; built code runs as is. */
function workerFile(): string {
  const fromSources = import.meta.url.endsWith('.ts');
  return new URL(fromSources ? '../analysis/worker-tsx.mjs' : '../analysis/worker.js', import.meta.url).href;
}

/** Tag reading and hashing wait on I/O more than the CPU: each worker keeps a few files in flight. */
const tasksPerWorker = 4;

export interface AnalysisPool {
  /** How many files to keep in flight to keep every worker busy. */
  readonly capacity: number;
  analyse(task: AnalyseTask): Promise<AnalysisResult>;
  close(): Promise<void>;
}

export function createAnalysisPool(jobs: number): AnalysisPool {
  const pool = new Piscina<AnalyseTask, AnalysisResult>({
    filename: workerFile(),
    minThreads: jobs,
    maxThreads: jobs,
    concurrentTasksPerWorker: tasksPerWorker,
    idleTimeout: 5_000,
  });
  return {
    capacity: jobs * tasksPerWorker,
    async analyse(task) {
      try {
        return await pool.run(task);
      } catch (error) {
        // A crashed worker costs one file, never the import.
        return {
          kind: 'failure', path: task.path, phase: 'tags', code: 'WORKER_FAILED',
          message: `analysing ${task.path}: the worker failed (${errorMessage(error)})`,
        };
      }
    },
    close: () => pool.close({ force: true }),
  };
}
