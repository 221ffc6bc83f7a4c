/**
 * AcoustID's lookup (docs/identification-services.md): fingerprints in, the recordings that carry
 * them out, with their release groups, releases and track positions. Lookups go in batches
 * (`batch=1`, `fingerprint.N` / `duration.N`): one request for up to ten fingerprints, gzipped.
 * With `meta=… compress`, AcoustID leaves out a field that equals its parent's; `parseResults`
 * puts it back, so that nothing downstream has to know.
 */
import { gzipSync } from 'node:zlib';
import { asArray, asNumber, asObject, asString, type Json } from './json.js';
import { exchange, parseJson, ServiceError, type HttpReply } from '../queue/http.js';
import type { RequestPace } from '../queue/pace.js';

export const acoustIdService = 'AcoustID';

/** At most this many fingerprints per request: the server allows 20 today and says it may go to 10. */
export const largestBatch = 10;

export interface Credit {
  mbid: string;
  name: string;
  joinphrase: string;
}

export interface AcoustIdRelease {
  mbid: string;
  title: string | null;
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; null when AcoustID has none. */
  date: string | null;
  country: string | null;
  trackCount: number | null;
  /** Where the recording is on it: medium and track positions. */
  positions: { medium: number; track: number }[];
}

export interface AcoustIdReleaseGroup {
  mbid: string;
  title: string | null;
  primaryType: string | null;
  secondaryTypes: string[];
  releases: AcoustIdRelease[];
}

export interface AcoustIdRecording {
  mbid: string;
  /** Null for a recording AcoustID links without metadata (only its id). */
  title: string | null;
  durationSeconds: number | null;
  /** How many submissions link the fingerprint to this recording. */
  sources: number;
  artists: Credit[];
  releaseGroups: AcoustIdReleaseGroup[];
}

export interface AcoustIdResult {
  /** The AcoustID track id. */
  acoustId: string;
  score: number;
  recordings: AcoustIdRecording[];
}

export interface AcoustIdLookup {
  fingerprint: string;
  /** Whole seconds: AcoustID takes a fraction for a missing duration. */
  durationSeconds: number;
}


function creditsOf(value: unknown, inherited: Credit[]): Credit[] {
  if (!Array.isArray(value)) return inherited;
  return value.flatMap((item) => {
    const artist = asObject(item);
    const mbid = asString(artist.id);
    return mbid === null ? [] : [{ mbid, name: asString(artist.name) ?? 'Unknown artist', joinphrase: typeof artist.joinphrase === 'string' ? artist.joinphrase : '' }];
  });
}

function dateOf(value: unknown): string | null {
  const date = asObject(value);
  const year = asNumber(date.year);
  if (year === null) return null;
  const two = (n: number | null): string | null => (n === null ? null : String(n).padStart(2, '0'));
  const month = two(asNumber(date.month));
  const day = two(asNumber(date.day));
  return [String(year).padStart(4, '0'), month, month === null ? null : day].filter((part) => part !== null).join('-');
}

function releaseOf(value: unknown, groupTitle: string | null): AcoustIdRelease | null {
  const release = asObject(value);
  const mbid = asString(release.id);
  if (mbid === null) return null;
  const positions = asArray(release.mediums).flatMap((medium) => {
    const m = asObject(medium);
    return asArray(m.tracks).flatMap((track) => {
      const position = asNumber(asObject(track).position);
      return position === null ? [] : [{ medium: asNumber(m.position) ?? 1, track: position }];
    });
  });
  return {
    mbid,
    title: asString(release.title) ?? groupTitle,
    date: dateOf(release.date),
    country: asString(release.country),
    trackCount: asNumber(release.track_count),
    positions,
  };
}

function recordingOf(value: unknown): AcoustIdRecording | null {
  const recording = asObject(value);
  const mbid = asString(recording.id);
  if (mbid === null) return null;
  const artists = creditsOf(recording.artists, []);
  return {
    mbid,
    title: asString(recording.title),
    durationSeconds: asNumber(recording.duration),
    sources: asNumber(recording.sources) ?? 1,
    artists,
    releaseGroups: asArray(recording.releasegroups).flatMap((item) => {
      const group = asObject(item);
      const groupMbid = asString(group.id);
      if (groupMbid === null) return [];
      const title = asString(group.title) ?? asString(recording.title);
      return [{
        mbid: groupMbid,
        title,
        primaryType: asString(group.type),
        secondaryTypes: asArray(group.secondarytypes).flatMap((type) => asString(type) ?? []),
        releases: asArray(group.releases).flatMap((release) => releaseOf(release, title) ?? []),
      }];
    }),
  };
}

