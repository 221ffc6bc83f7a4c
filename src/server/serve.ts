/**
 * `wkmp-ai serve`: checks the root folder, opens wkmp.db (schema, settings) with one recorder for
 * the service's whole life, marks sessions left running by a dead process CANCELLED, then listens. `close()` cancels a running import, waits for
 * it to end CANCELLED, stops the server and closes the database.
 */
import type { FastifyInstance } from 'fastify';
import { defaultDatabasePath, resolveImportPlace } from '../config/root-folder.js';
import { openWkmpDatabase } from '../db/setup.js';
import { cancelAbandonedSessions } from '../db/import-sessions.js';
import { buildApp } from './app.js';
import { defaultHost, defaultPort, type LogLevel } from './options.js';
import { ImportService } from './import-service.js';
import { IdentificationRunner } from './identification-runner.js';
import type { SseOptions } from './sse.js';


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
}

export interface RunningService {
  app: FastifyInstance;
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningService> {
  const { rootFolder } = resolveImportPlace(options.rootFolder);
  const database = options.database ?? defaultDatabasePath(rootFolder);
  const db = openWkmpDatabase(database);
  let app: FastifyInstance | undefined;
  let identification: IdentificationRunner | undefined;
  try {
    await db.recorder.write(cancelAbandonedSessions());
    const service = new ImportService({ rootFolder, db, ...(options.ffmpeg === undefined ? {} : { ffmpeg: options.ffmpeg }) });
    identification = new IdentificationRunner(db, { onError: (message) => app?.log.error(message) });
    app = buildApp({
      service, identification, db, logLevel: options.logLevel ?? 'silent',
      ...(options.ffmpeg === undefined ? {} : { ffmpeg: options.ffmpeg }), ...(options.sse ? { sse: options.sse } : {}),
    });
    // Every writer's long lock waits, not only an import's: one warning line each (an import also says so on its page).
    const logged = app;
    db.recorder.onLockWait((wait) => logged.log.warn({ writer: wait.writer, waitedMs: Math.round(wait.waitedMs), gaveUp: wait.gaveUp }, wait.error.message));
    const url = await app.listen({ host: options.host ?? defaultHost, port: options.port ?? defaultPort });
    // Passages an earlier run left waiting are identified now.
    identification.kick();
    const queue = identification;
    const listening = app;
    let closing: Promise<void> | undefined;
    return {
      app: listening,
      url,
      close() {
        closing ??= (async () => {
          await service.shutdown();
          await queue.close();
          await listening.close();
          await db.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await identification?.close();
    await app?.close();
    await db.close();
    throw error;
  }
}
