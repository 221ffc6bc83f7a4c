/**
 * `wkmp-ai serve`: checks the root folder, opens wkmp.db (schema, settings) with one recorder for
 * the service's whole life, marks sessions left running by a dead process CANCELLED, then listens. `close()` cancels a running import, waits for
 * it to end CANCELLED, stops the server and closes the database.
 */
import type { FastifyInstance } from 'fastify';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { configFile, defaultDatabasePath, resolveImportPlace } from '../config/root-folder.js';
import { hostNames, resolveToken, tokenFileIn, type ResolvedToken } from './access.js';
import { openWkmpDatabase } from '../db/setup.js';
import { cancelAbandonedSessions } from '../db/import-sessions.js';
import { buildApp } from './app.js';
import { defaultHost, defaultPort, type LogLevel } from './options.js';
import { ImportService } from './import-service.js';
import { IdentificationRunner } from './identification-runner.js';
import { FlavorRunner } from './flavor-runner.js';
import type { SseOptions } from './sse.js';
import { LibrarySync, syncOff, type SyncTiming } from './library-sync.js';
import { readSettings } from '../config/settings.js';
import { listSettings } from '../db/queries/settings.js';


export interface ServeOptions {
  rootFolder: string;
  /** Default `<root>/wkmp.db`. */
  database?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The ffmpeg to decode with; default the system's, else the one npm installed. */
  ffmpeg?: string;
  sse?: SseOptions;
  /** Default 'silent' (tests); the command line's default is 'info'. */
  logLevel?: LogLevel;
  /** The token to ask for (`--token`); else `WKMP_AI_TOKEN`, else, bound beyond loopback, the one kept in `tokenFile`. */
  token?: string;
  /** Where a token made on the first start beyond loopback is kept. Default `wkmp-ai.token` beside wkmp-ai.toml. */
  tokenFile?: string;
  /** Host names the service answers to besides its own (`--allowed-host`): a name it is reached by through a proxy or DNS. */
  allowedHosts?: readonly string[];
  /** Where `WKMP_AI_TOKEN` is read. */
  env?: NodeJS.ProcessEnv;
  /**
   * Whether to watch the root folder and import what changes: 'setting' (the command line's, unless
   * `--no-watch`) as the ai_watch_folder setting says; the watcher's timing (tests) to watch whatever
   * the setting; false (the default, for an embedding or a test that starts its own imports) not to.
   */
  watch?: 'setting' | false | SyncTiming;
}

export interface RunningService {
  app: FastifyInstance;
  /** http://host:port */
  url: string;
  /** The token every route but the page and /health asks for; null when none is needed (loopback). */
  token: string | null;
  /** Where the token came from: 'created' on the start that made it (say it once). */
  tokenSource: ResolvedToken['source'];
  tokenFile: string;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningService> {
  const { rootFolder } = resolveImportPlace(options.rootFolder);
  const database = options.database ?? defaultDatabasePath(rootFolder);
  const host = options.host ?? defaultHost;
  const env = options.env ?? process.env;
  const tokenFile = options.tokenFile ?? tokenFileIn(dirname(configFile(homedir(), env)));
  // Decided before anything opens: a service beyond loopback never starts without its token.
  const { token, source } = resolveToken({ host, flag: options.token, env, file: tokenFile });
  const access = { token, names: hostNames(host, options.allowedHosts) };
  const db = openWkmpDatabase(database);
  let app: FastifyInstance | undefined;
  let identification: IdentificationRunner | undefined;
  let flavor: FlavorRunner | undefined;
  let sync: LibrarySync | null = null;
  let notWatching = 'starting';
  try {
    await db.recorder.write(cancelAbandonedSessions());
    const service = new ImportService({ rootFolder, db, ...(options.ffmpeg === undefined ? {} : { ffmpeg: options.ffmpeg }) });
    identification = new IdentificationRunner(db, { onError: (message) => app?.log.error(message) });
    flavor = new FlavorRunner(db, { onError: (message) => app?.log.error(message) });
    app = buildApp({
      service, identification, flavor, db, access, logLevel: options.logLevel ?? 'silent',
      ...(options.ffmpeg === undefined ? {} : { ffmpeg: options.ffmpeg }), ...(options.sse ? { sse: options.sse } : {}),
      sync: () => sync?.state() ?? syncOff(notWatching),
    });
    // Every writer's long lock waits, not only an import's: one warning line each (an import also says so on its page).
    const logged = app;
    db.recorder.onLockWait((wait) => logged.log.warn({ writer: wait.writer, waitedMs: Math.round(wait.waitedMs), gaveUp: wait.gaveUp }, wait.error.message));
    const url = await app.listen({ host, port: options.port ?? defaultPort });
    // Passages an earlier run left waiting are identified now, and recordings flavored.
    identification.kick();
    flavor.kick();
    // Then the root folder is kept in step: what changed while stopped, then what changes.
    const settings = readSettings(listSettings(db.read));
    const watch = options.watch ?? false;
    if (watch === false) notWatching = 'started with --no-watch';
    else if (watch === 'setting' && !settings.ai_watch_folder) notWatching = 'the ai_watch_folder setting is off';
    else {
      const log = app.log;
      sync = LibrarySync.start(service, {
        rootFolder, database: db.path, pollIntervalMs: settings.ai_rescan_interval_minutes * 60_000,
        onError: (message) => log.error(message), ...(watch === 'setting' ? {} : { timing: watch }),
      });
    }
    const watching = sync;
    const queue = identification;
    const flavorQueue = flavor;
    const listening = app;
    let closing: Promise<void> | undefined;
    return {
      app: listening,
      url,
      token,
      tokenSource: source,
      tokenFile,
      close() {
        closing ??= (async () => {
          await watching?.close();
          await service.shutdown();
          await queue.close();
          await flavorQueue.close();
          await listening.close();
          await db.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await identification?.close();
    await flavor?.close();
    await app?.close();
    await db.close();
    throw error;
  }
}
