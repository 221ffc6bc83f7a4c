/**
 * The watcher's timers (debounce, stability looks, polling), handed in so that tests move time
 * themselves while the filesystem and its events stay real.
 */

/** A callback may return a promise: a test's timers wait for it, so that a step is done when they return. */
export type TimerCallback = () => unknown;

export interface Timers {
  setTimeout(callback: TimerCallback, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** One timer at a time: arming it again replaces the one that was waiting. */
export class SingleTimer {
  private handle: unknown;
  private armed = false;

  constructor(private readonly timers: Timers) {}

  arm(ms: number, callback: TimerCallback): void {
    this.cancel();
    this.armed = true;
    this.handle = this.timers.setTimeout(() => {
      this.armed = false;
      return callback();
    }, ms);
  }

  cancel(): void {
    if (this.armed) this.timers.clearTimeout(this.handle);
    this.armed = false;
  }

  get isArmed(): boolean {
    return this.armed;
  }
}
