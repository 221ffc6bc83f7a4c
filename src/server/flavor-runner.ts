/**
 * The service's AcousticBrainz queue in the background (flavoring/queue.ts, run by
 * queue-runner.ts): at start-up, after each import, after identification writes songs, when the
 * settings change (another address, a mirror), when the next retry falls due, and, while
 * AcousticBrainz is gone from its address, once an hour to see whether it is back.
 */
import { listSettings } from '../db/queries/settings.js';
import type { WkmpDatabase } from '../db/setup.js';
import { countFlavorQueue } from '../db/queries/acousticbrainz.js';
import { runFlavorQueue, type FlavorProgress } from '../flavoring/queue.js';
import { acousticBrainzClient } from '../flavoring/services.js';
import { QueueRunner, type RunnerOptions } from './queue-runner.js';

/** While AcousticBrainz does not answer, how often the runner asks again by itself. */
export const goneRecheckMs = 3_600_000;

export class FlavorRunner extends QueueRunner<FlavorProgress> {
  constructor(db: WkmpDatabase, options: RunnerOptions = {}) {
    super(db, {
      name: 'flavor',
      run: ({ signal, clock, pace, onProgress }) => runFlavorQueue({ db, client: acousticBrainzClient(listSettings(db.read), db, pace), signal, clock, onProgress }),
      current: (latest, now) => {
        const counts = countFlavorQueue(db.read, new Date(now).toISOString());
        return latest === null ? { counts, paused: null, requests: 0, recordingsPerSecond: 0, etaSeconds: null } : { ...latest, counts };
      },
      wakeAt: (current, now) => {
        if (current.paused !== null) return current.counts.waiting > 0 ? now + goneRecheckMs : null;
        return current.counts.nextAttemptAt === null ? null : Date.parse(current.counts.nextAttemptAt);
      },
    }, options);
  }
}
