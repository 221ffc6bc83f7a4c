/**
 * The import sessions as the database keeps them, whoever ran them (`wkmp-ai import` or this
 * service): the latest first, and each one's per-file errors, both paged by a cursor so that no
 * answer grows with the library. What the page shows after a reload, or for an import run from
 * the command line, comes from here.
 */
import type { FastifyInstance } from 'fastify';
import type { ReadDb } from '../../db/connection.js';
import {
  countImportErrors, getSession, listImportErrorsAfter, listSessions, type ListedSession, type StoredImportError,
} from '../../db/queries/sessions.js';
import type { ImportState } from '../../import/state.js';
import { parseSessionParameters, type SessionOrigin } from '../../stored/session-parameters.js';
import { errorBody } from '../http-errors.js';
import type { ImportService } from '../import-service.js';

/** A query-string count: the query string is text, taken as sent (no type coercion). */
export const count = { type: 'string', pattern: '^[0-9]{1,9}$' } as const;

/** A page size from the query (digits, checked by the schema): 1 to `max`, else null. */
export function pageLimit(raw: string | undefined, fallback: number, max: number): number | null {
  const limit = Number(raw ?? fallback);
  return limit >= 1 && limit <= max ? limit : null;
}

/** A JSON column as the API passes it on: parsed, or the text itself when it is not JSON. */
export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** One page of a session's per-file errors, oldest first. */
export interface FileErrorsPage {
  files: StoredImportError[];
  /** How many the session has. */
  files_total: number;
  /** The cursor of the next page: the last id listed, else the `after` asked. */
  next_after: number;
}

/** Per-file errors in the first page of a session's status (the rest: GET /import/errors). */
export const statusErrorsLimit = 100;

export function fileErrorsPage(db: ReadDb, sessionId: string, after: number, limit: number): FileErrorsPage {
  const files = listImportErrorsAfter(db, sessionId, after, limit);
  return { files, files_total: countImportErrors(db, sessionId), next_after: files.at(-1)?.id ?? after };
}

/** A session in GET /import/sessions. */
interface SessionListing {
  session_id: string;
  state: string;
  /** Who ran it; null for sessions that did not say (older releases, other importers). */
  origin: SessionOrigin | null;
  root_folder: string;
  folder: string | null;
  started_at: string;
  ended_at: string | null;
  files_total: number;
  files_processed: number;
  counts: unknown;
  write: unknown;
  /** The session's own errors (why it failed or was abandoned). */
  session_errors: unknown;
  /** How many per-file errors it has (GET /import/errors lists them). */
  file_errors: number;
}

function originOf(parameters: string | null): SessionOrigin | null {
  if (parameters === null) return null;
  const stored = parseSessionParameters(parameters);
  return stored.readable ? (stored.value.origin ?? null) : null;
}

/** A listed session; the one this service runs now has its figures from memory (its row is saved every 10 s). */
function listing(row: ListedSession, running: ImportState | null): SessionListing {
  const live = running?.sessionId === row.sessionId ? running : null;
  return {
    session_id: row.sessionId, state: live?.state ?? row.state, origin: originOf(row.parameters), root_folder: row.rootFolder, folder: row.folder,
    started_at: row.startedAt, ended_at: row.endedAt,
    files_total: live?.filesTotal ?? row.filesTotal, files_processed: live?.filesDone ?? row.filesProcessed,
    counts: live ? live.counts : parseJson(row.counts), write: live ? live.write : parseJson(row.metrics),
    session_errors: parseJson(row.errors), file_errors: row.fileErrors,
  };
}

const sessionsLimit = { fallback: 20, max: 100 };
const errorsLimit = { fallback: 100, max: 1000 };

export function registerSessionRoutes(app: FastifyInstance, service: ImportService, db: ReadDb): void {
  app.get<{ Querystring: { limit?: string; before?: string } }>('/import/sessions', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: count, before: { type: 'string', minLength: 1, maxLength: 100 } },
      },
    },
  }, async (request, reply) => {
    const { before } = request.query;
    const limit = pageLimit(request.query.limit, sessionsLimit.fallback, sessionsLimit.max);
    if (limit === null) return reply.code(400).send(errorBody(400, `limit must be from 1 to ${sessionsLimit.max}, got ${request.query.limit}`));
    if (before !== undefined && !getSession(db, before)) return reply.code(400).send(errorBody(400, `before must be a session listed, got ${before}: no such session`));
    // One more than asked says whether there is a next page.
    const rows = listSessions(db, before ?? null, limit + 1);
    const running = service.active();
    const sessions = rows.slice(0, limit).map((row) => listing(row, running));
    return { sessions, next_before: rows.length > limit ? sessions.at(-1)!.session_id : null };
  });

  app.get<{ Querystring: { session: string; after?: string; limit?: string } }>('/import/errors', {
    schema: {
      querystring: {
        type: 'object',
        required: ['session'],
        additionalProperties: false,
        properties: { session: { type: 'string', minLength: 1, maxLength: 100 }, after: count, limit: count },
      },
    },
  }, async (request, reply) => {
    const { session } = request.query;
    const after = Number(request.query.after ?? 0);
    const limit = pageLimit(request.query.limit, errorsLimit.fallback, errorsLimit.max);
    if (limit === null) return reply.code(400).send(errorBody(400, `limit must be from 1 to ${errorsLimit.max}, got ${request.query.limit}`));
    if (!getSession(db, session)) return reply.code(404).send(errorBody(404, `no import session ${session}`));
    const page = fileErrorsPage(db, session, after, limit);
    return { session_id: session, errors: page.files, total: page.files_total, next_after: page.next_after };
  });
}
