/**
 * MusicBrainz WS/2 (docs/identification-services.md): one release lookup gives a whole album,
 * every track's recording with its artist credits and works, so a passage of an album costs a
 * twelfth of a request; a recording lookup is for a passage whose album is not known. Requests
 * carry a User-Agent naming wkmp-ai and a contact, as MusicBrainz requires, and go at the pace the
 * settings give (1 per second against musicbrainz.org, none against a local mirror).
 */
import { asArray, asNumber, asObject, asString, type Json } from './json.js';
import { exchange, parseJson, ServiceError } from '../queue/http.js';
import type { RequestPace } from '../queue/pace.js';
import type { Credit } from './acoustid.js';

export const musicBrainzService = 'MusicBrainz';

export type MusicBrainzEntity = 'release' | 'recording';

/** What each lookup includes (a release: every track's recording, credits and works). */
export const includes: Record<MusicBrainzEntity, string> = {
  release: 'artist-credits+recordings+release-groups+recording-level-rels+work-rels',
  recording: 'artist-credits+releases+release-groups+work-rels',
};

export interface MbReleaseGroup {
  mbid: string;
  title: string | null;
  primaryType: string | null;
  secondaryTypes: string[];
}

export interface MbRecording {
  mbid: string;
  title: string;
  lengthMs: number | null;
  artists: Credit[];
  works: { mbid: string; title: string }[];
}

export interface MbReleaseSummary {
  mbid: string;
  title: string;
  date: string | null;
  status: string | null;
  releaseGroup: MbReleaseGroup | null;
}

export interface MbRelease extends MbReleaseSummary {
  artists: Credit[];
  /** Every track of every medium, in order. */
  tracks: { medium: number; position: number; lengthMs: number | null; recording: MbRecording }[];
}

export interface MbRecordingLookup {
  recording: MbRecording;
  /** At most 25: MusicBrainz lists no more in a recording lookup. */
  releases: MbReleaseSummary[];
}


function creditsOf(value: unknown): Credit[] {
  return asArray(value).flatMap((item) => {
    const credit = asObject(item);
    const artist = asObject(credit.artist);
    const mbid = asString(artist.id);
    return mbid === null ? [] : [{ mbid, name: asString(credit.name) ?? asString(artist.name) ?? 'Unknown artist', joinphrase: typeof credit.joinphrase === 'string' ? credit.joinphrase : '' }];
  });
}

function worksOf(relations: unknown): { mbid: string; title: string }[] {
  return asArray(relations).flatMap((item) => {
    const relation = asObject(item);
    if (relation['target-type'] !== 'work' || relation.type !== 'performance') return [];
    const work = asObject(relation.work);
    const mbid = asString(work.id);
    return mbid === null ? [] : [{ mbid, title: asString(work.title) ?? 'Unknown work' }];
  });
}

function recordingOf(value: unknown): MbRecording | null {
  const recording = asObject(value);
  const mbid = asString(recording.id);
  if (mbid === null) return null;
  return {
    mbid,
    title: asString(recording.title) ?? 'Unknown title',
    lengthMs: asNumber(recording.length),
    artists: creditsOf(recording['artist-credit']),
    works: worksOf(recording.relations),
  };
}

function releaseGroupOf(value: unknown): MbReleaseGroup | null {
  const group = asObject(value);
  const mbid = asString(group.id);
  if (mbid === null) return null;
  return {
    mbid,
    title: asString(group.title),
    primaryType: asString(group['primary-type']),
    secondaryTypes: asArray(group['secondary-types']).flatMap((type) => asString(type) ?? []),
  };
}

function releaseSummaryOf(value: unknown): MbReleaseSummary | null {
  const release = asObject(value);
  const mbid = asString(release.id);
  if (mbid === null) return null;
  return {
    mbid,
    title: asString(release.title) ?? 'Unknown album',
    date: asString(release.date),
    status: asString(release.status),
    releaseGroup: releaseGroupOf(release['release-group']),
  };
}

/** A release lookup's JSON (as MusicBrainz sends it, and as the cache keeps it). */
export function parseRelease(json: unknown): MbRelease | null {
  const summary = releaseSummaryOf(json);
  if (summary === null) return null;
  const release = asObject(json);
  const tracks = asArray(release.media).flatMap((item) => {
    const medium = asObject(item);
    return asArray(medium.tracks).flatMap((entry) => {
      const track = asObject(entry);
      const recording = recordingOf(track.recording);
      const position = asNumber(track.position);
      return recording === null || position === null ? [] : [{ medium: asNumber(medium.position) ?? 1, position, lengthMs: asNumber(track.length) ?? recording.lengthMs, recording }];
    });
  });
  return { ...summary, artists: creditsOf(release['artist-credit']), tracks };
}

/** A recording lookup's JSON. */
export function parseRecording(json: unknown): MbRecordingLookup | null {
  const recording = recordingOf(json);
  if (recording === null) return null;
  return { recording, releases: asArray(asObject(json).releases).flatMap((release) => releaseSummaryOf(release) ?? []) };
}

export interface MusicBrainzClientOptions {
  baseUrl: string;
  userAgent: string;
  pacer: RequestPace;
}

/**
 * The entity's JSON, as MusicBrainz sends it. A merged MBID answers with the entity it was merged
 * into: the JSON's `id` is then not the one asked for (the cache keeps it under both). Throws a
 * `ServiceError`: 503 is MusicBrainz's answer to going too fast.
 */
export async function lookUp(client: MusicBrainzClientOptions, entity: MusicBrainzEntity, mbid: string, signal?: AbortSignal): Promise<Json> {
  const ask = async (url: string) => {
    await client.pacer.turn(signal);
    return exchange(musicBrainzService, url, { headers: { 'User-Agent': client.userAgent, Accept: 'application/json' }, redirect: 'manual' }, signal);
  };
  let reply = await ask(`${client.baseUrl}/${entity}/${encodeURIComponent(mbid)}?inc=${includes[entity]}&fmt=json`);
  // A merged MBID redirects to the entity it became: followed here, at the pace, not by fetch at once.
  if (reply.status >= 300 && reply.status < 400 && reply.location !== null) reply = await ask(new URL(reply.location, client.baseUrl).href);
  if (reply.status === 503 || reply.status === 429) throw new ServiceError(musicBrainzService, 'rate-limited', `HTTP ${reply.status} (too many requests)`, reply.retryAfterMs);
  if (reply.status === 404) throw new ServiceError(musicBrainzService, 'not-found', `no ${entity} ${mbid}`);
  if (reply.status >= 500) throw new ServiceError(musicBrainzService, 'unavailable', `HTTP ${reply.status}`, reply.retryAfterMs);
  if (reply.status !== 200) throw new ServiceError(musicBrainzService, 'bad-reply', `HTTP ${reply.status} for ${entity} ${mbid}: ${reply.text.slice(0, 120)}`);
  const json = parseJson(musicBrainzService, reply);
  if (asString(asObject(json).id) === null) throw new ServiceError(musicBrainzService, 'bad-reply', `the ${entity} ${mbid} came without an id`);
  return asObject(json);
}

/** `wkmp-ai/<version> ( <contact> )`, as MusicBrainz asks; without a contact set (musicbrainz_contact), the name alone. */
export function userAgentOf(version: string, contact: string | null): string {
  return contact === null ? `wkmp-ai/${version}` : `wkmp-ai/${version} ( ${contact} )`;
}
