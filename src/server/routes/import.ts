/** The import routes of WKMP.md's HTTP API: start, status, active, cancel, events (SSE), and the lists the page reads. */
import type { FastifyInstance } from 'fastify';
import type { ReadDb } from '../../db/connection.js';
import { getSession, listImportErrors, type SessionRow } from '../../db/queries/sessions.js';
import type { FileClass } from '../../file-record.js';
import type { ImportEvent } from '../../import/events.js';
import { errorBody } from '../http-errors.js';
import { listClassified, listRecordedPassages, type ImportRun, type ImportService } from '../import-service.js';
import type { SseHub } from '../sse.js';

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
          jobs: { type: 'integer', minimum: 1, maximum: 256 },
          analysis: { type: 'string', enum: ['full', 'tags'] },
        },
      },
    },
  },
} as const;

/** A query-string count: the query string is text, taken as sent (no type coercion). */
const count = { type: 'string', pattern: '^[0-9]{1,9}$' } as const;

const idParams = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } },
} as const;

/** A page size from the query (digits, checked by the schema): 1 to 1000, else null. */
function pageLimit(raw: string | undefined, fallback: number): number | null {
  const limit = Number(raw ?? fallback);
  return limit >= 1 && limit <= 1000 ? limit : null;
}

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
  errors: unknown;
  /** The latest progress (as in ImportProgressUpdate) while the session runs here; null otherwise. */
  progress: unknown;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function statusFromRow(row: SessionRow, db: ReadDb): SessionStatus {
  const fileErrors = listImportErrors(db, row.sessionId);
  return {
    session_id: row.sessionId, state: row.state, root_folder: row.rootFolder, folder: row.folder,
    started_at: row.startedAt, ended_at: row.endedAt, files_total: row.filesTotal, files_processed: row.filesProcessed,
    current_operation: row.currentOperation, counts: parseJson(row.counts), write: parseJson(row.metrics),
    errors: { session: parseJson(row.errors), files: fileErrors }, progress: null,
  };
}

function statusFromRun(run: ImportRun): SessionStatus {
  const progress = run.progress;
  return {
    session_id: run.sessionId, state: run.state, root_folder: run.rootFolder, folder: run.folder,
    started_at: run.startedAt, ended_at: null, files_total: progress?.filesTotal ?? 0, files_processed: progress?.filesDone ?? 0,
    current_operation: progress?.phase ?? 'scanning', counts: progress?.counts ?? null, write: progress?.write ?? null,
    errors: null, progress,
  };
}

/** What a client joining the event stream now sees first. */
function currentEvent(service: ImportService): ImportEvent | null {
  const run = service.active();
  if (!run) return null;
  if (run.progress) return { type: 'ImportProgressUpdate', progress: run.progress };
  return { type: 'ImportSessionStarted', sessionId: run.sessionId, rootFolder: run.rootFolder, folder: run.folder };
}

export function registerImportRoutes(app: FastifyInstance, service: ImportService, db: ReadDb, hub: SseHub): void {
  function status(id: string): SessionStatus | null {
    const running = service.active();
    if (running?.sessionId === id) return statusFromRun(running);
    const row = getSession(db, id);
    if (row) return statusFromRow(row, db);
    const run = service.find(id);
    return run ? statusFromRun(run) : null;
  }

  app.post<{ Body: StartBody }>('/import/start', { schema: startSchema }, async (request, reply) => {
    const { root_folder: folder, parameters } = request.body;
    const run = await service.start({ folder, ...parameters });
    if (!run.sessionId) throw new Error(run.failure ?? 'the import ended before its session started');
    return reply.code(202).send({ session_id: run.sessionId, state: 'SCANNING', started_at: run.startedAt });
  });

  app.get<{ Params: { id: string } }>('/import/status/:id', { schema: idParams }, async (request, reply) => {
    const found = status(request.params.id);
    if (!found) return reply.code(404).send(errorBody(404, `no import session ${request.params.id}`));
    return found;
  });

  app.get('/import/active', async () => {
    const run = service.active();
    return { session: run ? statusFromRun(run) : null };
  });

  app.post<{ Params: { id: string } }>('/import/cancel/:id', { schema: idParams }, async (request, reply) => {
    const id = request.params.id;
    if (service.cancel(id)) return reply.code(202).send({ session_id: id, state: 'CANCELLING' });
    const found = status(id);
    if (!found) return reply.code(404).send(errorBody(404, `no import session ${id}`));
    return reply.code(409).send(errorBody(409, `session ${id} is not running in this service (state ${found.state})`));
  });

  app.get('/import/events', async (request, reply) => {
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
          category: { type: 'string', enum: ['audio', 'image', 'other'] },
          offset: count,
          limit: count,
        },
      },
    },
  }, async (request, reply) => {
    const { category } = request.query;
    const offset = Number(request.query.offset ?? 0);
    const limit = pageLimit(request.query.limit, 100);
    if (limit === null) return reply.code(400).send(errorBody(400, `limit must be from 1 to 1000, got ${request.query.limit}`));
    const run = service.current();
    return { session_id: run?.sessionId ?? null, category, offset, limit, ...listClassified(run, category, offset, limit) };
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
    const limit = pageLimit(request.query.limit, 200);
    if (limit === null) return reply.code(400).send(errorBody(400, `limit must be from 1 to 1000, got ${request.query.limit}`));
    const run = session === undefined ? service.current() : service.find(session);
    if (session !== undefined && !run) return reply.code(404).send(errorBody(404, `no passages kept for session ${session} (only the running or last import's)`));
    const passages = listRecordedPassages(run, after, limit);
    return { session_id: run?.sessionId ?? null, passages, next_after: passages.at(-1)?.seq ?? after };
  });
}
