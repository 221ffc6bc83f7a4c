/**
 * Time as the queues use it: the wall clock (epoch ms, shared by every process of the machine, so
 * leases and request paces can be compared across them) and a way to wait. Tests hand in a clock
 * they move themselves, so that nothing they assert depends on how fast the machine is.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(Math.max(0, ms), undefined, signal === undefined ? {} : { signal }),
};
