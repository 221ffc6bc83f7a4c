/**
 * The service's identification queue in the background (identify/queue.ts, run by queue-runner.ts):
 * at start-up when passages wait, after each import, when the settings change (a new key, a
 * mirror's URL), and when the next retry falls due.
 */
import { listSettings } from '../db/queries/settings.js';
import type { WkmpDatabase } from '../db/setup.js';
import { countJobs } from '../db/queries/identification.js';
import { runIdentificationQueue, type QueueProgress } from '../identify/queue.js';
import { identificationServices } from '../identify/services.js';
import { QueueRunner, type RunnerOptions } from './queue-runner.js';

export class IdentificationRunner extends QueueRunner<QueueProgress> {
  constructor(db: WkmpDatabase, options: RunnerOptions = {}) {
    super(db, {
      name: 'identification',
      run: ({ signal, clock, pace, onProgress }) => runIdentificationQueue({
        db, services: identificationServices(listSettings(db.read), db, process.env, pace), signal, clock, onProgress,
      }),
      current: (latest, now) => {
        const counts = countJobs(db.read, new Date(now).toISOString());
        return latest === null ? { counts, paused: null, requests: { acoustId: 0, musicBrainz: 0 }, jobsPerSecond: 0, etaSeconds: null } : { ...latest, counts };
      },
      wakeAt: (current) => (current.counts.nextAttemptAt === null ? null : Date.parse(current.counts.nextAttemptAt)),
    }, options);
  }
}
