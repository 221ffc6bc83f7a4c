/**
 * One HTTP exchange with a web service, as the background queues' clients need it (AcoustID,
 * MusicBrainz, AcousticBrainz): a time limit (10 s: a service that does not answer is tried again
 * later, never waited on), the body as text, the headers a client reads its pace from, and every
 * way it can fail turned into one `ServiceError` kind the queue knows what to do with.
 */
import { errorMessage } from '../errors.js';

export type ServiceErrorKind =
  /** The service says the key is wrong or missing: nothing will work until it changes. */
  | 'invalid-key'
  /** Too many requests (429, 503, AcoustID code 14): wait and ask again. */
  | 'rate-limited'
  /** The request was too large (413, AcoustID code 19): send fewer fingerprints. */
  | 'too-large'
  /** The service is down or erred (5xx, code 13): try again later. */
  | 'unavailable'
  /** No answer in time, or the connection broke: try again later. */
  | 'network'
  /** No connection at all: the name does not resolve, or nothing listens there (DNS, refused). */
  | 'unreachable'
  /** An answer that is not what the service answers (not JSON, wrong shape): a failed attempt. */
  | 'bad-reply'
  /** The service does not know what was asked (404). */
  | 'not-found';

export class ServiceError extends Error {
  constructor(
    readonly service: string,
    readonly kind: ServiceErrorKind,
    message: string,
    /** What the service asked us to wait (Retry-After), when it said. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(`${service}: ${message}`);
    this.name = 'ServiceError';
  }
}

export const requestTimeoutMs = 10_000;

export interface HttpReply {
  status: number;
  text: string;
  retryAfterMs: number | null;
  /** Where a redirect points (requests made with `redirect: 'manual'`). */
  location: string | null;
  /** The reply's headers (a service's rate-limit headers). */
  headers: Headers;
}

/** Retry-After as seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export async function exchange(service: string, url: string, init: RequestInit, signal?: AbortSignal): Promise<HttpReply> {
  const timeout = AbortSignal.timeout(requestTimeoutMs);
  try {
    const response = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    return {
      status: response.status, text: await response.text(), retryAfterMs: retryAfterMs(response.headers.get('retry-after')), location: response.headers.get('location'),
      headers: response.headers,
    };
  } catch (error) {
    if (signal?.aborted) throw error;
    const why = timeout.aborted ? `no answer within ${requestTimeoutMs / 1000} s` : causeOf(error);
    const kind = !timeout.aborted && isUnreachable(error) ? 'unreachable' : 'network';
    throw new ServiceError(service, kind, `${url.replace(/\?.*/, '')}: ${why}`);
  }
}

/** fetch's "fetch failed" hides the reason (ENOTFOUND, ECONNREFUSED) in its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? errorMessage(error) : errorMessage(cause);
}

/** The system's codes for "no connection at all": the name does not resolve, or no one listens. */
const unreachableCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether fetch failed before any connection was made (its cause's code; an AggregateError's, for a name with several addresses). */
function isUnreachable(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; errors?: unknown } }).cause;
  const codes = [cause?.code, ...(Array.isArray(cause?.errors) ? cause.errors.map((e: { code?: unknown }) => e.code) : [])];
  return codes.some((code) => typeof code === 'string' && unreachableCodes.has(code));
}

export function parseJson(service: string, reply: HttpReply): unknown {
  try {
    return JSON.parse(reply.text) as unknown;
  } catch {
    throw new ServiceError(service, 'bad-reply', `HTTP ${reply.status} with a body that is not JSON (${reply.text.slice(0, 60).replace(/\s+/g, ' ')}…)`);
  }
}
