/**
 * `wkmp-ai flavor` (and the end of `wkmp-ai import --flavor`): runs the AcousticBrainz queue over
 * the database, or reads one of AcousticBrainz's dumps into it (`--from-dump FILE`), with a
 * progress bar on a terminal, and prints what it did. Exit 1 when AcousticBrainz does not answer
 * and recordings wait for it, or when a dump could not be read to its end.
 */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { databasePathProblem } from '../db/connection.js';
import { listSettings } from '../db/queries/settings.js';
import { openWkmpDatabase, type WkmpDatabase } from '../db/setup.js';
import { importDump, type DumpProgress, type DumpSummary } from '../flavoring/dump.js';
import { runFlavorQueue, type FlavorProgress, type FlavorRunSummary } from '../flavoring/queue.js';
import { acousticBrainzClient } from '../flavoring/services.js';
import { describeHolder, QueueLease } from '../queue/lease.js';
import { systemClock } from '../clock.js';
import { formatDumpProgress, formatFlavorProgress, terminalBar } from './progress-bar.js';

export interface FlavorOptions {
  database: string;
  limit?: number;
  json?: boolean;
  /** While another process runs the queue: false waits for it (the default), true says who and returns 1. */
  noWait?: boolean;
  /** How often to ask again for the queue's lease while waiting. Default 5 s. */
  leasePollMs?: number;
  /** Read this dump archive instead of asking AcousticBrainz. */
  fromDump?: string;
  /** With `fromDump`: every recording of the archive, not only the library's. */
  all?: boolean;
  signal?: AbortSignal;
  /** Where the summary goes (stdout) and the bar and warnings (stderr, the bar drawn only on a terminal). */
  out?: NodeJS.WritableStream;
  err?: NodeJS.WriteStream;
}

function formatQueueSummary(summary: FlavorRunSummary): string {
  const { counts, finished, flavored } = summary;
  return [
    `flavor: ${finished.known} known to AcousticBrainz, ${finished.unknown} unknown to it, ${finished.failed} failed in this run; ${flavored.songs} songs and ${flavored.passages} passages flavored`,
    `  queue      ${counts.waiting} waiting (${counts.due} due), ${counts.known} known, ${counts.unknown} unknown, ${counts.failed} failed, of ${counts.recordings} recordings`,
    `  requests   AcousticBrainz ${summary.requests}`,
    ...(summary.paused === null ? [] : [`  paused     ${summary.paused}`]),
  ].join('\n');
}

function formatDumpSummary(summary: DumpSummary): string {
  const how = summary.complete ? 'read to the end' : summary.cancelled ? 'cancelled' : 'not read to the end';
  const lines = [
    `dump: ${basename(summary.file)} ${how} in ${(summary.durationMs / 1000).toFixed(1)} s (${(summary.bytesRead / 1e6).toFixed(1)} of ${(summary.bytesTotal / 1e6).toFixed(1)} MB)`,
    `  documents  ${summary.members} read: ${summary.stored} stored, ${summary.otherRecordings} of other recordings, ${summary.alreadyStored} already stored, ${summary.broken.count} broken`,
    `  flavored   ${summary.recordings} recordings stored or completed, ${summary.flavored.songs} songs, ${summary.flavored.passages} passages`,
  ];
  for (const { member, problem } of summary.broken.members) lines.push(`  broken     ${member}: ${problem}`);
  if (summary.broken.count > summary.broken.members.length) lines.push(`  broken     … and ${summary.broken.count - summary.broken.members.length} more`);
  return lines.join('\n');
}

/** The database to work on: it must exist (flavoring makes nothing to flavor). */
function openExisting(database: string): WkmpDatabase {
  if (!existsSync(database)) {
    const problem = databasePathProblem(database);
    const message = problem === null ? `no database at ${database}: import a folder first (wkmp-ai import)` : `opening ${database}: ${problem}`;
    throw new InvalidInputError('startup', message, { path: database });
  }
  return openWkmpDatabase(database);
}

async function runQueue(db: WkmpDatabase, options: FlavorOptions, err: NodeJS.WriteStream): Promise<FlavorRunSummary | 'elsewhere'> {
  const bar = options.json === true ? null : terminalBar<FlavorProgress>(err, (p, size) => formatFlavorProgress(p, size), (p) => [p.counts.known + p.counts.unknown + p.counts.failed, p.counts.recordings]);
  // One runner per database: while `wkmp-ai serve` (or another flavor) runs the queue, this one waits for it.
  const lease = new QueueLease(db, { name: 'flavor', label: 'wkmp-ai flavor' });
  let told = false;
  try {
    for (;;) {
      const outcome = await lease.runExclusive((signal) => runFlavorQueue({
        db, client: acousticBrainzClient(listSettings(db.read), db), ...(options.limit === undefined ? {} : { limit: options.limit }),
        signal, onProgress: (progress) => bar?.draw(progress),
      }), options.signal);
      if (outcome.ran) return outcome.result;
      if (options.noWait === true) {
        err.write(`wkmp-ai: the AcousticBrainz queue is running in ${describeHolder(outcome.holder)}; it does the work (run again without --no-wait to wait for it)\n`);
        return 'elsewhere';
      }
      if (!told) err.write(`wkmp-ai: the AcousticBrainz queue is running in ${describeHolder(outcome.holder)}; waiting for it to finish (Ctrl-C stops waiting)\n`);
      told = true;
      await systemClock.sleep(options.leasePollMs ?? 5000, options.signal);
    }
  } finally {
    bar?.stop();
  }
}

async function readDump(db: WkmpDatabase, file: string, options: FlavorOptions, err: NodeJS.WriteStream): Promise<DumpSummary> {
  const bar = options.json === true ? null : terminalBar<DumpProgress>(err, (p, size) => formatDumpProgress(p, size), (p) => [p.bytesRead, p.bytesTotal]);
  try {
    return await importDump({ db, file, all: options.all === true, ...(options.signal === undefined ? {} : { signal: options.signal }), onProgress: (p) => bar?.draw(p) });
  } finally {
    bar?.stop();
  }
}

/** Runs the queue, or reads the dump, over `database` and prints the summary; returns the exit code. */
export async function flavorDatabase(options: FlavorOptions): Promise<number> {
  const file = options.fromDump;
  if (file !== undefined && !(existsSync(file) && statSync(file).isFile())) {
    throw new InvalidInputError('startup', `--from-dump ${file}: no such file (an AcousticBrainz high-level dump, acousticbrainz-highlevel-json-20220623-N.tar.zst)`, { path: file });
  }
  const db = openExisting(options.database);
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  try {
    if (file !== undefined) {
      const summary = await readDump(db, file, options, err);
      out.write(options.json === true ? `${JSON.stringify(summary)}\n` : `${formatDumpSummary(summary)}\n`);
      if (summary.error !== null) err.write(`wkmp-ai: ${summary.error}\n`);
      return summary.cancelled ? 130 : summary.complete ? 0 : 1;
    }
    const summary = await runQueue(db, options, err);
    if (summary === 'elsewhere') return 1;
    out.write(options.json === true ? `${JSON.stringify(summary)}\n` : `${formatQueueSummary(summary)}\n`);
    return summary.paused !== null && summary.counts.waiting > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}
