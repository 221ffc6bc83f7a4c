/**
 * One HTTP exchange with a web service, as the identification clients need it: a time limit
 * (10 s: a service that does not answer is tried again later, never waited on), the body as text,
 * and every way it can fail turned into one `ServiceError` kind the queue knows what to do with.
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
  /** No answer in time, or no connection (DNS, refused): try again later. */
  | 'network'
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
    };
  } catch (error) {
    if (signal?.aborted) throw error;
    const why = timeout.aborted ? `no answer within ${requestTimeoutMs / 1000} s` : causeOf(error);
    throw new ServiceError(service, 'network', `${url.replace(/\?.*/, '')}: ${why}`);
  }
}

/** fetch's "fetch failed" hides the reason (ENOTFOUND, ECONNREFUSED) in its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? errorMessage(error) : errorMessage(cause);
}

export function parseJson(service: string, reply: HttpReply): unknown {
  try {
    return JSON.parse(reply.text) as unknown;
  } catch {
    throw new ServiceError(service, 'bad-reply', `HTTP ${reply.status} with a body that is not JSON (${reply.text.slice(0, 60).replace(/\s+/g, ' ')}…)`);
  }
}
