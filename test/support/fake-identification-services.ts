/**
 * A local fake of the two identification services, on 127.0.0.1 (node:http): AcoustID's v2 lookup
 * and MusicBrainz's WS/2 release and recording lookups, answering from a small catalogue with the
 * real services' JSON shapes, status codes and error bodies. Every request is logged, so a test or a
 * benchmark can count what a client spent and how fast it asked. docs/identification-services.md
 * says what the real services do, with sources, and which of it this fake serves.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';

export interface FakeArtist { mbid: string; name: string; joinphrase?: string }
export interface FakeRecording {
  mbid: string; title: string; lengthMs: number; artists: FakeArtist[];
  works: { mbid: string; title: string }[];
  /** The compressed Chromaprint fingerprint string a passage carries; the fake AcoustID matches it exactly (also accept a fingerprint it knows under several recordings: list it on each). */
  fingerprint: string;
  /** AcoustID track id (uuid) of that fingerprint. */
  acoustId: string;
  /** AcoustID score for an exact match; default 0.95. */
  score?: number;
  /** AcoustID `sources` count; default 10. */
  sources?: number;
  /** When false, AcoustID returns this recording with only its `id` (no metadata), as the real service does for some. Default true. */
  hasMetadata?: boolean;
}
export interface FakeRelease {
  mbid: string; title: string; date: string | null /* 'YYYY' | 'YYYY-MM' | 'YYYY-MM-DD' */; status: 'Official' | 'Promotion' | 'Bootleg' | null; country: string | null;
  releaseGroup: { mbid: string; title: string; primaryType: 'Album' | 'Single' | 'EP' | null; secondaryTypes: string[] /* e.g. ['Compilation'] */ };
  artists: FakeArtist[];
  /** In order, one medium; each names a recording of the catalogue. */
  tracks: { recordingMbid: string; title?: string }[];
}
export interface FakeCatalogue {
  recordings: FakeRecording[]; releases: FakeRelease[];
  /** Old (merged) recording MBID -> current one: a lookup of the old id answers with the current entity, whose `id` is the current one, as MusicBrainz does after a merge. */
  mergedRecordings?: Record<string, string>;
}
export type Service = 'acoustid' | 'musicbrainz';
export interface RequestLogEntry {
  service: Service; /** performance.now() when the request arrived */ at: number;
  /** `path` is the URL's path, without its query; `status` is 0 while unanswered (a hang). */
  method: string; path: string; status: number;
  /** AcoustID: how many fingerprints the request carried (1 for a single lookup). */
  fingerprints: number;
  /** MusicBrainz: entity and mbid asked for. */ entity?: 'release' | 'recording'; mbid?: string;
}
export type Misbehaviour =
  | { kind: 'unavailable' } // AcoustID: HTTP 503 code 13; MusicBrainz: 503 with its rate-limit body
  | { kind: 'rate-limited'; retryAfterSeconds?: number } // AcoustID 429 code 14; MusicBrainz 503; Retry-After header when given
  | { kind: 'too-large' } // AcoustID 413 code 19
  | { kind: 'hang' } // accept and never answer (until close)
  | { kind: 'bad-json' }; // 200 with the answer's JSON cut in half
export interface FakeServicesOptions {
  catalogue: FakeCatalogue;
  /** Added before each answer, ms; default 0. */
  latencyMs?: number;
  /** API keys AcoustID accepts; default ['test-key']. Any other key: HTTP 400 {"status":"error","error":{"code":4,"message":"invalid API key"}}. */
  validKeys?: string[];
  /** Largest batch AcoustID accepts before answering 413/code 19; default 20. */
  maxBatch?: number;
}
export interface FakeServices {
  /** e.g. http://127.0.0.1:PORT/v2 — the client POSTs `${acoustIdUrl}/lookup` */
  acoustIdUrl: string;
  /** e.g. http://127.0.0.1:PORT/ws/2 — the client GETs `${musicBrainzUrl}/release/{mbid}?inc=...&fmt=json` */
  musicBrainzUrl: string;
  /** Every request so far, in arrival order. */
  readonly log: readonly RequestLogEntry[];
  /** The next `times` requests to `service` misbehave so (default times 1), then it answers normally again. */
  misbehave(service: Service, misbehaviour: Misbehaviour, times?: number): void;
  /**
   * Holds every answer of `service` (requests are logged as they arrive) until the function returned
   * is called: a test waits on what it asserts, never on a service that is "slow enough".
   */
  holdAnswers(service: Service): () => void;
  close(): Promise<void>;
}

interface Answer { status: number; body: string; headers: Record<string, string> }

