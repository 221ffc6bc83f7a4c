/**
 * The wkmp-ai service: a Fastify app over the import service, built without listening so tests
 * and `wkmp-ai serve` use the same app. Errors answer with one clear line and never a stack.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { WkmpDatabase } from '../db/setup.js';
import { DatabaseBusyError, InvalidInputError, SessionRunningError } from '../errors.js';
import type { ImportService } from './import-service.js';
import { maxMeasures, registerAnalyzeRoutes, type MeasuresInFlight } from './routes/analyze.js';
import { registerImportRoutes } from './routes/import.js';
import { registerLibraryRoutes } from './routes/library.js';
import { registerPassageRoutes } from './routes/passages.js';
import { registerSettingsRoutes } from './routes/settings.js';
import { registerIdentifyRoutes } from './routes/identify.js';
import { registerFlavorRoutes } from './routes/flavor.js';
import type { IdentificationRunner } from './identification-runner.js';
import type { FlavorRunner } from './flavor-runner.js';
import { registerWebRoutes } from './routes/web.js';
import { guardAccess, type Access } from './access.js';
import { errorBody, type ErrorBody } from './http-errors.js';
import { SseHub, type SseOptions } from './sse.js';
import type { LogLevel } from './options.js';
import { syncOff, type SyncState } from './library-sync.js';

export interface AppDeps {
  service: ImportService;
  /** The identification queue, run in the background after imports. */
  identification: IdentificationRunner;
  /** The AcousticBrainz queue, run in the background after imports and identification. */
  flavor: FlavorRunner;
  /** The service's database: its read connection for every route, its recorder for every write. */
  db: WkmpDatabase;
  /** The ffmpeg to decode with; default the system's, else the one npm installed. */
  ffmpeg?: string;
  sse?: SseOptions;
  /** Fastify's logger (pino, JSON lines on stdout); 'silent' by default. */
  logLevel?: LogLevel;
  /** Who may ask (access.ts): the names the service answers to, and its token when it needs one. */
  access: Access;
  /** What the folder watcher is doing (library-sync.ts); off unless told. */
  sync?: () => SyncState;
}


/** The code a failed request is logged with: wkmp-ai's (docs/errors.md) or Fastify's (FST_ERR_…). */
function codeOf(error: FastifyError | Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/** Largest request body accepted: every body of this API is a few hundred bytes. */
export const bodyLimitBytes = 64 * 1024;

function statusOf(error: FastifyError | Error): number {
  if (error instanceof InvalidInputError) return 400;
  // Another process held wkmp.db's write lock past ai_database_max_lock_wait_ms: nothing was written, try again.
  if (error instanceof DatabaseBusyError) return 503;
  if (error instanceof SessionRunningError) return 409;
  const code = (error as FastifyError).statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    logger: { level: deps.logLevel ?? 'silent' },
    // One line per request, written when it is answered (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: bodyLimitBytes,
    forceCloseConnections: true,
    // Bodies are taken as sent: an unknown property or a value of the wrong type is a 400, never dropped or converted.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  const hub = new SseHub(deps.sse);
  const unsubscribe = deps.service.subscribe((event) => {
    hub.broadcast(event);
    // What an import recorded waits for the queues: they run after it.
    if (event.type === 'ImportSessionCompleted' || event.type === 'ImportSessionCancelled') {
      deps.identification.kick();
      deps.flavor.kick();
    }
  });
  let songsIdentified: number | null = null;
  const unsubscribeQueue = deps.identification.subscribe((identification) => {
    hub.broadcast({ type: 'IdentificationProgress', identification });
    // Songs identification wrote wait for their flavor.
    if (songsIdentified !== null && identification.counts.done > songsIdentified) deps.flavor.kick();
    songsIdentified = identification.counts.done;
  });
  const unsubscribeFlavor = deps.flavor.subscribe((flavor) => hub.broadcast({ type: 'FlavorProgress', flavor }));
  app.addHook('preClose', async () => {
    unsubscribe();
    unsubscribeQueue();
    unsubscribeFlavor();
    hub.close();
  });
  // One log line per request, when it is answered; an error answer's line carries its code and message.
  const failures = new WeakMap<object, { code: string; message: string }>();
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === 'string' && !failures.has(request)) {
      try {
        const body = JSON.parse(payload) as Partial<ErrorBody>;
        failures.set(request, { code: (body.error ?? 'ERROR').toUpperCase().replaceAll(' ', '_'), message: body.message ?? '' });
      } catch {
        // not one of ours: the status says enough
      }
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime * 10) / 10 };
    const failure = failures.get(request);
    if (reply.statusCode >= 500) request.log.error({ ...line, ...failure }, 'request failed');
    else if (reply.statusCode >= 400) request.log.warn({ ...line, ...failure }, 'request refused');
    else request.log.info(line, 'request');
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = statusOf(error);
    failures.set(request, { code: codeOf(error), message: error.message.split('\n')[0] ?? error.message });
    if (status >= 500 && !(error instanceof DatabaseBusyError)) {
      request.log.error({ code: codeOf(error), err: error }, error.message);
      return reply.code(status).send(errorBody(status, 'internal error; see the service log'));
    }
    const message = error.validation ? `invalid request: ${error.message}` : error.message;
    return reply.code(status).send(errorBody(status, message.split('\n')[0] ?? message));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}`)));
  guardAccess(app, deps.access);
  const measures: MeasuresInFlight = { count: 0 };
  // What the service holds now, bounded each: the queues and lists a request can grow.
  app.get('/health', { config: { public: true } }, async () => ({
    status: 'ok', service: 'wkmp-ai', active_session: deps.service.active()?.sessionId ?? null,
    event_streams: { open: hub.clientCount, limit: hub.maxClients }, measures: { in_flight: measures.count, limit: maxMeasures },
  }));
  // Every writer's transactions (imports, sessions, settings, identification, leases, paces): lock waits and holds.
  app.get('/api/writes', async () => ({ writers: deps.db.recorder.figures() }));
  registerImportRoutes(app, deps.service, deps.db.read, hub);
  // The folder watcher: watching N folders, polling every M minutes and why, or off; and what it imported last.
  app.get('/import/watch', async () => syncBody(deps.sync?.() ?? syncOff('this service was started without a folder watcher')));
  registerSettingsRoutes(app, deps.db.read, deps.db.recorder, () => {
    deps.identification.kick();
    deps.flavor.kick();
  });
  registerIdentifyRoutes(app, deps.db, deps.identification);
  registerFlavorRoutes(app, deps.flavor);
  registerAnalyzeRoutes(app, deps.service.rootFolder, deps.db.read, deps.ffmpeg, measures);
  registerLibraryRoutes(app, deps.service.rootFolder, deps.db.read);
  registerPassageRoutes(app, deps.db.read);
  registerWebRoutes(app);
  return app;
}

/** The watcher's state as the API gives it (docs/api.md): snake_case, minutes for the poll interval. */
function syncBody(state: SyncState) {
  const last = 'lastImport' in state ? state.lastImport : null;
  return {
    mode: state.mode,
    ...('waiting' in state ? { waiting: state.waiting } : {}),
    ...(state.mode === 'watching' ? { folders: state.folders } : {}),
    ...(state.mode === 'polling' ? { every_minutes: state.everyMs / 60_000, reason: state.reason } : {}),
    ...(state.mode === 'off' ? { reason: state.reason } : {}),
    last_import: last === null ? null : {
      folders: last.folders, session_id: last.sessionId, ended_at: last.endedAt, state: last.state, failure: last.failure,
    },
  };
}
