/**
 * The service's identification queue in the background (identify/queue.ts): run at start-up when
 * passages wait, after each import, when the settings change (a new key, a mirror's URL), and
 * when the next retry falls due. One run at a time; a kick during a run makes another after it.
 */
import { listSettings } from '../db/queries/settings.js';
import type { WkmpDatabase } from '../db/setup.js';
import { countJobs } from '../db/queries/identification.js';
import { errorMessage } from '../errors.js';
import { runIdentificationQueue, type QueueProgress } from '../identify/queue.js';
import { identificationServices } from '../identify/services.js';

export type IdentificationListener = (progress: QueueProgress) => void;

/** The longest a retry waits to be noticed: a timer further out is set again after this. */
const longestTimerMs = 3_600_000;

export class IdentificationRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly controller = new AbortController();
  private retryTimer: NodeJS.Timeout | null = null;
  private latest: QueueProgress | null = null;
  private readonly listeners = new Set<IdentificationListener>();

  constructor(private readonly db: WkmpDatabase, private readonly onError: (message: string) => void = () => undefined) {}

  subscribe(listener: IdentificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The queue as the last run left it, with the counts as they are now. */
  progress(): QueueProgress {
    const counts = countJobs(this.db.read, new Date().toISOString());
    return this.latest === null
      ? { counts, paused: null, requests: { acoustId: 0, musicBrainz: 0 }, jobsPerSecond: 0, etaSeconds: null }
      : { ...this.latest, counts };
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  /** Runs the queue now, or once more after the run in progress. */
  kick(): void {
    if (this.closed) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
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
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.controller.abort();
    await this.idle();
  }

  private async run(): Promise<void> {
    try {
      await runIdentificationQueue({
        db: this.db,
        services: identificationServices(listSettings(this.db.read)),
        signal: this.controller.signal,
        onProgress: (progress) => {
          this.latest = progress;
          for (const listener of this.listeners) listener(progress);
        },
      });
    } catch (error) {
      if (!this.controller.signal.aborted) this.onError(`identification: ${errorMessage(error)}`);
    }
  }

  /** Wakes up when the earliest job waiting for a retry falls due. */
  private scheduleRetry(): void {
    if (this.closed) return;
    const next = countJobs(this.db.read, new Date().toISOString()).nextAttemptAt;
    if (next === null) return;
    const delay = Math.min(Math.max(Date.parse(next) - Date.now(), 0) + 100, longestTimerMs);
    this.retryTimer = setTimeout(() => this.kick(), delay);
    this.retryTimer.unref();
  }
}
