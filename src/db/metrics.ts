import type { WriterName } from './write-unit.js';

/** One write transaction, as the recorder measured it. */
export interface TransactionSample {
  /** Who wrote: an import's batch, or a feature's write unit. */
  writer: WriterName;
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

/**
 * Percentiles are taken over the latest this many transactions: a service that runs for months
 * writes a lease heartbeat every few seconds, and its figures must not grow with its age. Counts,
 * sums and maxima stay exact over every transaction.
 */
export const keptSamples = 10_000;

/**
 * Values kept in ascending order as they come and go: a percentile is then a lookup. The figures
 * are asked for after every batch (an import of a million files commits 14,000), and sorting the
 * 10,000 kept each time cost 0.8 ms even as typed arrays; an insertion costs a binary search and
 * a move of the values after it.
 */
class SortedValues {
  readonly values: number[] = [];

  add(value: number): void {
    this.values.splice(this.firstAbove(value), 0, value);
  }

  remove(value: number): void {
    // The last value equal to it is just below the first value above it.
    this.values.splice(this.firstAbove(value) - 1, 1);
  }

  private firstAbove(value: number): number {
    let low = 0;
    let high = this.values.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.values[middle]! <= value) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** The write path's figures over a run of transactions: an import's, a writer's, or the process's. */
export class WriteMetrics {
  /** The latest samples in the order they came (a ring), and the same values sorted. */
  private readonly holds: number[] = [];
  private readonly waits: number[] = [];
  private readonly sortedHolds = new SortedValues();
  private readonly sortedWaits = new SortedValues();
  private next = 0;
  private transactions = 0;
  private files = 0;
  private statements = 0;
  private retries = 0;
  private maxHoldMs = 0;
  private maxWaitMs = 0;

  add(sample: TransactionSample): void {
    this.transactions += 1;
    this.files += sample.files;
    this.statements += sample.statements;
    this.retries += sample.retries;
    this.maxHoldMs = Math.max(this.maxHoldMs, sample.holdMs);
    this.maxWaitMs = Math.max(this.maxWaitMs, sample.lockWaitMs);
    // A ring of the latest samples, for the percentiles: the one it replaces leaves the sorted values.
    if (this.holds.length === keptSamples) {
      this.sortedHolds.remove(this.holds[this.next]!);
      this.sortedWaits.remove(this.waits[this.next]!);
    }
    this.holds[this.next] = sample.holdMs;
    this.waits[this.next] = sample.lockWaitMs;
    this.sortedHolds.add(sample.holdMs);
    this.sortedWaits.add(sample.lockWaitMs);
    this.next = (this.next + 1) % keptSamples;
  }

  summary(): WriteMetricsSummary {
    const holds = this.sortedHolds.values;
    const waits = this.sortedWaits.values;
    return {
      transactions: this.transactions,
      files: this.files,
      statements: this.statements,
      lockAcquisitionsPerFile: this.files === 0 ? 0 : Math.round((this.transactions / this.files) * 10_000) / 10_000,
      retries: this.retries,
      holdMs: { p50: round2(percentile(holds, 50)), p95: round2(percentile(holds, 95)), p99: round2(percentile(holds, 99)), max: round2(this.maxHoldMs) },
      lockWaitMs: { p50: round2(percentile(waits, 50)), p99: round2(percentile(waits, 99)), max: round2(this.maxWaitMs) },
    };
  }
}