export async function startFakeServices(options: FakeServicesOptions): Promise<FakeServices> {
  const catalogue = indexCatalogue(options.catalogue);
  const validKeys = new Set(options.validKeys ?? ['test-key']);
  const maxBatch = options.maxBatch ?? 20;
  const log: RequestLogEntry[] = [];
  const queued: Record<Service, { misbehaviour: Misbehaviour; left: number }[]> = { acoustid: [], musicbrainz: [] };
  const held: Record<Service, Promise<void> | null> = { acoustid: null, musicbrainz: null };

  const takeMisbehaviour = (service: Service): Misbehaviour | undefined => {
    const next = queued[service][0];
    if (next && --next.left === 0) queued[service].shift();
    return next?.misbehaviour;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, base: string): Promise<void> => {
    const at = performance.now();
    const url = new URL(req.url ?? '/', base);
    const service = serviceOf(url.pathname);
    if (!service) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
      return;
    }
    const entry: RequestLogEntry = { service, at, method: req.method ?? 'GET', path: url.pathname, status: 0, fingerprints: 0 };
    log.push(entry);
    // Taken on arrival, so "the next requests" are the next to arrive, whatever their bodies' speed.
    const misbehaviour = takeMisbehaviour(service);
    const body = await readBody(req);
    const answer = service === 'acoustid'
      ? answerAcoustId(req, url, body, entry, { catalogue, validKeys, maxBatch })
      : answerMusicBrainz(req, url, entry, catalogue);
    const given = misbehaviour ? misbehaved(service, misbehaviour, answer) : answer;
    if (given === 'hang') return; // close() ends its connection
    if (held[service]) await held[service];
    if (options.latencyMs) await delay(options.latencyMs);
    if (res.destroyed) return;
    entry.status = given.status;
    res.writeHead(given.status, given.headers).end(given.body);
  };

  const server = createServer((req, res) => {
    serve(req, res, base).catch((error: unknown) => {
      // A request cut off by its client or by close() lands here too; anything else is a bug of this fake, shown to the test.
      if (!res.destroyed && !res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    acoustIdUrl: `${base}/v2`,
    musicBrainzUrl: `${base}/ws/2`,
    log,
    misbehave(service, misbehaviour, times = 1) {
      if (times > 0) queued[service].push({ misbehaviour, left: times });
    },
    holdAnswers(service) {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      held[service] = gate;
      return () => {
        if (held[service] === gate) held[service] = null;
        release();
      };
    },
    async close() {
      for (const service of ['acoustid', 'musicbrainz'] as const) held[service] = null;
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      // Hanging and kept-alive connections would hold close() open for ever.
      server.closeAllConnections();
      await closed;
    },
  };
}

function serviceOf(path: string): Service | undefined {
  if (path.startsWith('/v2/')) return 'acoustid';
  if (path.startsWith('/ws/2/')) return 'musicbrainz';
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a misbehaving service gives instead of `answer`. */
function misbehaved(service: Service, misbehaviour: Misbehaviour, answer: Answer): Answer | 'hang' {
  switch (misbehaviour.kind) {
    case 'hang':
      return 'hang';
    case 'bad-json':
      return { status: 200, body: answer.body.slice(0, Math.floor(answer.body.length / 2)), headers: { 'Content-Type': answer.headers['Content-Type'] ?? '' } };
    case 'too-large':
      return service === 'acoustid' ? acoustIdError(19, 'request too large', 413) : musicBrainzError(413, 'Request Entity Too Large');
    case 'unavailable':
      return service === 'acoustid'
        ? acoustIdError(13, 'service currently unavailable, try again later', 503)
        : musicBrainzError(503, MUSICBRAINZ_RATE_LIMITED);
    case 'rate-limited': {
      const retryAfter: Record<string, string> = misbehaviour.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(misbehaviour.retryAfterSeconds) };
      // The real AcoustID names the limit it applied; 4/s is its default per IP (const.MAX_REQUESTS_PER_SECOND).
      const refused = service === 'acoustid'
        ? acoustIdError(14, 'rate limit (4.000000 requests per second) exceeded, try again later', 429)
        : musicBrainzError(503, MUSICBRAINZ_RATE_LIMITED);
      return { ...refused, headers: { ...refused.headers, ...retryAfter } };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The catalogue, indexed for both services.

interface Appearance { recording: FakeRecording; release: FakeRelease; position: number; title: string; trackId: string }

interface Catalogue {
  recordings: Map<string, FakeRecording>;
  releases: Map<string, FakeRelease>;
  merged: Map<string, string>;
  /** Recording MBID -> the tracks that hold it, in catalogue order. */
  appearances: Map<string, Appearance[]>;
}

function indexCatalogue(source: FakeCatalogue): Catalogue {
  const recordings = new Map(source.recordings.map((recording) => [recording.mbid, recording]));
  const appearances = new Map<string, Appearance[]>();
  for (const release of source.releases) {
    release.tracks.forEach((track, i) => {
      const recording = recordings.get(track.recordingMbid);
      // A typo in a test's catalogue would otherwise surface as a puzzling empty answer.
      if (!recording) throw new Error(`release ${release.mbid} names ${track.recordingMbid}, which is not a recording of the catalogue`);
      const position = i + 1;
      const appearance = { recording, release, position, title: track.title ?? recording.title, trackId: trackId(release.mbid, position) };
      appearances.set(recording.mbid, [...(appearances.get(recording.mbid) ?? []), appearance]);
    });
  }
  return {
    recordings,
    releases: new Map(source.releases.map((release) => [release.mbid, release])),
    merged: new Map(Object.entries(source.mergedRecordings ?? {})),
    appearances,
  };
}

/** A uuid derived from its inputs (SHA-1, in the version-5 layout): every run serves the same ids. */
function derivedUuid(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('\0')).digest('hex');
  const variant = (8 + (parseInt(hex.charAt(16), 16) % 4)).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The MusicBrainz track id both services give the track at `position` of a release's medium. */
function trackId(releaseMbid: string, position: number): string {
  return derivedUuid('track', releaseMbid, String(position));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

// ---------------------------------------------------------------------------------------------
// AcoustID: POST or GET /v2/lookup (acoustid-server, acoustid/api/v2/__init__.py).

interface AcoustIdArtist { id: string; name: string; joinphrase?: string }
interface AcoustIdTrack { id: string; position: number; title?: string; artists?: AcoustIdArtist[] }
interface AcoustIdDate { year: number; month?: number; day?: number }
interface AcoustIdRelease {
  id: string; title?: string; medium_count?: number; track_count?: number; artists?: AcoustIdArtist[];
  releaseevents?: { country: string; date?: AcoustIdDate }[]; country?: string; date?: AcoustIdDate;
  mediums?: { position: number; track_count: number; tracks: AcoustIdTrack[] }[];
}
interface AcoustIdReleaseGroup { id: string; title?: string; type?: string; secondarytypes?: string[]; artists?: AcoustIdArtist[]; releases?: AcoustIdRelease[] }
interface AcoustIdRecording {
  id: string; sources?: number; title?: string; duration?: number; artists?: AcoustIdArtist[];
  releasegroups?: AcoustIdReleaseGroup[]; releases?: AcoustIdRelease[];
}

interface AcoustIdContext { catalogue: Catalogue; validKeys: Set<string>; maxBatch: number }

/** The real server answers at most this many AcoustID tracks per fingerprint. */
const MAX_RESULTS_PER_FINGERPRINT = 10;

function acoustIdAnswer(status: number, data: object): Answer {
  return { status, body: JSON.stringify(data), headers: { 'Content-Type': 'application/json; charset=UTF-8' } };
}

function acoustIdError(code: number, message: string, status = 400): Answer {
  return acoustIdAnswer(status, { status: 'error', error: { code, message } });
}

function answerAcoustId(req: IncomingMessage, url: URL, body: Buffer, entry: RequestLogEntry, context: AcoustIdContext): Answer {
  if (!/^\/v2\/lookup\/?$/.test(url.pathname)) return { status: 404, body: 'Not Found', headers: { 'Content-Type': 'text/plain' } };
  const params = acoustIdParams(req, url, body);
  // The real gzip middleware answers a body that does not gunzip with a bare 400.
  if (!params) return { status: 400, body: 'Bad Request', headers: { 'Content-Type': 'text/plain' } };
  entry.fingerprints = fingerprintSuffixes(params).length;
  return lookup(params, context);
}

/** The parameters as werkzeug's `request.values` has them: the query string's first, then a form body's, gunzipped when sent so. */
function acoustIdParams(req: IncomingMessage, url: URL, body: Buffer): URLSearchParams | undefined {
  const params = new URLSearchParams(url.search);
  let form = body;
  if ((req.headers['content-encoding'] ?? '').trim().toLowerCase() === 'gzip') {
    try {
      form = gunzipSync(body);
    } catch {
      return undefined;
    }
  }
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(form.toString('utf8'))) params.append(name, value);
  }
  return params;
}

/** `fingerprint`, `fingerprint.0`, … as iter_args_suffixes lists them: the bare name first, then by number. */
function fingerprintSuffixes(params: URLSearchParams): string[] {
  const numbers = new Set<number>();
  for (const name of params.keys()) {
    if (name === 'fingerprint') numbers.add(-1);
    const numbered = /^fingerprint\.(\d+)$/.exec(name);
    if (numbered) numbers.add(Number(numbered[1]));
  }
  return [...numbers].sort((a, b) => a - b).map((n) => (n === -1 ? '' : `.${n}`));
}

/** werkzeug's `values.get(name, type=int)`: Python's int() of the text, or undefined where int() fails ("215.5" does). */
function pythonInt(text: string | null): number | undefined {
  return text !== null && /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : undefined;
}

/** The `meta` words as LookupHandlerParams reads them: split on whitespace (a form's "+" is a space), "1" meaning recordingids. */
function parseMeta(text: string | null): Set<string> {
  if (!text || text === '0') return new Set();
  if (text === '1') return new Set(['recordingids']);
  return new Set(text.split(/\s+/).filter(Boolean));
}

interface Query { index: number | null; fingerprint: string }

function parseQuery(params: URLSearchParams, suffix: string): Query | { error: Answer } {
  // A duration int() cannot read (a float) becomes 0, which the server reports as missing.
  if (!pythonInt(params.get(`duration${suffix}`))) return { error: acoustIdError(2, `missing required parameter "duration${suffix}"`) };
  const fingerprint = params.get(`fingerprint${suffix}`);
  if (!fingerprint) return { error: acoustIdError(2, `missing required parameter "fingerprint${suffix}"`) };
  // The real server decodes the Chromaprint data; this fake only checks that it is URL-safe base64.
  if (!/^[A-Za-z0-9_-]+$/.test(fingerprint)) return { error: acoustIdError(3, 'invalid fingerprint') };
  return { index: suffix ? Number(suffix.slice(1)) : null, fingerprint };
}

function lookup(params: URLSearchParams, { catalogue, validKeys, maxBatch }: AcoustIdContext): Answer {
  const format = params.get('format');
  // The real server resets the format before naming it, so it calls every unknown one "json". This fake serves json only.
  if (format !== null && format !== 'json') return acoustIdError(1, 'unknown format "json"');
  const client = params.get('client');
  if (!client) return acoustIdError(2, 'missing required parameter "client"');
  if (!validKeys.has(client)) return acoustIdError(4, 'invalid API key');
  const meta = parseMeta(params.get('meta'));
  const suffixes = fingerprintSuffixes(params);
  if (suffixes.length === 0) return acoustIdError(2, 'missing required parameter "fingerprint"');
  const queries: Query[] = [];
  for (const [i, suffix] of suffixes.entries()) {
    const query = parseQuery(params, suffix);
    if (!('error' in query)) queries.push(query);
    // A bad entry is dropped (its index is missing from the reply); only a request with none good fails, with the last one's error.
    else if (queries.length === 0 && i === suffixes.length - 1) return query.error;
  }
  const batch = Boolean(pythonInt(params.get('batch')));
  const asked = batch ? queries : queries.slice(0, 1);
  if (asked.length > maxBatch) return acoustIdError(19, 'request too large', 413);
  if (batch) {
    return acoustIdAnswer(200, { status: 'ok', fingerprints: asked.map((query) => ({ index: query.index, results: results(catalogue, query.fingerprint, meta) })) });
  }
  return acoustIdAnswer(200, { status: 'ok', results: results(catalogue, asked[0]!.fingerprint, meta) });
}

/** One result per AcoustID track that holds the fingerprint, best score first. */
function results(catalogue: Catalogue, fingerprint: string, meta: Set<string>): object[] {
  const scores = new Map<string, number>();
  for (const recording of catalogue.recordings.values()) {
    if (recording.fingerprint !== fingerprint) continue;
    scores.set(recording.acoustId, Math.max(scores.get(recording.acoustId) ?? 0, recording.score ?? 0.95));
  }
  return [...scores]
    .sort(([, a], [, b]) => b - a)
    .slice(0, MAX_RESULTS_PER_FINGERPRINT)
    .map(([id, score]) => ({ id, score, ...trackMetadata(catalogue, id, meta) }));
}

const has = (meta: Set<string>, ...words: string[]): boolean => words.some((word) => meta.has(word));

/** What `meta` adds to one result (inject_metadata): its recordings, or without them its release groups or releases. */
function trackMetadata(catalogue: Catalogue, acoustId: string, meta: Set<string>): object {
  // lookup_mbids orders a track's recordings by MBID.
  const recordings = [...catalogue.recordings.values()].filter((recording) => recording.acoustId === acoustId).sort((a, b) => (a.mbid < b.mbid ? -1 : 1));
  if (has(meta, 'recordings', 'recordingids')) return { recordings: recordings.map((recording) => recordingOf(catalogue, recording, meta)) };
  const rows = recordings.filter((recording) => recording.hasMetadata !== false).flatMap((recording) => catalogue.appearances.get(recording.mbid) ?? []);
  if (has(meta, 'releasegroups', 'releasegroupids')) return { releasegroups: releaseGroupsOf(rows, meta) };
  if (has(meta, 'releases', 'releaseids')) return { releases: releasesOf(rows, meta) };
  return {};
}

function recordingOf(catalogue: Catalogue, recording: FakeRecording, meta: Set<string>): AcoustIdRecording {
  const element: AcoustIdRecording = { id: recording.mbid, ...(meta.has('sources') ? { sources: recording.sources ?? 10 } : {}) };
  // A recording missing from AcoustID's MusicBrainz mirror keeps its id (and sources) alone.
  if (recording.hasMetadata === false) return element;
  const rows = catalogue.appearances.get(recording.mbid) ?? [];
  const wantsGroups = has(meta, 'releasegroups', 'releasegroupids');
  const wantsReleases = wantsGroups || has(meta, 'releases', 'releaseids');
  // Asked for releases, lookup_metadata joins the recording to its tracks: one on no release has no metadata at all.
  if (wantsReleases && rows.length === 0) return element;
  const described: AcoustIdRecording = meta.has('recordingids')
    ? { id: recording.mbid }
    : { id: recording.mbid, title: recording.title, ...(recording.lengthMs ? { duration: recording.lengthMs / 1000 } : {}), ...artistsOf(recording.artists) };
  if (wantsGroups) {
    const groups = releaseGroupsOf(rows, meta);
    described.releasegroups = groups;
    if (meta.has('compress')) {
      omitTitles(groups.flatMap((group) => group.releases ?? []), described.title);
      // The real code compares the artists of the last release group only: it reads a loop variable after its loop.
      const last = groups.at(-1);
      if (last && sameJson(last.artists, described.artists)) delete last.artists;
    }
  } else if (wantsReleases) {
    const releases = releasesOf(rows, meta);
    described.releases = releases;
    if (meta.has('compress')) {
      omitTitles(releases, described.title);
      for (const release of releases) if (sameJson(release.artists, described.artists)) delete release.artists;
    }
  }
  return { ...element, ...described };
}

/** compress: a track titled like its recording loses its title. */
function omitTitles(releases: AcoustIdRelease[], recordingTitle: string | undefined): void {
  for (const track of releases.flatMap((release) => release.mediums ?? []).flatMap((medium) => medium.tracks)) {
    if (track.title === recordingTitle) delete track.title;
  }
}

function releaseGroupsOf(rows: Appearance[], meta: Set<string>): AcoustIdReleaseGroup[] {
  return groupBy(rows, (row) => row.release.releaseGroup.mbid).map((groupRows) => {
    const { releaseGroup, artists } = groupRows[0]!.release;
    const group: AcoustIdReleaseGroup = meta.has('releasegroupids') ? { id: releaseGroup.mbid } : {
      id: releaseGroup.mbid,
      title: releaseGroup.title,
      ...(releaseGroup.primaryType ? { type: releaseGroup.primaryType } : {}),
      ...(releaseGroup.secondaryTypes.length > 0 ? { secondarytypes: releaseGroup.secondaryTypes } : {}),
      // A fake release group has no artist credit of its own: its (first) release's stands in.
      ...artistsOf(artists),
    };
    if (has(meta, 'releases', 'releaseids')) {
      group.releases = releasesOf(groupRows, meta);
      if (meta.has('compress')) {
        for (const release of group.releases) {
          if (sameJson(release.artists, group.artists)) delete release.artists;
          if (release.title !== undefined && release.title === group.title) delete release.title;
        }
      }
    }
    return group;
  });
}

function releasesOf(rows: Appearance[], meta: Set<string>): AcoustIdRelease[] {
  return groupBy(rows, (row) => row.release.mbid).map((releaseRows) => {
    const release = releaseRows[0]!.release;
    const described: AcoustIdRelease = meta.has('releaseids') ? { id: release.mbid } : releaseFields(release);
    if (meta.has('tracks')) {
      const tracks: AcoustIdTrack[] = releaseRows.map((row) => ({ id: row.trackId, position: row.position, title: row.title, artists: artistsOf(row.recording.artists).artists ?? [] }));
      // Medium format and title are left out, as the real server does when MusicBrainz has none.
      described.mediums = [{ position: 1, track_count: release.tracks.length, tracks }];
      if (meta.has('compress')) for (const track of tracks) if (sameJson(track.artists, described.artists)) delete track.artists;
    }
    return described;
  });
}

function releaseFields(release: FakeRelease): AcoustIdRelease {
  const fields: AcoustIdRelease = { id: release.mbid, title: release.title, medium_count: 1, track_count: release.tracks.length, ...artistsOf(release.artists) };
  // AcoustID reads release events from release_country alone: a release with no country has no event, so no date either.
  if (release.country) {
    const event = { country: release.country, ...(release.date ? { date: partialDate(release.date) } : {}) };
    Object.assign(fields, { releaseevents: [event] }, event);
  }
  return fields;
}

function partialDate(date: string): AcoustIdDate {
  const [year, month, day] = date.split('-').map(Number);
  return { year: year!, ...(month ? { month } : {}), ...(day ? { day } : {}) };
}

function artistsOf(artists: FakeArtist[]): { artists?: AcoustIdArtist[] } {
  if (artists.length === 0) return {};
  return { artists: artists.map(({ mbid, name, joinphrase }) => ({ id: mbid, name, ...(joinphrase ? { joinphrase } : {}) })) };
}

/** Python's == on two decoded JSON values; a missing one equals nothing. */
function sameJson(a: unknown, b: unknown): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

// ---------------------------------------------------------------------------------------------
// MusicBrainz: GET /ws/2/release/{mbid} and /ws/2/recording/{mbid} (musicbrainz-server, lib/MusicBrainz/Server/).

const MUSICBRAINZ_HELP = 'For usage, please see: https://musicbrainz.org/development/mmd';
const MUSICBRAINZ_RATE_LIMITED = 'Your requests are exceeding the allowable rate limit. Please see http://wiki.musicbrainz.org/XMLWebService for more information.';
/** Controller/WS/2/Recording.pm's $MAX_ITEMS: a recording lookup lists this many of its releases. */
const MAX_RELEASES_PER_RECORDING = 25;
/** Controller/WS/2/Release.pm: above this many recordings, a release lookup drops their relationships. */
const MAX_RECORDINGS_WITH_RELATIONSHIPS = 500;

// The ids of MusicBrainz's fixed rows (t/sql/initial.sql).
const STATUS_IDS = { Official: '4e304316-386d-3409-af2e-78857eec5cfe', Promotion: '518ffc83-5cde-34df-8627-81bff5093d92', Bootleg: '1156806e-d06a-38bd-83f0-cf2284a808b9' };
const PRIMARY_TYPE_IDS = { Album: 'f529b476-6e62-324f-b0aa-1f3e33d313fc', Single: 'd6038452-8ee0-3f68-affc-2de9a1ede0b9', EP: '6d0c5bf6-7a33-3420-a519-44fc63eedebf' };
const SECONDARY_TYPE_IDS: Record<string, string> = {
  Compilation: 'dd2a21e1-0c00-3729-a7a0-de60b84eb5d1', Soundtrack: '22a628ad-c082-3c4f-b1b6-d41665107b88',
  Spokenword: '66b8a13e-43ff-3ac0-ac6c-73659d3817c6', Interview: '12af3f5e-ce2a-3941-8b93-d482884031e5',
  Audiobook: '499a387e-6195-333e-91c0-9592bfec535e', Live: '6fd474e2-6b58-3102-9d17-d6f7eb7da0a0',
  Remix: '0c60f497-ff81-3818-befd-abfc84a4858b', 'DJ-mix': '0d47f47a-3fe5-3d69-ac9d-d566c23968bf',
  'Mixtape/Street': '15c1b1f5-d893-3375-a1db-e180c5ae15ed', Demo: '81598169-0d6c-3bce-b4be-866fa658eda3',
};
const PERFORMANCE_TYPE_ID = 'a3005666-a872-32c3-ad06-98af558e99b0';

// Validator.pm: the incs each lookup accepts, the relationship incs, and those allowed only beside another.
const RELATION_INCS = new Set(['area', 'artist', 'event', 'genre', 'instrument', 'label', 'place', 'recording', 'release', 'release-group', 'series', 'url', 'work'].map((entity) => `${entity}-rels`));
const COMMON_INCS = ['artists', 'artist-credits', 'aliases', 'tags', 'user-tags', 'genres', 'user-genres', 'ratings', 'user-ratings', 'release-groups', 'work-level-rels', 'annotation'];
const LOOKUP_INCS = {
  release: new Set([...COMMON_INCS, 'labels', 'recordings', 'collections', 'user-collections', 'discids', 'media', 'recording-level-rels', 'release-group-level-rels']),
  recording: new Set([...COMMON_INCS, 'releases', 'puids', 'isrcs']),
};
const EXTRA_INCS: Record<string, string[]> = {
  recordings: ['artist-credits', 'puids', 'isrcs'],
  'recording-rels': ['artist-credits'],
  releases: ['artist-credits', 'discids', 'media', 'status', 'type'],
  'release-rels': ['artist-credits'],
  'release-groups': ['artist-credits', 'type'],
  'release-group-rels': ['artist-credits'],
  works: ['artist-credits'],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function musicBrainzAnswer(status: number, data: object, headers: Record<string, string> = {}): Answer {
  return { status, body: JSON.stringify(data), headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } };
}

function musicBrainzError(status: number, error: string): Answer {
  return musicBrainzAnswer(status, { error, help: MUSICBRAINZ_HELP });
}

function answerMusicBrainz(req: IncomingMessage, url: URL, entry: RequestLogEntry, catalogue: Catalogue): Answer {
  const path = /^\/ws\/2\/(release|recording)\/([^/]+)\/?$/.exec(url.pathname);
  if (!path) return musicBrainzError(404, 'Not Found');
  const entity = path[1] as 'release' | 'recording';
  const mbid = path[2]!;
  Object.assign(entry, { entity, mbid });
  // MusicBrainz refuses a request that does not name its application; fetch's own "node" names none.
  if (!/\S/.test(req.headers['user-agent'] ?? '') || /^(node|undici)(\/[\d.]+)?$/i.test(req.headers['user-agent'] ?? '')) {
    return musicBrainzError(403, 'Requests must carry a User-Agent naming the application: https://musicbrainz.org/doc/MusicBrainz_API/Rate_Limiting');
  }
  if (req.method !== 'GET') return musicBrainzError(405, `${req.method} is not allowed on this endpoint.`);
  const inc = readInc(entity, url.searchParams.getAll('inc'));
  if (typeof inc === 'string') return musicBrainzError(400, inc);
  const fmt = url.searchParams.get('fmt');
  if (fmt !== 'json' && (fmt !== null || !(req.headers.accept ?? '').includes('application/json'))) {
    return musicBrainzError(406, 'This fake serves JSON only: ask with fmt=json.');
  }
  if (!UUID.test(mbid)) return musicBrainzError(400, 'Invalid mbid.');
  const current = entity === 'recording' ? (catalogue.merged.get(mbid) ?? mbid) : mbid;
  const found = entity === 'release' ? releaseLookup(catalogue, current, inc) : recordingLookup(catalogue, current, inc);
  if (!found) return musicBrainzError(404, 'Not Found');
  if (current === mbid) return musicBrainzAnswer(200, found);
  // Controller/Role/Load.pm answers a merged MBID with a 301 to the current one, the current entity as its body.
  return musicBrainzAnswer(301, found, { Location: new URL(`/ws/2/${entity}/${current}${url.search}`, url).href });
}

/** The `inc` words, or Validator.pm's complaint about the first it refuses. */
function readInc(entity: 'release' | 'recording', given: string[]): Set<string> | string {
  if (given.length > 1) return 'Inc arguments must be combined with a space (+ or %20), but you provided multiple parameters';
  const incs = (given[0] ?? '').split(/[+ ]/).filter(Boolean);
  const extras = new Set(incs.flatMap((inc) => EXTRA_INCS[inc] ?? []));
  const words = incs.map((inc) => inc.replace('mediums', 'media'));
  for (const inc of words) {
    if (RELATION_INCS.has(inc) || LOOKUP_INCS[entity].has(inc) || extras.has(inc)) continue;
    const needs = Object.keys(EXTRA_INCS).filter((other) => EXTRA_INCS[other]!.includes(inc));
    return needs.length > 0
      ? `${inc} is not a valid option for the inc parameter for the ${entity} resource unless you specify one of the following other inc parameters: ${needs.join(', ')}`
      : `${inc} is not a valid inc parameter for the ${entity} resource.`;
  }
  return new Set(words);
}

const credits = (inc: Set<string>): boolean => inc.has('artist-credits') || inc.has('artists');
const hasRels = (inc: Set<string>): boolean => [...inc].some((word) => RELATION_INCS.has(word));

function releaseLookup(catalogue: Catalogue, mbid: string, inc: Set<string>): object | undefined {
  const release = catalogue.releases.get(mbid);
  if (!release) return undefined;
  const withRecordingRels = inc.has('recording-level-rels') && new Set(release.tracks.map((track) => track.recordingMbid)).size <= MAX_RECORDINGS_WITH_RELATIONSHIPS;
  return {
    ...releaseJson(catalogue, release, inc),
    asin: null,
    'cover-art-archive': { artwork: false, count: 0, front: false, back: false, darkened: false },
    ...(has(inc, 'media', 'discids', 'recordings') ? { media: [mediumJson(catalogue, release, inc, { recordingRels: withRecordingRels })] } : {}),
    ...(hasRels(inc) ? { relations: [] } : {}),
  };
}

function recordingLookup(catalogue: Catalogue, mbid: string, inc: Set<string>): object | undefined {
  const recording = catalogue.recordings.get(mbid);
  if (!recording) return undefined;
  // Release.pm's find_by_recording: by date (a missing part last, as PostgreSQL sorts NULLs), then title.
  const releases = [...new Set((catalogue.appearances.get(mbid) ?? []).map((row) => row.release))]
    .sort((a, b) => compareDates(a.date, b.date) || a.title.localeCompare(b.title))
    .slice(0, MAX_RELEASES_PER_RECORDING);
  return {
    ...recordingJson(catalogue, recording, inc, true),
    ...(inc.has('releases') ? {
      releases: releases.map((release) => ({
        ...releaseJson(catalogue, release, inc),
        // load_with_medium_for_recording: each release's medium with the recording's track(s) alone.
        ...(inc.has('media') ? { media: [mediumJson(catalogue, release, inc, { recordingRels: false, only: mbid })] } : {}),
      })),
    } : {}),
  };
}

/** A release as Serializer/JSON/2/Release.pm writes it, less what only a release lookup adds. */
function releaseJson(catalogue: Catalogue, release: FakeRelease, inc: Set<string>): object {
  const group = release.releaseGroup;
  return {
    id: release.mbid,
    title: release.title,
    status: release.status,
    'status-id': release.status ? STATUS_IDS[release.status] : null,
    quality: 'normal',
    disambiguation: '',
    packaging: null,
    'packaging-id': null,
    'text-representation': { language: null, script: null },
    barcode: null,
    ...(release.date === null && release.country === null ? {} : {
      date: release.date ?? '',
      country: release.country,
      'release-events': [{ date: release.date ?? '', area: release.country ? areaJson(release.country) : null }],
    }),
    ...(credits(inc) ? { 'artist-credit': artistCredit(release.artists) } : {}),
    ...(inc.has('release-groups') ? {
      'release-group': {
        id: group.mbid,
        title: group.title,
        'primary-type': group.primaryType,
        'primary-type-id': group.primaryType ? PRIMARY_TYPE_IDS[group.primaryType] : null,
        'secondary-types': group.secondaryTypes,
        'secondary-type-ids': group.secondaryTypes.map((type) => SECONDARY_TYPE_IDS[type] ?? derivedUuid('secondary-type', type)),
        'first-release-date': earliestDate([...catalogue.releases.values()].filter((other) => other.releaseGroup.mbid === group.mbid)) ?? '',
        disambiguation: '',
        ...(credits(inc) ? { 'artist-credit': artistCredit(release.artists) } : {}),
        // The release group's serialiser lists its releases whenever inc has releases; none are loaded for it.
        ...(inc.has('releases') ? { releases: [] } : {}),
      },
    } : {}),
  };
}

/** The release's medium, with every track or (`only`) those of one recording. */
function mediumJson(catalogue: Catalogue, release: FakeRelease, inc: Set<string>, options: { recordingRels: boolean; only?: string }): object {
  const tracks = release.tracks.flatMap((track, i) => {
    if (options.only !== undefined && track.recordingMbid !== options.only) return [];
    const recording = catalogue.recordings.get(track.recordingMbid)!;
    return [{
      id: trackId(release.mbid, i + 1),
      number: String(i + 1),
      position: i + 1,
      title: track.title ?? recording.title,
      length: recording.lengthMs,
      ...(credits(inc) ? { 'artist-credit': artistCredit(recording.artists) } : {}),
      ...(inc.has('recordings') ? { recording: recordingJson(catalogue, recording, inc, options.recordingRels) } : {}),
    }];
  });
  return {
    id: derivedUuid('medium', release.mbid),
    position: 1,
    title: '',
    format: null,
    'format-id': null,
    'track-count': release.tracks.length,
    ...(tracks[0] ? { 'track-offset': tracks[0].position - 1, tracks } : {}),
  };
}

function recordingJson(catalogue: Catalogue, recording: FakeRecording, inc: Set<string>, withRelations: boolean): object {
  const firstReleaseDate = earliestDate((catalogue.appearances.get(recording.mbid) ?? []).map((row) => row.release));
  return {
    id: recording.mbid,
    title: recording.title,
    length: recording.lengthMs,
    disambiguation: '',
    video: false,
    ...(firstReleaseDate ? { 'first-release-date': firstReleaseDate } : {}),
    ...(credits(inc) ? { 'artist-credit': artistCredit(recording.artists) } : {}),
    ...(withRelations && hasRels(inc) ? { relations: inc.has('work-rels') ? recording.works.map(performanceOf) : [] } : {}),
  };
}

function performanceOf(work: { mbid: string; title: string }): object {
  return {
    type: 'performance',
    'type-id': PERFORMANCE_TYPE_ID,
    direction: 'forward',
    begin: null,
    end: null,
    ended: false,
    attributes: [],
    'attribute-ids': {},
    'attribute-values': {},
    'target-type': 'work',
    'source-credit': '',
    'target-credit': '',
    work: { id: work.mbid, title: work.title, disambiguation: '', iswcs: [], attributes: [], languages: [], language: null, type: null, 'type-id': null },
  };
}

function artistCredit(artists: FakeArtist[]): object[] {
  return artists.map((artist) => ({
    name: artist.name,
    joinphrase: artist.joinphrase ?? '',
    artist: { id: artist.mbid, name: artist.name, 'sort-name': artist.name, disambiguation: '', type: null, 'type-id': null, country: null },
  }));
}

/** A release event's area; the fake knows a country by its code alone, which also stands in for its name. */
function areaJson(code: string): object {
  return { id: derivedUuid('area', code), name: code, 'sort-name': code, disambiguation: '', 'iso-3166-1-codes': [code], type: null, 'type-id': null };
}

function earliestDate(releases: FakeRelease[]): string | undefined {
  return releases.map((release) => release.date).filter((date) => date !== null).sort(compareDates)[0];
}

function compareDates(a: string | null, b: string | null): number {
  const parts = (date: string | null): number[] => {
    const given = (date ?? '').split('-').filter(Boolean).map(Number);
    return [0, 1, 2].map((i) => given[i] ?? Infinity);
  };
  const [left, right] = [parts(a), parts(b)];
  const differs = [0, 1, 2].find((i) => left[i] !== right[i]);
  return differs === undefined ? 0 : left[differs]! < right[differs]! ? -1 : 1;
}
