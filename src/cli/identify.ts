/**
 * `wkmp-ai identify` (and the end of `wkmp-ai import --identify`): runs the identification queue
 * over the database, with a progress bar on a terminal, and prints what it did. Exit 1 when the
 * AcoustID side is paused (no key, or a refused one) with passages still waiting for it.
 */
import { existsSync } from 'node:fs';
import { InvalidInputError } from '../errors.js';
import { databasePathProblem } from '../db/connection.js';
import { listSettings } from '../db/queries/settings.js';
import { openWkmpDatabase } from '../db/setup.js';
import { runIdentificationQueue, type QueueProgress, type QueueRunSummary } from '../identify/queue.js';
import { identificationServices } from '../identify/services.js';
import { describeHolder, QueueLease } from '../queue/lease.js';
import { systemClock } from '../clock.js';
import { formatIdentifyProgress, terminalBar } from './progress-bar.js';

export interface IdentifyOptions {
  database: string;
  limit?: number;
  json?: boolean;
  /** While another process runs the queue: false waits for it (the default), true says who and returns 1. */
  noWait?: boolean;
  /** How often to ask again for the queue's lease while waiting. Default 5 s. */
  leasePollMs?: number;
  signal?: AbortSignal;
  /** Where the summary goes (stdout) and the bar (stderr, drawn only on a terminal). */
  out?: NodeJS.WritableStream;
  err?: NodeJS.WriteStream;
  /** Where WKMP_ACOUSTID_API_KEY is read when no key is set. */
  env?: NodeJS.ProcessEnv;
}

function formatQueueSummary(summary: QueueRunSummary): string {
  const { counts, finished, requests } = summary;
  return [
    `identification: ${finished.done} identified, ${finished.noMatch} without a match, ${finished.failed} failed in this run`,
    `  queue      ${counts.waiting} waiting (${counts.due} due), ${counts.done} identified, ${counts.noMatch} without a match, ${counts.failed} failed`,
    `  requests   AcoustID ${requests.acoustId}, MusicBrainz ${requests.musicBrainz}`,
    ...(summary.paused === null ? [] : [`  paused     ${summary.paused}`]),
  ].join('\n');
}

/** Runs the queue over `database` and prints the summary; returns the exit code. */
export async function identifyDatabase(options: IdentifyOptions): Promise<number> {
  // Identifying makes nothing to identify: a database that is not there is a mistake in the command.
  if (!existsSync(options.database)) {
    const problem = databasePathProblem(options.database);
    const message = problem === null ? `no database at ${options.database}: import a folder first (wkmp-ai import)` : `opening ${options.database}: ${problem}`;
    throw new InvalidInputError('startup', message, { path: options.database });
  }
  const db = openWkmpDatabase(options.database);
  const bar = options.json === true ? null : terminalBar<QueueProgress>(options.err ?? process.stderr, (p, size) => formatIdentifyProgress(p, size), ({ counts }) => {
    const total = counts.waiting + counts.done + counts.noMatch + counts.failed;
    return [total - counts.waiting, total];
  });
  // One runner per database: while `wkmp-ai serve` (or another identify) runs the queue, this one waits for it.
  const lease = new QueueLease(db, { name: 'identification', label: 'wkmp-ai identify' });
  const err = options.err ?? process.stderr;
  try {
    let summary: QueueRunSummary | null = null;
    let told = false;
    while (summary === null) {
      const outcome = await lease.runExclusive((signal) => runIdentificationQueue({
        db,
        services: identificationServices(listSettings(db.read), db, options.env),
        ...(options.limit === undefined ? {} : { limit: options.limit }),
        signal,
        onProgress: (progress) => bar?.draw(progress),
      }), options.signal);
      if (outcome.ran) {
        summary = outcome.result;
        break;
      }
      if (options.noWait === true) {
        err.write(`wkmp-ai: identification is running in ${describeHolder(outcome.holder)}; it does the work (run again without --no-wait to wait for it)\n`);
        return 1;
      }
      if (!told) err.write(`wkmp-ai: identification is running in ${describeHolder(outcome.holder)}; waiting for it to finish (Ctrl-C stops waiting)\n`);
      told = true;
      await systemClock.sleep(options.leasePollMs ?? 5000, options.signal);
    }
    bar?.stop();
    (options.out ?? process.stdout).write(options.json === true ? `${JSON.stringify(summary)}\n` : `${formatQueueSummary(summary)}\n`);
    return summary.paused !== null && summary.counts.due > 0 ? 1 : 0;
  } finally {
    bar?.stop();
    await db.close();
  }
}
