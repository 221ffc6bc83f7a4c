#!/usr/bin/env node
/**
 * wkmp-ai's command line: a thin shell over `import/`. Exit codes: 0 the import completed (files
 * that failed are listed, not fatal), 1 it could not run, 130 it was cancelled.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultDatabasePath, resolveRootFolder } from '../config/root-folder.js';
import type { ImportEvent, ImportSummary } from '../import/events.js';
import { runImport } from '../import/run.js';
import { errorMessage } from '../errors.js';
import { maxJobs, settingOf } from '../config/settings.js';
import { defaultHost, defaultPort, logLevels, type LogLevel } from '../server/options.js';
import { formatSummary } from './summary.js';
import { parseAge } from './prune.js';
import { wkmpAiVersion } from '../version.js';
import type * as IdentifyModule from './identify.js';
import type * as FlavorModule from './flavor.js';

export const exitCodes = { completed: 0, couldNotRun: 1, cancelled: 130 } as const;

export function exitCodeOf(summary: ImportSummary): number {
  return summary.state === 'COMPLETED' ? exitCodes.completed : summary.state === 'CANCELLED' ? exitCodes.cancelled : exitCodes.couldNotRun;
}

/** `--jobs`, bounded as the setting it stands for (config/settings.ts): the same rule from the command line, the API and the page. */
function jobs(value: string): number {
  const setting = settingOf('ingest_max_concurrent_jobs');
  const jobsGiven = value.trim() === '' ? undefined : setting.parse(value);
  if (jobsGiven === undefined) throw new InvalidArgumentError(`expected ${setting.rule()}, got \`${value}\``);
  return jobsGiven;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected an integer from 1 up, got \`${value}\``);
  return n;
}

interface ImportOptions {
  rootFolder?: string;
  db?: string;
  jobs?: number;
  json?: boolean;
  analysis: 'full' | 'tags';
  ffmpeg?: string;
  identify?: boolean;
  flavor?: boolean;
}

