/**
 * The request pace the public services set (MusicBrainz: 1 request/s on average per IP; AcoustID:
 * 3/s), kept per service for the whole process: every queue run, CLI or service, asks the same
 * limiter, so two runs in one process cannot together go faster than the service allows.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class RequestPacer {
  /** performance.now() before which no request may start. */
  private nextStart = 0;

  constructor(private intervalMs: number) {}

  /** The interval is a setting: a changed value applies from the next request. */
  setInterval(intervalMs: number): void {
    this.intervalMs = intervalMs;
  }

  /** Resolves when a request may start, and books that start: callers are served in call order. */
  async turn(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + this.intervalMs;
    if (start > now) await sleep(start - now, undefined, { signal });
  }

  /** The service asked us to slow down: no request starts for `ms`. */
  holdOff(ms: number): void {
    this.nextStart = Math.max(this.nextStart, performance.now() + ms);
  }
}

const pacers = new Map<string, RequestPacer>();

/** The process's one pacer for the service at `baseUrl`, with the interval set now. */
export function pacerFor(baseUrl: string, intervalMs: number): RequestPacer {
  let pacer = pacers.get(baseUrl);
  if (pacer === undefined) {
    pacer = new RequestPacer(intervalMs);
    pacers.set(baseUrl, pacer);
  } else {
    pacer.setInterval(intervalMs);
  }
  return pacer;
}
