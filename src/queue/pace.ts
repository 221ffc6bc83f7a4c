/**
 * The pace an external service sets (MusicBrainz: 1 request/s on average per client; AcoustID: 3/s),
 * kept for every process on the database (db/request-pace.ts): each request books its start in
 * wkmp.db, so a `wkmp-ai identify` beside a running `wkmp-ai serve`, or two queues of one process,
 * can never together go faster than the service allows. A slow-down answer holds every process off.
 */
import { systemClock, type Clock } from '../clock.js';
import { bookRequest, getNextRequestStart, holdOffRequests } from '../db/request-pace.js';
import type { WkmpDatabase } from '../db/setup.js';

/** What a client asks of the pace before each request. */
export interface RequestPace {
  /** Resolves when a request may start; the start is booked for this caller. */
  turn(signal?: AbortSignal): Promise<void>;
  /** The service asked us to slow down: no request starts for `ms`, in any process. */
  holdOff(ms: number): Promise<void>;
}

export interface PaceOptions {
  clock?: Clock;
  /** Each start granted (epoch ms), as booked: what tests of the pace read, whatever the machine's speed. */
  onTurn?: (startMs: number) => void;
}

export class SharedPace implements RequestPace {
  private readonly clock: Clock;

  /** `service`: its base URL (a mirror keeps a pace of its own); `intervalMs`: the setting, 0 for none. */
  constructor(private readonly db: WkmpDatabase, readonly service: string, private readonly intervalMs: number, private readonly options: PaceOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async turn(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    // Without an interval (a mirror) a request books nothing, but still keeps a hold-off any process was told.
    const start = this.intervalMs === 0 ? Math.max(now, getNextRequestStart(this.db.read, this.service)) : await this.db.recorder.write(bookRequest(this.service, now, this.intervalMs));
    this.options.onTurn?.(start);
    const wait = start - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait, signal);
  }

  async holdOff(ms: number): Promise<void> {
    await this.db.recorder.write(holdOffRequests(this.service, this.clock.now() + ms));
  }
}