/** First Ctrl-C: stop taking files, commit what is analysed, end the session CANCELLED. Second: quit at once. */
function cancelOnInterrupt(controller: AbortController): () => void {
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(exitCodes.cancelled);
    process.stderr.write('\nstopping: committing the files already analysed (Ctrl-C again to quit now; the next run does the rest)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

async function importCommand(folder: string | undefined, options: ImportOptions): Promise<void> {
  const controller = new AbortController();
  const release = cancelOnInterrupt(controller);
  // cli-progress loads only to draw: a --json run has no bar.
  const drawProgress = options.json ? () => undefined : (await import('./progress-bar.js')).createProgressBar();
  const onEvent = (event: ImportEvent) => drawProgress(event);
  try {
    const summary = await runImport({
      rootFolder: resolveRootFolder({ flag: options.rootFolder }),
      // A folder on the command line is where the shell says, as in every other command; it must lie inside the root.
      ...(folder === undefined ? {} : { folder: resolve(process.cwd(), folder) }),
      ...(options.db === undefined ? {} : { database: options.db }),
      ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
      analysis: options.analysis,
      ...(options.ffmpeg === undefined ? {} : { ffmpeg: options.ffmpeg }),
      signal: controller.signal,
      onEvent,
    });
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
    process.exitCode = exitCodeOf(summary);
    if (options.identify === true && summary.state === 'COMPLETED') {
      process.exitCode = await (await identifyModule()).identifyDatabase({ database: summary.database, json: options.json ?? false, signal: controller.signal });
    }
    if (options.flavor === true && summary.state === 'COMPLETED') {
      const code = await (await flavorModule()).flavorDatabase({ database: summary.database, json: options.json ?? false, signal: controller.signal });
      if (code !== 0) process.exitCode = code;
    }
  } catch (error) {
    process.stderr.write(`wkmp-ai: ${errorMessage(error)}\n`);
    process.exitCode = exitCodes.couldNotRun;
  } finally {
    release();
  }
}

interface IdentifyCommandOptions {
  rootFolder?: string;
  db?: string;
  limit?: number;
  json?: boolean;
  /** commander's negation of --no-wait: true unless it is given. */
  wait: boolean;
}

/** The queue, its clients and its bar load only for a command that identifies. */
function identifyModule(): Promise<typeof IdentifyModule> {
  return import('./identify.js');
}

async function identifyCommand(options: IdentifyCommandOptions): Promise<void> {
  const controller = new AbortController();
  const release = cancelOnInterrupt(controller);
  try {
    const database = options.db ?? defaultDatabasePath(resolveRootFolder({ flag: options.rootFolder }));
    process.exitCode = await (await identifyModule()).identifyDatabase({
      database, ...(options.limit === undefined ? {} : { limit: options.limit }), json: options.json ?? false, noWait: !options.wait, signal: controller.signal,
    });
  } catch (error) {
    process.stderr.write(`wkmp-ai: ${errorMessage(error)}\n`);
    process.exitCode = controller.signal.aborted ? exitCodes.cancelled : exitCodes.couldNotRun;
  } finally {
    release();
  }
}

/** The AcousticBrainz queue, its dump reader and its bar load only for a command that flavors. */
function flavorModule(): Promise<typeof FlavorModule> {
  return import('./flavor.js');
}

interface FlavorCommandOptions {
  rootFolder?: string;
  db?: string;
  limit?: number;
  json?: boolean;
  /** commander's negation of --no-wait: true unless it is given. */
  wait: boolean;
  fromDump?: string;
  all?: boolean;
}

async function flavorCommand(options: FlavorCommandOptions, command: Command): Promise<void> {
  if (options.all === true && options.fromDump === undefined) command.error('error: option \'--all\' goes with \'--from-dump <file>\' (which recordings of the dump to keep)');
  if (options.limit !== undefined && options.fromDump !== undefined) command.error('error: option \'--limit <n>\' counts recordings asked of AcousticBrainz, not read from a dump');
  const controller = new AbortController();
  const release = cancelOnInterrupt(controller);
  try {
    const database = options.db ?? defaultDatabasePath(resolveRootFolder({ flag: options.rootFolder }));
    process.exitCode = await (await flavorModule()).flavorDatabase({
      database, ...(options.limit === undefined ? {} : { limit: options.limit }), json: options.json ?? false, noWait: !options.wait,
      ...(options.fromDump === undefined ? {} : { fromDump: resolve(process.cwd(), options.fromDump) }), all: options.all === true, signal: controller.signal,
    });
  } catch (error) {
    process.stderr.write(`wkmp-ai: ${errorMessage(error)}\n`);
    process.exitCode = controller.signal.aborted ? exitCodes.cancelled : exitCodes.couldNotRun;
  } finally {
    release();
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got \`${value}\``);
  return n;
}

interface ServeCommandOptions {
  rootFolder?: string;
  db?: string;
  host: string;
  port: number;
  ffmpeg?: string;
  logLevel: LogLevel;
  token?: string;
  allowedHost: string[];
  /** False with --no-watch. */
  watch: boolean;
}

/** What the service asks of who talks to it, said once at the start. */
function accessLines(service: { url: string; token: string | null; tokenSource: string; tokenFile: string }): string[] {
  if (service.token === null) return [`wkmp-ai: listening on ${service.url}`];
  const from = { flag: 'given with --token', environment: 'from WKMP_AI_TOKEN', file: `kept in ${service.tokenFile}`, created: '' }[service.tokenSource] ?? '';
  const lines = [`wkmp-ai: listening on ${service.url}; every route but the page and /health asks for the token${from === '' ? '' : ` (${from})`}`];
  if (service.tokenSource === 'created') {
    lines.push(`wkmp-ai: made this service's token, kept in ${service.tokenFile} (mode 0600); give it to the page when it asks:`, `  ${service.token}`);
  }
  return lines;
}

/** Runs until SIGTERM or Ctrl-C: a running import is cancelled and ends CANCELLED, the database is closed, exit 0. */
async function serveCommand(options: ServeCommandOptions): Promise<void> {
  let service;
  try {
    // Loaded here, not at the top: an import never pays for Fastify.
    const { serve } = await import('../server/serve.js');
    service = await serve({
      rootFolder: resolveRootFolder({ flag: options.rootFolder }),
      ...(options.db === undefined ? {} : { database: options.db }),
      host: options.host,
      port: options.port,
      ...(options.ffmpeg === undefined ? {} : { ffmpeg: options.ffmpeg }),
      logLevel: options.logLevel,
      ...(options.token === undefined ? {} : { token: options.token }),
      allowedHosts: options.allowedHost,
      watch: options.watch ? 'setting' : false,
    });
  } catch (error) {
    process.stderr.write(`wkmp-ai: ${errorMessage(error)}\n`);
    process.exitCode = exitCodes.couldNotRun;
    return;
  }
  process.stdout.write(`${accessLines(service).join('\n')}\n`);
  const running = service;
  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`wkmp-ai: ${signal}: stopping (a running import is cancelled; what is analysed is committed)\n`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`wkmp-ai: stopping: ${errorMessage(error)}\n`);
        process.exit(exitCodes.couldNotRun);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

interface SimilarCommandOptions {
  rootFolder?: string;
  db?: string;
  limit: number;
  json?: boolean;
}

async function similarCommand(path: string, options: SimilarCommandOptions): Promise<void> {
  try {
    const rootFolder = resolveRootFolder({ flag: options.rootFolder });
    const { similarToFile } = await import('./similar.js');
    const text = similarToFile({
      rootFolder, database: options.db ?? defaultDatabasePath(rootFolder), path: resolve(process.cwd(), path), limit: options.limit, json: options.json ?? false,
    });
    process.stdout.write(`${text}\n`);
  } catch (error) {
    process.stderr.write(`wkmp-ai: ${errorMessage(error)}\n`);
    process.exitCode = exitCodes.couldNotRun;
  }
}

interface PruneCommandOptions {
  rootFolder?: string;
  db?: string;
  missingFor: number;
  dryRun?: boolean;
  json?: boolean;
}

async function pruneCommand(options: PruneCommandOptions): Promise<void> {
  try {
    const database = options.db ?? defaultDatabasePath(resolveRootFolder({ flag: options.rootFolder }));
    const { pruneMissing } = await import('./prune.js');
    process.stdout.write(`${await pruneMissing({ database, missingForMs: options.missingFor, dryRun: options.dryRun ?? false, json: options.json ?? false, now: Date.now() })}\n`);
  } catch (error) {
    process.stderr.write(`wkmp-ai: ${errorMessage(error)}\n`);
    process.exitCode = exitCodes.couldNotRun;
  }
}

function age(value: string): number {
  const ms = parseAge(value);
  if (ms === undefined) throw new InvalidArgumentError(`expected a number and a unit (m, h, d or w), e.g. 30d, got \`${value}\``);
  return ms;
}

export function buildProgram(): Command {
  const program = new Command('wkmp-ai')
    .description('Audio ingest for WKMP: imports a music folder into the shared wkmp.db')
    .version(wkmpAiVersion(), '-V, --version', 'print the version and exit')
    // A mistake on the command line is one line and where to read more, not the whole help under it.
    .showHelpAfterError('(run "wkmp-ai --help" for usage)');
  program
    .command('import')
    .description('scan a folder inside the root folder and record its audio files in wkmp.db')
    .argument('[folder]', 'folder to import, inside the root folder; a relative path is from the current directory (default: the whole root)')
    .option('--root-folder <dir>', 'root music folder (default: $WKMP_ROOT_FOLDER, root_folder in ~/.config/wkmp/wkmp-ai.toml, or ~/Music)')
    .option('--db <file>', 'database file (default: <root>/wkmp.db)')
    .option('--jobs <n>', `worker threads, 1 to ${maxJobs()} here (default: the ingest_max_concurrent_jobs setting, else one per core)`, jobs)
    .addOption(new Option('--analysis <level>', 'full: decode, split at silences, lead-in/out, fingerprints; tags: a fast tags-only first pass').choices(['full', 'tags']).default('full'))
    .option('--ffmpeg <command>', 'the ffmpeg to decode with (default: the one on the PATH, else the one npm installed)')
    .option('--json', 'print the summary as one JSON object on stdout, and no progress bar')
    .option('--identify', 'then identify the passages waiting for it (AcoustID and MusicBrainz), as `wkmp-ai identify` does')
    .option('--flavor', 'then give the songs AcousticBrainz\'s flavor (after --identify when both are given), as `wkmp-ai flavor` does')
    .addHelpText('after', `
Exit codes: 0 completed (per-file errors are listed in the summary), 1 could not run, 130 cancelled.

Examples:
  $ wkmp-ai import --root-folder ~/Music
  $ wkmp-ai import "Artist A" --root-folder ~/Music --jobs 4
  $ wkmp-ai import --root-folder ~/Music --analysis tags   # quick first pass; a later full import finishes it
  $ wkmp-ai import --root-folder ~/Music --json | jq .counts`)
    .action(importCommand);
  program
    .command('identify')
    .description('identify the passages waiting for it from their fingerprints (AcoustID, then MusicBrainz), at the pace the services allow')
    .option('--root-folder <dir>', 'root music folder (default: $WKMP_ROOT_FOLDER, root_folder in ~/.config/wkmp/wkmp-ai.toml, or ~/Music)')
    .option('--db <file>', 'database file (default: <root>/wkmp.db)')
    .option('--limit <n>', 'identify at most this many passages', positiveInteger)
    .option('--no-wait', 'when another process (wkmp-ai serve) is identifying, say so and exit 1 instead of waiting for it')
    .option('--json', 'print the summary as one JSON object on stdout, and no progress bar')
    .addHelpText('after', `
The AcoustID key is the acoustid_api_key setting, else $WKMP_ACOUSTID_API_KEY. Without one, passages wait.
One process identifies at a time on a database: while another does (wkmp-ai serve), this one waits for it, or with --no-wait says which and exits 1.
Exit codes: 0 ran (passages it could not match are listed as such), 1 could not run, paused with passages waiting, or another process identifies (--no-wait), 130 cancelled.

Examples:
  $ WKMP_ACOUSTID_API_KEY=... wkmp-ai identify --root-folder ~/Music
  $ wkmp-ai identify --root-folder ~/Music --limit 100 --json | jq .requests`)
    .action(identifyCommand);
  program
    .command('flavor')
    .description('give the songs\' recordings their musical flavor from AcousticBrainz (25 to a request, at the pace it allows), or from one of its dumps')
    .option('--root-folder <dir>', 'root music folder (default: $WKMP_ROOT_FOLDER, root_folder in ~/.config/wkmp/wkmp-ai.toml, or ~/Music)')
    .option('--db <file>', 'database file (default: <root>/wkmp.db)')
    .option('--limit <n>', 'ask AcousticBrainz for at most this many recordings', positiveInteger)
    .option('--no-wait', 'when another process (wkmp-ai serve) runs the AcousticBrainz queue, say so and exit 1 instead of waiting for it')
    .option('--from-dump <file>', 'read one AcousticBrainz high-level dump archive (acousticbrainz-highlevel-json-20220623-N.tar.zst) instead of asking the service')
    .option('--all', 'with --from-dump: keep every recording of the archive, not only this library\'s')
    .option('--json', 'print the summary as one JSON object on stdout, and no progress bar')
    .addHelpText('after', `
AcousticBrainz is the acousticbrainz_base_url setting (default https://acousticbrainz.org; a mirror or a
local server answering /api/v1/high-level), asked no closer than acousticbrainz_min_interval_ms apart
and as its X-RateLimit-* headers say. When it does not answer, the recordings wait: its CC0 dumps
(https://data.metabrainz.org/pub/musicbrainz/acousticbrainz/dumps/) give them, one archive per run,
and a dump read again after an interruption passes what it already stored.
One process runs the AcousticBrainz queue at a time on a database: while another does (wkmp-ai serve), this one waits for it, or with --no-wait says which and exits 1.
Exit codes: 0 ran (recordings AcousticBrainz does not know are counted as such), 1 could not run, AcousticBrainz does not answer with recordings waiting, a dump not read to its end (what was read is kept), or another process runs the queue (--no-wait), 130 cancelled.

Examples:
  $ wkmp-ai flavor --root-folder ~/Music
  $ wkmp-ai flavor --root-folder ~/Music --from-dump acousticbrainz-highlevel-json-20220623-0.tar.zst
  $ wkmp-ai flavor --root-folder ~/Music --json | jq .finished`)
    .action(flavorCommand);
  program
    .command('similar')
    .description('print the flavor of each passage of a file and the passages nearest it by flavor (SPEC003 distance), as WKMP\'s Program Director chooses')
    .argument('<path>', 'an audio file inside the root folder; a relative path is from the current directory')
    .option('--root-folder <dir>', 'root music folder (default: $WKMP_ROOT_FOLDER, root_folder in ~/.config/wkmp/wkmp-ai.toml, or ~/Music)')
    .option('--db <file>', 'database file (default: <root>/wkmp.db)')
    .option('--limit <n>', 'how many nearest passages per passage', positiveInteger, 10)
    .option('--json', 'print one JSON array on stdout')
    .addHelpText('after', `
Examples:
  $ wkmp-ai similar "Artist A/Album One/01 First.flac" --root-folder ~/Music
  $ wkmp-ai similar ~/Music/Album/track.mp3 --limit 5 --json | jq '.[0].similar'`)
    .action(similarCommand);
  program
    .command('prune')
    .description('remove from wkmp.db the files marked missing for longer than asked, with their passages: nothing else ever removes them')
    .requiredOption('--missing-for <age>', 'how long a file must have been missing: a number and m, h, d or w (e.g. 30d)', age)
    .option('--dry-run', 'list what would be removed, and remove nothing')
    .option('--root-folder <dir>', 'root music folder (default: $WKMP_ROOT_FOLDER, root_folder in ~/.config/wkmp/wkmp-ai.toml, or ~/Music)')
    .option('--db <file>', 'database file (default: <root>/wkmp.db)')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', `
Files on a drive that is not mounted, or a share that is not there, are offline: never marked missing, never pruned.

Examples:
  $ wkmp-ai prune --missing-for 30d --dry-run
  $ wkmp-ai prune --missing-for 2w --root-folder ~/Music`)
    .action(pruneCommand);
  program
    .command('serve')
    .description(`run the HTTP API and live progress (SSE) on ${defaultHost}:${defaultPort}`)
    .option('--root-folder <dir>', 'root music folder (default: $WKMP_ROOT_FOLDER, root_folder in ~/.config/wkmp/wkmp-ai.toml, or ~/Music)')
    .option('--db <file>', 'database file (default: <root>/wkmp.db)')
    .addOption(new Option('--host <address>', 'address to listen on').env('WKMP_AI_HOST').default(defaultHost))
    .addOption(new Option('--port <n>', 'port to listen on (0: any free port)').env('WKMP_AI_PORT').default(defaultPort).argParser(port))
    .option('--ffmpeg <command>', 'the ffmpeg imports and /analyze/amplitude decode with (default: the one on the PATH, else the one npm installed)')
    .option('--token <token>', 'the token every route but the page and /health asks for (default: $WKMP_AI_TOKEN; bound beyond loopback, one made on the first start and kept in ~/.config/wkmp/wkmp-ai.token)')
    .addOption(new Option('--allowed-host <name>', 'a host name the service answers to besides its own (a name it is reached by); may be repeated')
      .argParser((name: string, names: string[]) => [...names, name]).default([], 'none'))
    .option('--no-watch', 'do not watch the root folder: import only what someone asks for (the ai_watch_folder setting turns watching off too)')
    .addOption(new Option('--log-level <level>', 'log on stdout, one JSON line per request and per error (pino)').choices([...logLevels]).default('info'))
    .addHelpText('after', `
On loopback (the default) it answers the machine's own users. Bound to any other address it asks
for its token on every route but the page and /health; the page asks for it once. A request whose
Host header is not one of the service's names is refused, whatever the address (DNS rebinding).
It watches the root folder: on start it imports what changed while it was stopped, then what changes
(a few seconds after the last change; a file still being written once it is complete). Where changes
send no events (network and FUSE mounts, the inotify watch limit) it rescans every
ai_rescan_interval_minutes instead, and says why on the page and at GET /import/watch.
SIGTERM or Ctrl-C cancels a running import (it ends CANCELLED, analysed files committed), closes the database and exits 0.

Examples:
  $ wkmp-ai serve --root-folder ~/Music
  $ wkmp-ai serve --host 0.0.0.0 --allowed-host music.home.arpa
  $ WKMP_AI_PORT=8080 wkmp-ai serve`)
    .action(serveCommand);
  for (const command of program.commands) command.showHelpAfterError(`(run "wkmp-ai ${command.name()} --help" for usage)`);
  return program;
}

await buildProgram().parseAsync(process.argv);
