/** One write transaction, as the recorder measured it. */
export interface TransactionSample {
  kind: 'batch' | 'write';
  /** From the first attempt at the lock to holding it. */
  lockWaitMs: number;
  /** From BEGIN IMMEDIATE to the end of COMMIT. */
  holdMs: number;
  files: number;
  statements: number;
  /** Attempts refused with SQLITE_BUSY before the lock was had. */
  retries: number;
}

export interface WriteMetricsSummary {
  transactions: number;
  files: number;
  statements: number;
  lockAcquisitionsPerFile: number;
  retries: number;
  holdMs: { p50: number; p95: number; p99: number; max: number };
  lockWaitMs: { p50: number; p99: number; max: number };
}

/** Nearest-rank percentile of an ascending array; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The write path's figures for one import: every transaction the recorder ran. */
export class WriteMetrics {
  private readonly samples: TransactionSample[] = [];

  add(sample: TransactionSample): void {
    this.samples.push(sample);
  }

  summary(): WriteMetricsSummary {
    const holds = this.samples.map((s) => s.holdMs).sort((a, b) => a - b);
    const waits = this.samples.map((s) => s.lockWaitMs).sort((a, b) => a - b);
    const files = this.samples.reduce((sum, s) => sum + s.files, 0);
    return {
      transactions: this.samples.length,
      files,
      statements: this.samples.reduce((sum, s) => sum + s.statements, 0),
      lockAcquisitionsPerFile: files === 0 ? 0 : Math.round((this.samples.length / files) * 10_000) / 10_000,
      retries: this.samples.reduce((sum, s) => sum + s.retries, 0),
      holdMs: {
        p50: round2(percentile(holds, 50)),
        p95: round2(percentile(holds, 95)),
        p99: round2(percentile(holds, 99)),
        max: round2(holds.at(-1) ?? 0),
      },
      lockWaitMs: { p50: round2(percentile(waits, 50)), p99: round2(percentile(waits, 99)), max: round2(waits.at(-1) ?? 0) },
    };
  }
}
