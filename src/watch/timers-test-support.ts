/**
 * Timers a test moves by hand: the watcher's debounce, stability looks and polling run when the
 * test says, and each callback (a look at the files, a report) is finished when `advance` returns,
 * so a test asserts on what the watcher did, never on how fast the machine was.
 */
import type { TimerCallback, Timers } from './timers.js';

export class ManualTimers implements Timers {
  private nowMs = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, { atMs: number; callback: TimerCallback }>();

  setTimeout(callback: TimerCallback, ms: number): number {
    const id = this.nextId++;
    this.waiting.set(id, { atMs: this.nowMs + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.waiting.delete(handle as number);
  }

  /** Timers waiting to run. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Moves time on by `ms`, running (and awaiting) every timer due by then, in order, those they set included. */
  async advance(ms: number): Promise<void> {
    const untilMs = this.nowMs + ms;
    for (;;) {
      const due = [...this.waiting].filter(([, timer]) => timer.atMs <= untilMs).sort(([, a], [, b]) => a.atMs - b.atMs)[0];
      if (due === undefined) break;
      const [id, timer] = due;
      this.waiting.delete(id);
      this.nowMs = timer.atMs;
      await timer.callback();
    }
    this.nowMs = untilMs;
  }
}
