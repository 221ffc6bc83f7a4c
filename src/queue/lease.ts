/**
 * One runner per database for a background queue (DESIGN.md): a queue's work runs only while this
 * process holds the queue's lease in wkmp.db (db/leases.ts), renewed by a heartbeat. A second
 * process is told who holds it (host, pid, what it is, since when) and waits or says so; a holder
 * that stopped without letting go (its heartbeat is stale, or its process on this host is gone) is
 * taken over. A holder that finds its lease taken over stops its work.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import { releaseLease, renewLease, takeLease, type LeaseHolder } from '../db/leases.js';
import type { WkmpDatabase } from '../db/setup.js';

export interface LeaseOptions {
  /** The queue: `identification`. */
  name: string;
  /** What this process is, for whoever has to wait for it: `wkmp-ai serve`. */
  label: string;
  clock?: Clock;
  /** How often the holder renews its heartbeat. Default 5 s. */
  heartbeatMs?: number;
  /** A heartbeat older than this is a holder that stopped without letting go. Default 30 s. */
  staleAfterMs?: number;
}

export type Exclusive<T> = { ran: true; result: T } | { ran: false; holder: LeaseHolder };

/** "process 1234 on nas (wkmp-ai serve) since 2026-12-07T10:00:00.000Z": who holds a lease, in words. */
export function describeHolder(holder: LeaseHolder): string {
  return `process ${holder.pid} on ${holder.host} (${holder.label}) since ${new Date(holder.acquiredAtMs).toISOString()}`;
}

export class LeaseLostError extends Error {
  constructor(name: string) {
    super(`the ${name} lease was taken over by another process (this one stopped renewing it in time); it goes on there`);
    this.name = 'LeaseLostError';
  }
}

export class QueueLease {
  private readonly token = randomUUID();
  private readonly clock: Clock;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private holding: AbortController | null = null;

  constructor(private readonly db: WkmpDatabase, private readonly options: LeaseOptions) {
    this.clock = options.clock ?? systemClock;
    this.heartbeatMs = options.heartbeatMs ?? 5000;
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
  }

  /**
   * Runs `work` if the lease can be had now, renewing it while the work runs, and lets it go after;
   * otherwise says who holds it. `work`'s signal aborts with a LeaseLostError if the lease is taken over.
   */
  async runExclusive<T>(work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<Exclusive<T>> {
    const holder = await this.db.recorder.write(takeLease({
      name: this.options.name, host: hostname(), pid: process.pid, label: this.options.label, token: this.token,
      nowMs: this.clock.now(), staleAfterMs: this.staleAfterMs,
    }));
    if (holder !== null) return { ran: false, holder };
    const lost = new AbortController();
    this.holding = lost;
    const heartbeat = setInterval(() => void this.renew(), this.heartbeatMs);
    heartbeat.unref();
    try {
      return { ran: true, result: await work(signal === undefined ? lost.signal : AbortSignal.any([signal, lost.signal])) };
    } finally {
      clearInterval(heartbeat);
      this.holding = null;
      // Best effort: a lease not let go is taken over once its heartbeat is stale.
      await this.db.recorder.write(releaseLease(this.options.name, this.token)).catch(() => undefined);
    }
  }

  /**
   * Renews the heartbeat of the lease held now (the heartbeat timer calls it; so may a test). Returns
   * false, and stops the work, when the lease was taken over; a renewal the database refused (locked
   * past its deadline) is tried again at the next beat.
   */
  async renew(): Promise<boolean> {
    const holding = this.holding;
    if (holding === null) return false;
    try {
      const kept = await this.db.recorder.write(renewLease(this.options.name, this.token, this.clock.now()));
      if (!kept) holding.abort(new LeaseLostError(this.options.name));
      return kept;
    } catch (error) {
      process.emitWarning(`lease: renewing the ${this.options.name} lease: ${errorMessage(error)}; trying again at the next beat`);
      return true;
    }
  }
}
