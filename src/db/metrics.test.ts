import { describe, expect, it } from 'vitest';
import { keptSamples, percentile, WriteMetrics, type TransactionSample } from './metrics.js';

function sample(overrides: Partial<TransactionSample> = {}): TransactionSample {
  return { writer: 'import', lockWaitMs: 0, holdMs: 1, files: 10, statements: 50, retries: 0, ...overrides };
}

describe('percentile', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the nearest-rank value of an ascending list', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 95)).toBe(95);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
  });

  it('rounds the rank up on short lists, so the slowest of ten transactions is its p95 and p99', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 95)).toBe(10);
    expect(percentile(ten, 99)).toBe(10);
  });

  it('is the only value of a one-value list and the first for the 0th percentile', () => {
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([3, 4], 0)).toBe(3);
  });

  it('is 0 when nothing was measured', () => {
    expect(percentile([], 99)).toBe(0);
  });
});

describe('WriteMetrics.summary', () => {
  it('reports zeros, and no division by zero, before any transaction', () => {
    expect(new WriteMetrics().summary()).toEqual({
      transactions: 0, files: 0, statements: 0, lockAcquisitionsPerFile: 0, retries: 0,
      holdMs: { p50: 0, p95: 0, p99: 0, max: 0 }, lockWaitMs: { p50: 0, p99: 0, max: 0 },
    });
  });

  it('counts lock acquisitions per file over every transaction, session writes included', () => {
    const metrics = new WriteMetrics();
    for (let i = 0; i < 3; i += 1) metrics.add(sample({ files: 100 }));
    metrics.add(sample({ writer: 'session', files: 0, statements: 1 }));
    metrics.add(sample({ writer: 'session', files: 0, statements: 1 }));
    const summary = metrics.summary();
    expect(summary.transactions).toBe(5);
    expect(summary.files).toBe(300);
    expect(summary.lockAcquisitionsPerFile).toBeCloseTo(5 / 300, 4);
  });

  it('gives 1 lock acquisition per file when every file had its own transaction', () => {
    const metrics = new WriteMetrics();
    for (let i = 0; i < 4; i += 1) metrics.add(sample({ files: 1 }));
    expect(metrics.summary().lockAcquisitionsPerFile).toBe(1);
  });

  it('sums statements and lock retries over all transactions', () => {
    const metrics = new WriteMetrics();
    metrics.add(sample({ statements: 40, retries: 0 }));
    metrics.add(sample({ statements: 60, retries: 3 }));
    metrics.add(sample({ writer: 'session', files: 0, statements: 3, retries: 2 }));
    const summary = metrics.summary();
    expect(summary.statements).toBe(103);
    expect(summary.retries).toBe(5);
  });

  it('reports hold and lock-wait percentiles and maxima whatever order the transactions came in', () => {
    const metrics = new WriteMetrics();
    const holds = [9, 1, 5, 3, 7, 2, 10, 4, 8, 6];
    holds.forEach((holdMs, i) => metrics.add(sample({ holdMs, lockWaitMs: holds.length - i })));
    const summary = metrics.summary();
    expect(summary.holdMs).toEqual({ p50: 5, p95: 10, p99: 10, max: 10 });
    expect(summary.lockWaitMs).toEqual({ p50: 5, p99: 10, max: 10 });
  });

  it('rounds times to hundredths of a millisecond', () => {
    const metrics = new WriteMetrics();
    metrics.add(sample({ holdMs: 1.23456, lockWaitMs: 0.0049 }));
    const summary = metrics.summary();
    expect(summary.holdMs.max).toBe(1.23);
    expect(summary.lockWaitMs.max).toBe(0);
  });
});

describe('WriteMetrics over a long life', () => {
  it('keeps its memory bounded: percentiles over the latest transactions, counts and maxima over all', () => {
    const metrics = new WriteMetrics();
    // One slow transaction long ago, then many quick ones: the slow one leaves the percentiles, not the maximum.
    metrics.add(sample({ holdMs: 500, files: 1 }));
    for (let i = 0; i < keptSamples; i += 1) metrics.add(sample({ holdMs: 2, files: 1 }));
    const summary = metrics.summary();
    expect(summary.transactions).toBe(keptSamples + 1);
    expect(summary.files).toBe(keptSamples + 1);
    expect(summary.holdMs).toEqual({ p50: 2, p95: 2, p99: 2, max: 500 });
  });
});