/** One fingerprint's `results`, as AcoustID sends them (also as the cache keeps them), made whole. */
export function parseResults(results: unknown): AcoustIdResult[] {
  return asArray(results).flatMap((item) => {
    const result = asObject(item);
    const acoustId = asString(result.id);
    const score = asNumber(result.score);
    if (acoustId === null || score === null) return [];
    return [{ acoustId, score, recordings: asArray(result.recordings).flatMap((recording) => recordingOf(recording) ?? []) }];
  });
}

/** AcoustID's error codes (acoustid-server's api/errors.py), by what the queue does about them. */
function failureOf(reply: HttpReply, body: Json): ServiceError {
  const error = asObject(body.error);
  const code = asNumber(error.code);
  const message = asString(error.message) ?? `HTTP ${reply.status}`;
  if (code === 4 || code === 5 || code === 6) return new ServiceError(acoustIdService, 'invalid-key', `the API key was refused (${message}); set a valid acoustid_api_key`);
  if (code === 14 || reply.status === 429) return new ServiceError(acoustIdService, 'rate-limited', message, reply.retryAfterMs);
  if (code === 19 || reply.status === 413) return new ServiceError(acoustIdService, 'too-large', message);
  if (code === 13 || reply.status >= 500) return new ServiceError(acoustIdService, 'unavailable', message, reply.retryAfterMs);
  return new ServiceError(acoustIdService, 'bad-reply', `error ${code ?? '?'}: ${message}`);
}

/** The form AcoustID takes: a batch when there are several fingerprints. */
function formOf(key: string, lookups: readonly AcoustIdLookup[]): string {
  const form = new URLSearchParams({ client: key, format: 'json', meta: 'recordings releasegroups releases tracks compress sources' });
  if (lookups.length === 1) {
    form.set('duration', String(lookups[0]!.durationSeconds));
    form.set('fingerprint', lookups[0]!.fingerprint);
  } else {
    form.set('batch', '1');
    lookups.forEach((lookup, index) => {
      form.set(`duration.${index}`, String(lookup.durationSeconds));
      form.set(`fingerprint.${index}`, lookup.fingerprint);
    });
  }
  return form.toString();
}

export interface AcoustIdClientOptions {
  baseUrl: string;
  key: string;
  pacer: RequestPace;
}

/**
 * One request for up to `largestBatch` fingerprints: each one's `results` as AcoustID sent them
 * (the cache keeps them so), in the order asked. Throws a `ServiceError`.
 */
export async function lookUpFingerprints(client: AcoustIdClientOptions, lookups: readonly AcoustIdLookup[], signal?: AbortSignal): Promise<unknown[]> {
  if (lookups.length === 0 || lookups.length > largestBatch) throw new RangeError(`1 to ${largestBatch} fingerprints per request, not ${lookups.length}`);
  await client.pacer.turn(signal);
  const reply = await exchange(acoustIdService, `${client.baseUrl}/lookup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'gzip' },
    body: gzipSync(formOf(client.key, lookups)),
  }, signal);
  const body = asObject(parseJson(acoustIdService, reply));
  if (body.status !== 'ok') throw failureOf(reply, body);
  if (lookups.length === 1) {
    if (!Array.isArray(body.results)) throw new ServiceError(acoustIdService, 'bad-reply', 'a reply without results');
    return [body.results];
  }
  const byIndex = new Map<number, unknown>();
  for (const entry of asArray(body.fingerprints)) {
    const index = asNumber(asObject(entry).index);
    if (index !== null) byIndex.set(index, asObject(entry).results ?? []);
  }
  // AcoustID leaves out an entry it could not read (a malformed fingerprint): that one matches nothing.
  return lookups.map((_, index) => byIndex.get(index) ?? []);
}

/**
 * Whether AcoustID takes the key (POST /import/validate-acoustid), from one lookup of a fingerprint
 * nobody submitted: the key is checked before the fingerprint, so any answer but a refused key
 * means it is good. A service that cannot be reached throws.
 */
export async function keyIsAccepted(client: AcoustIdClientOptions, signal?: AbortSignal): Promise<boolean> {
  try {
    await lookUpFingerprints(client, [{ fingerprint: 'AQAAAA', durationSeconds: 1 }], signal);
    return true;
  } catch (error) {
    if (error instanceof ServiceError && error.kind === 'invalid-key') return false;
    if (error instanceof ServiceError && error.kind === 'bad-reply') return true;
    throw error;
  }
}
