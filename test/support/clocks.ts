/**
 * Clocks a test moves itself (src/clock.ts), so that what it asserts about time never depends on
 * how fast the machine is.
 */
import type { Clock } from '../../src/clock.js';

/** Time stands still until the test advances it; a sleeper wakes when the time it waits for has come. */
export class ManualClock implements Clock {
  private time: number;
  private sleepers: { at: number; wake: () => void }[] = [];

  constructor(start = Date.now()) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const sleeper = { at: this.time + Math.max(0, ms), wake: resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason as Error);
      }, { once: true });
    });
  }

  /** How many are asleep now: a test waits for its code to have gone to sleep before it moves time. */
  get sleeping(): number {
    return this.sleepers.length;
  }

  /** Moves time on by `ms` and wakes, in time order, everyone whose time has come. */
  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.at <= this.time).sort((a, b) => a.at - b.at);
    this.sleepers = this.sleepers.filter((s) => s.at > this.time);
    for (const sleeper of due) sleeper.wake();
  }
}

/**
 * Time jumps to whatever a sleeper waits for, at once: paced work runs without waiting, and every
 * decision it took about time (when to start a request) is kept as it was taken.
 */
export class JumpingClock implements Clock {
  constructor(private time = Date.now()) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.time = Math.max(this.time, this.time + ms);
    await Promise.resolve();
  }
}
