/**
 * AcousticBrainz's bulk high-level endpoint (acousticbrainz-server, webserver/views/api/v1/core.py):
 * `GET /api/v1/high-level?recording_ids=mbid;mbid;…`, at most 25 recordings a request, each
 * answered with its first submission's document (offset 0, the one given when no offset is asked)
 * under its MBID, lower-case and hyphenated; a recording AcousticBrainz does not know is left out,
 * and `mbid_mapping` (the spellings it normalised) is not a recording. Its pace is in its
 * `X-RateLimit-*` headers, which every reply carries; a 429 says to wait for the window to end.
 */
import { exchange, parseJson, retryAfterMs, ServiceError } from '../queue/http.js';
import type { RequestPace } from '../queue/pace.js';
import type { DocumentsByOffset } from '../db/record-acousticbrainz.js';

export const acousticBrainzService = 'AcousticBrainz';

/** MAX_ITEMS_PER_BULK_REQUEST: more is a 400 "More than 25 recordings not allowed per request". */
export const maxRecordingsPerRequest = 25;

/** How long a 429 or 503 is waited out when the reply says nothing of it. */
export const defaultSlowDownMs = 10_000;

export interface AcousticBrainzClient {
  /** `https://acousticbrainz.org`, a mirror, or a local server (acousticbrainz_base_url). */
  baseUrl: string;
  userAgent: string;
  pacer: RequestPace;
}

/** What the rate-limit headers said (null: the header was absent or unreadable). */
export interface RateLimit {
  /** X-RateLimit-Remaining: requests left in the current window. */
  remaining: number | null;
  /** X-RateLimit-Reset-In, in ms: when the window ends. */
  resetInMs: number | null;
}

export interface HighLevelReply {
  /** By MBID as asked (lower-case, hyphenated): the documents by offset. A recording absent here is unknown to AcousticBrainz. */
  documents: Map<string, DocumentsByOffset>;
  rateLimit: RateLimit;
}

const mbidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An MBID as AcousticBrainz keys it (lower-case, hyphenated), or null when it is not one. */
export function normalisedMbid(mbid: string): string | null {
  const lower = mbid.trim().toLowerCase();
  if (mbidPattern.test(lower)) return lower;
  // Without hyphens, as Python's uuid.UUID (AcousticBrainz's parser) also reads it.
  if (!/^[0-9a-f]{32}$/.test(lower)) return null;
  return `${lower.slice(0, 8)}-${lower.slice(8, 12)}-${lower.slice(12, 16)}-${lower.slice(16, 20)}-${lower.slice(20)}`;
}

function headerNumber(headers: Headers, name: string): number | null {
  const text = headers.get(name);
  if (text === null || text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

export function rateLimitOf(headers: Headers): RateLimit {
  const resetIn = headerNumber(headers, 'x-ratelimit-reset-in');
  return { remaining: headerNumber(headers, 'x-ratelimit-remaining'), resetInMs: resetIn === null ? null : resetIn * 1000 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"message": "…"}`, AcousticBrainz's error body; else the start of the text. */
function messageOf(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 120).replace(/\s+/g, ' ').trim();
}

/** The documents of a 200 reply: every key but `mbid_mapping` a recording, whose value is its documents by offset. */
function documentsOf(body: unknown): Map<string, DocumentsByOffset> {
  if (!isRecord(body)) throw new ServiceError(acousticBrainzService, 'bad-reply', 'a reply that is not a JSON object');
  const documents = new Map<string, DocumentsByOffset>();
  for (const [key, value] of Object.entries(body)) {
    if (key === 'mbid_mapping') continue;
    if (!isRecord(value) || !Object.values(value).every(isRecord)) {
      throw new ServiceError(acousticBrainzService, 'bad-reply', `a reply whose recording ${key} is not a set of documents by offset`);
    }
    documents.set(key, value);
  }
  return documents;
}

/**
 * One request for up to 25 recordings (normalised MBIDs). Throws a `ServiceError`: `rate-limited`
 * (429, 503) with the wait its headers ask for, `not-found` when the endpoint itself is not there
 * (the service is gone, or the address is not AcousticBrainz), `unavailable` (other 5xx),
 * `bad-reply`, `network`, `unreachable`.
 */
export async function fetchHighLevel(client: AcousticBrainzClient, mbids: readonly string[], signal?: AbortSignal): Promise<HighLevelReply> {
  if (mbids.length === 0 || mbids.length > maxRecordingsPerRequest) throw new RangeError(`1 to ${maxRecordingsPerRequest} recordings per request, not ${mbids.length}`);
  await client.pacer.turn(signal);
  const url = `${client.baseUrl}/api/v1/high-level?recording_ids=${mbids.join(';')}`;
  const reply = await exchange(acousticBrainzService, url, { headers: { 'User-Agent': client.userAgent, Accept: 'application/json' } }, signal);
  const rateLimit = rateLimitOf(reply.headers);
  if (reply.status === 429 || reply.status === 503) {
    const wait = rateLimit.resetInMs ?? retryAfterMs(reply.headers.get('retry-after')) ?? defaultSlowDownMs;
    throw new ServiceError(acousticBrainzService, 'rate-limited', `HTTP ${reply.status}: ${messageOf(reply.text)}`, wait);
  }
  if (reply.status === 404) {
    throw new ServiceError(acousticBrainzService, 'not-found', `${client.baseUrl}/api/v1/high-level answers HTTP 404 (${messageOf(reply.text)})`);
  }
  if (reply.status >= 500) throw new ServiceError(acousticBrainzService, 'unavailable', `HTTP ${reply.status}: ${messageOf(reply.text)}`);
  if (reply.status !== 200) throw new ServiceError(acousticBrainzService, 'bad-reply', `HTTP ${reply.status}: ${messageOf(reply.text)}`);
  return { documents: documentsOf(parseJson(acousticBrainzService, reply)), rateLimit };
}
