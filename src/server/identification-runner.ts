/**
 * The service's identification queue in the background (identify/queue.ts): run at start-up when
 * passages wait, after each import, when the settings change (a new key, a mirror's URL), and
 * when the next retry falls due. One run at a time in this process, and one runner per database:
 * a run goes only while this process holds the queue's lease (queue/lease.ts). While another
 * process holds it (`wkmp-ai identify`), the runner says who, and tries again after a while.
 */
import { listSettings } from '../db/queries/settings.js';
import type { WkmpDatabase } from '../db/setup.js';
import { countJobs } from '../db/queries/identification.js';
import { errorMessage } from '../errors.js';
import { runIdentificationQueue, type QueueProgress, type QueueStatus } from '../identify/queue.js';
import { identificationServices } from '../identify/services.js';
import { describeHolder, LeaseLostError, QueueLease, type LeaseOptions } from '../queue/lease.js';
import type { PaceOptions } from '../queue/pace.js';
import { systemClock, type Clock } from '../clock.js';

export type IdentificationListener = (status: QueueStatus) => void;

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

export class IdentificationRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly controller = new AbortController();
  /** Aborts the wait for the next retry. */
  private retryWait: AbortController | null = null;
  private readonly clock: Clock;
  private latest: QueueProgress | null = null;
  private elsewhere: string | null = null;
  private readonly listeners = new Set<IdentificationListener>();
  private readonly lease: QueueLease;

  constructor(private readonly db: WkmpDatabase, private readonly options: RunnerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.lease = new QueueLease(db, { name: 'identification', label: 'wkmp-ai serve', ...options.lease });
  }

  subscribe(listener: IdentificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The queue as the last run left it, with the counts as they are now. */
  status(): QueueStatus {
    const counts = countJobs(this.db.read, new Date(this.clock.now()).toISOString());
    const progress = this.latest === null
      ? { counts, paused: null, requests: { acoustId: 0, musicBrainz: 0 }, jobsPerSecond: 0, etaSeconds: null }
      : { ...this.latest, counts };
    return { ...progress, running: this.running !== null && this.elsewhere === null, elsewhere: this.elsewhere };
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
      const outcome = await this.lease.runExclusive((signal) => runIdentificationQueue({
        db: this.db,
        services: identificationServices(listSettings(this.db.read), this.db, process.env, this.options.pace),
        signal,
        clock: this.clock,
        onProgress: (progress) => {
          this.latest = progress;
          this.announce();
        },
      }), this.controller.signal);
      this.elsewhere = outcome.ran ? null : describeHolder(outcome.holder);
      if (!outcome.ran) this.announce();
    } catch (error) {
      if (error instanceof LeaseLostError) this.elsewhere = 'another process (it took the lease over)';
      else if (!this.controller.signal.aborted) this.options.onError?.(`identification: ${errorMessage(error)}`);
    }
  }

  /** Wakes up when the earliest job waiting for a retry falls due, or to ask for the lease again. */
  private scheduleRetry(): void {
    if (this.closed) return;
    let delay: number;
    if (this.elsewhere !== null) {
      delay = this.options.leasePollMs ?? 15_000;
    } else {
      const next = countJobs(this.db.read, new Date(this.clock.now()).toISOString()).nextAttemptAt;
      if (next === null) return;
      delay = Math.min(Math.max(Date.parse(next) - this.clock.now(), 0) + 100, longestTimerMs);
    }
    const wait = new AbortController();
    this.retryWait = wait;
    this.clock.sleep(delay, wait.signal).then(() => this.kick(), () => undefined);
  }
}
