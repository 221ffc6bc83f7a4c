/**
 * A background queue of the service (identification, AcousticBrainz): run when something may have
 * given it work (start-up, an import, a settings write, the other queue's results) and when its
 * next retry falls due. One run at a time in this process, and one runner per database: a run goes
 * only while this process holds the queue's lease (queue/lease.ts). While another process holds it
 * (`wkmp-ai identify`, `wkmp-ai flavor`), the runner says who, and tries again after a while.
 */
import type { WkmpDatabase } from '../db/setup.js';
import { errorMessage } from '../errors.js';
import { describeHolder, LeaseLostError, QueueLease, type LeaseOptions } from '../queue/lease.js';
import type { PaceOptions } from '../queue/pace.js';
import { systemClock, type Clock } from '../clock.js';

/** The longest a retry waits to be noticed: a timer further out is set again after this. */
const longestTimerMs = 3_600_000;

export interface RunnerOptions {
  onError?: (message: string) => void;
  /** While another process holds the lease, how often to ask again. Default 15 s. */
  leasePollMs?: number;
  /** The lease's clock and beats (tests). */
  lease?: Partial<Pick<LeaseOptions, 'clock' | 'heartbeatMs' | 'staleAfterMs'>>;
  /** The services' paces' clock and listener (tests). */
  pace?: PaceOptions;
  /** What "now" is for the queue, and how the runner waits for the next retry; tests move it themselves. */
  clock?: Clock;
}

/** One queue as a runner drives it. */
export interface QueueSpec<P> {
  /** The lease's name, and the queue's in error lines: `identification`. */
  name: string;
  /** One run of the queue over the database, reporting its progress. */
  run(options: { signal: AbortSignal; clock: Clock; pace: PaceOptions; onProgress: (progress: P) => void }): Promise<unknown>;
  /** The progress to show now: the last run's (null before any) with the counts as they are at `now`. */
  current(latest: P | null, now: number): P;
  /** When the runner should run again by itself (epoch ms: a retry's due time), or null. */
  wakeAt(current: P, now: number): number | null;
}

/** A queue's progress as the service shows it: whether it runs here, and who runs it elsewhere. */
export type RunnerStatus<P> = P & { running: boolean; elsewhere: string | null };

export class QueueRunner<P> {
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly controller = new AbortController();
  /** Aborts the wait for the next retry. */
  private retryWait: AbortController | null = null;
  protected readonly clock: Clock;
  private latest: P | null = null;
  private elsewhere: string | null = null;
  private readonly listeners = new Set<(status: RunnerStatus<P>) => void>();
  private readonly lease: QueueLease;

  constructor(db: WkmpDatabase, private readonly spec: QueueSpec<P>, private readonly options: RunnerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.lease = new QueueLease(db, { name: spec.name, label: 'wkmp-ai serve', ...options.lease });
  }

  subscribe(listener: (status: RunnerStatus<P>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The queue as the last run left it, with the counts as they are now. */
  status(): RunnerStatus<P> {
    return { ...this.spec.current(this.latest, this.clock.now()), running: this.running !== null && this.elsewhere === null, elsewhere: this.elsewhere };
  }

  /** Runs the queue now, or once more after the run in progress. */
  kick(): void {
    if (this.closed) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.retryWait?.abort();
    this.retryWait = null;
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.scheduleRetry();
      }
    });
  }

  /** Resolves when no run is going (for tests, and for closing). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retryWait?.abort();
    this.controller.abort();
    await this.idle();
  }

  private announce(): void {
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }

  private async run(): Promise<void> {
    try {
      const outcome = await this.lease.runExclusive((signal) => this.spec.run({
        signal, clock: this.clock, pace: this.options.pace ?? {},
        onProgress: (progress) => {
          this.latest = progress;
          this.announce();
        },
      }), this.controller.signal);
      this.elsewhere = outcome.ran ? null : describeHolder(outcome.holder);
      if (!outcome.ran) this.announce();
    } catch (error) {
      if (error instanceof LeaseLostError) this.elsewhere = 'another process (it took the lease over)';
      else if (!this.controller.signal.aborted) this.options.onError?.(`${this.spec.name}: ${errorMessage(error)}`);
    }
  }

  /** Wakes up when the queue's next retry falls due, or to ask for the lease again. */
  private scheduleRetry(): void {
    if (this.closed) return;
    let delay: number;
    if (this.elsewhere !== null) {
      delay = this.options.leasePollMs ?? 15_000;
    } else {
      const now = this.clock.now();
      const next = this.spec.wakeAt(this.spec.current(this.latest, now), now);
      if (next === null) return;
      delay = Math.min(Math.max(next - now, 0) + 100, longestTimerMs);
    }
    const wait = new AbortController();
    this.retryWait = wait;
    this.clock.sleep(delay, wait.signal).then(() => this.kick(), () => undefined);
  }
}
