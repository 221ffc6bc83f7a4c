/** The import routes of WKMP.md's HTTP API: start, status, active, cancel, events (SSE), and the lists the page reads. */
import type { FastifyInstance } from 'fastify';
import type { ReadDb } from '../../db/connection.js';
import { getSession, type SessionRow } from '../../db/queries/sessions.js';
import type { FileClass } from '../../file-record.js';
import { maxJobs } from '../../config/settings.js';
import type { ImportEvent } from '../../import/events.js';
import { errorBody } from '../http-errors.js';
import { listRecordedPassages, type ImportService } from '../import-service.js';
import { listFilesByClass } from '../../db/queries/files.js';
import { progressOf, type ImportState } from '../../import/state.js';
import type { SseHub } from '../sse.js';
import { count, fileErrorsPage, pageLimit, parseJson, registerSessionRoutes, statusErrorsLimit, type FileErrorsPage } from './sessions.js';

interface StartBody {
  root_folder: string;
  parameters?: { jobs?: number; analysis?: 'full' | 'tags' };
}

const startSchema = {
  body: {
    type: 'object',
    required: ['root_folder'],
    additionalProperties: false,
    properties: {
      root_folder: { type: 'string', minLength: 1, maxLength: 4096 },
      parameters: {
        type: 'object',
        additionalProperties: false,
        properties: {
          // The bound of the setting it stands for (config/settings.ts), as on this machine.
          jobs: { type: 'integer', minimum: 1, maximum: maxJobs() },
          analysis: { type: 'string', enum: ['full', 'tags'] },
        },
      },
    },
  },
} as const;

const idParams = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } },
} as const;

/** A session as the API shows it: from memory while this service runs it, else its row. */
export interface SessionStatus {
  session_id: string;
  state: string;
  root_folder: string;
  folder: string | null;
  started_at: string;
  ended_at: string | null;
  files_total: number;
  files_processed: number;
  current_operation: string | null;
  counts: unknown;
  write: unknown;
  /** The session's own errors, and the first page of its per-file errors (the rest: GET /import/errors). */
  errors: { session: unknown } & FileErrorsPage;
  /** The latest progress (as in ImportProgressUpdate) while the session runs here; null otherwise. */
  progress: unknown;
}

/** The session's own errors and the first page of its per-file errors. */
function errorsOf(db: ReadDb, sessionId: string, session: unknown): SessionStatus['errors'] {
  return { session, ...fileErrorsPage(db, sessionId, 0, statusErrorsLimit) };
}

function statusFromRow(row: SessionRow, db: ReadDb): SessionStatus {
  return {
    session_id: row.sessionId, state: row.state, root_folder: row.rootFolder, folder: row.folder,
    started_at: row.startedAt, ended_at: row.endedAt, files_total: row.filesTotal, files_processed: row.filesProcessed,
    current_operation: row.currentOperation, counts: parseJson(row.counts), write: parseJson(row.metrics),
    errors: errorsOf(db, row.sessionId, parseJson(row.errors)), progress: null,
  };
}

/** A session this service runs or ran, from its one state; its per-file errors from the database, as they are committed. */
function statusFromState(state: ImportState, db: ReadDb): SessionStatus {
  const progress = progressOf(state, Date.now());
  return {
    session_id: state.sessionId, state: state.state, root_folder: state.rootFolder, folder: state.folder,
    started_at: new Date(state.startedAt).toISOString(), ended_at: state.endedAt === null ? null : new Date(state.endedAt).toISOString(),
    files_total: state.filesTotal, files_processed: state.filesDone, current_operation: state.phase, counts: state.counts, write: state.write,
    errors: errorsOf(db, state.sessionId, state.failure === null ? [] : [state.failure]), progress: state.endedAt === null ? progress : null,
  };
}

/** What a client joining the event stream now sees first: the running import's progress. */
function currentEvent(service: ImportService): ImportEvent | null {
  const state = service.active();
  return state ? { type: 'ImportProgressUpdate', progress: progressOf(state, Date.now()) } : null;
}

export function registerImportRoutes(app: FastifyInstance, service: ImportService, db: ReadDb, hub: SseHub): void {
  function status(id: string): SessionStatus | null {
    const running = service.active();
    if (running?.sessionId === id) return statusFromState(running, db);
    const row = getSession(db, id);
    if (row) return statusFromRow(row, db);
    const state = service.find(id);
    return state ? statusFromState(state, db) : null;
  }

  app.post<{ Body: StartBody }>('/import/start', { schema: startSchema }, async (request, reply) => {
    const { root_folder: folder, parameters } = request.body;
    const state = await service.start({ folder, ...parameters });
    return reply.code(202).send({ session_id: state.sessionId, state: 'SCANNING', started_at: new Date(state.startedAt).toISOString() });
  });

  app.get<{ Params: { id: string } }>('/import/status/:id', { schema: idParams }, async (request, reply) => {
    const found = status(request.params.id);
    if (!found) return reply.code(404).send(errorBody(404, `no import session ${request.params.id}`));
    return found;
  });

  app.get('/import/active', async () => {
    const state = service.active();
    return { session: state ? statusFromState(state, db) : null };
  });

  app.post<{ Params: { id: string } }>('/import/cancel/:id', { schema: idParams }, async (request, reply) => {
    const id = request.params.id;
    if (service.cancel(id)) return reply.code(202).send({ session_id: id, state: 'CANCELLING' });
    const found = status(id);
    if (!found) return reply.code(404).send(errorBody(404, `no import session ${id}`));
    return reply.code(409).send(errorBody(409, `session ${id} is not running in this service (state ${found.state})`));
  });

  app.get('/import/events', async (request, reply) => {
    if (hub.isFull) return reply.code(503).send(errorBody(503, `${hub.maxClients} event streams are open, as many as this service keeps: close a page of it and try again`));
    reply.hijack();
    hub.add(reply.raw, currentEvent(service));
  });

  app.get<{ Querystring: { category: FileClass; offset?: string; limit?: string } }>('/api/import/file-classification', {
    schema: {
      querystring: {
        type: 'object',
        required: ['category'],
        additionalProperties: false,
        properties: {
          category: { type: 'string', enum: ['audio', 'image', 'video', 'other'] },
          offset: count,
          limit: count,
        },
      },
    },
  }, async (request, reply) => {
    const { category } = request.query;
    const offset = Number(request.query.offset ?? 0);
    const limit = pageLimit(request.query.limit, 100, 1000);
    if (limit === null) return reply.code(400).send(errorBody(400, `limit must be from 1 to 1000, got ${request.query.limit}`));
    // What the files under the last import's folder are, as imports found them by their content.
    const state = service.current();
    const listed = state ? listFilesByClass(db, state.folder, category, offset, limit) : { total: 0, paths: [] };
    return { session_id: state?.sessionId ?? null, category, offset, limit, ...listed };
  });

  app.get<{ Querystring: { session?: string; after?: string; limit?: string } }>('/import/passages', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          session: { type: 'string', maxLength: 100 },
          after: count,
          limit: count,
        },
      },
    },
  }, async (request, reply) => {
    const { session } = request.query;
    const after = Number(request.query.after ?? 0);
    const limit = pageLimit(request.query.limit, 200, 1000);
    if (limit === null) return reply.code(400).send(errorBody(400, `limit must be from 1 to 1000, got ${request.query.limit}`));
    const state = session === undefined ? service.current() : service.find(session);
    if (session !== undefined && !state) return reply.code(404).send(errorBody(404, `no passages kept for session ${session} (only the running or last import's)`));
    const passages = listRecordedPassages(state, after, limit);
    return { session_id: state?.sessionId ?? null, passages, next_after: passages.at(-1)?.seq ?? after };
  });

  registerSessionRoutes(app, service, db);
}
