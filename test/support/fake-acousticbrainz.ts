/**
 * A local fake of AcousticBrainz's API on 127.0.0.1 (node:http): the bulk high-level endpoint,
 * `GET /api/v1/high-level?recording_ids=mbid[:offset];…`, as acousticbrainz-server answers it
 * (webserver/views/api/v1/core.py, db/data.py), with its rate limiting (brainzutils ratelimit.py),
 * its error bodies and its ways of failing. Every request is logged, so a test or a benchmark counts
 * what a client spent from the fake's own log. Not served: `map_classes` (wkmp-ai never asks for it),
 * the other endpoints.
 *
 * What it does as the real server does:
 * - `recording_ids` split on `;`, empty entries skipped, `mbid:offset` with the offset as Python's
 *   int() reads it (0 when missing, unreadable or negative), more than one `:` a 400; MBIDs read as
 *   Python's uuid.UUID does (upper case, no hyphens, braces, `urn:uuid:`), and answered under their
 *   normalised form, with `mbid_mapping` from each spelling given to it (always present);
 *   duplicates dropped; more than 25 a 400; a parameter of empty entries alone a 500.
 * - Each (mbid, offset) asked and held is answered `{mbid: {offset: document}}`; one not held is
 *   silently left out.
 * - Fixed windows aligned to the epoch, every request counted (the refused ones too), the four
 *   `X-RateLimit-*` headers on every answer of the endpoint, and a 429 with its message past the limit.
 */
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** MAX_ITEMS_PER_BULK_REQUEST */
const maxItems = 25;
const RATE_LIMITED = 'You have exceeded your rate limit. See the X-RateLimit-* response headers for more information on your current rate limit.';
const NOT_FOUND = 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
const UNKNOWN_ERROR = 'An unknown error occurred';

export interface FakeAcousticBrainzOptions {
  /** Recording MBID (lower-case, hyphenated) → its submissions' documents, by offset from 0. */
  recordings: ReadonlyMap<string, readonly unknown[]>;
  /** Requests allowed per window, and the window; default 10 per 10 s, as AcousticBrainz documents. */
  rateLimit?: { perWindow: number; windowSeconds: number };
  /** The fake's clock in epoch ms, for its windows; default Date.now. A test hands in the clock its client's pace uses. */
  now?: () => number;
  /** Added before each answer, ms; default 0. */
  latencyMs?: number;
}

export interface AcousticBrainzLogEntry {
  /** performance.now() when the request arrived. */
  at: number;
  path: string;
  /** 0 while unanswered (a hang, or answers held). */
  status: number;
  /** The (mbid, offset) entries asked, after the server's parsing (normalised, duplicates dropped); empty when it refused them. */
  asked: { mbid: string; offset: number }[];
  /** X-RateLimit-Remaining as answered. */
  remaining: number | null;
}

export type AcousticBrainzMisbehaviour =
  /** 429 with its message and headers, whatever the window's count; `resetInSeconds` overrides X-RateLimit-Reset-In. */
  | { kind: 'rate-limited'; resetInSeconds?: number }
  /** 503 from the proxy in front, with a Retry-After when given and no rate-limit headers. */
  | { kind: 'overloaded'; retryAfterSeconds?: number }
  /** 500 `{"message": "An unknown error occurred"}` (or another 5xx). */
  | { kind: 'error'; status?: number }
  /** 200 with the answer's JSON cut in half. */
  | { kind: 'bad-json' }
  /** Accept and never answer (until close). */
  | { kind: 'hang' };

export interface FakeAcousticBrainz {
  /** http://127.0.0.1:PORT — the client GETs `${url}/api/v1/high-level?recording_ids=…` */
  url: string;
  readonly log: readonly AcousticBrainzLogEntry[];
  /** The next `times` requests misbehave so (default 1), then it answers normally again. */
  misbehave(misbehaviour: AcousticBrainzMisbehaviour, times?: number): void;
  /** The service is gone: every request answers 404 from whatever now holds the address (`true`), or it answers again (`false`). */
  setGone(gone: boolean): void;
  /** Holds every answer (requests are logged as they arrive) until the function returned is called. */
  holdAnswers(): () => void;
  close(): Promise<void>;
}

interface Answer { status: number; body: string; headers: Record<string, string> }

function json(status: number, data: unknown, headers: Record<string, string> = {}): Answer {
  return { status, body: JSON.stringify(data), headers: { 'Content-Type': 'application/json', ...headers } };
}

/** Python's int() of a query text: optional sign, digits, surrounding blanks; undefined where it raises. */
function pythonInt(text: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : undefined;
}

/** Python's str(uuid.UUID(text)), or undefined where it raises ValueError. */
export function pythonUuid(text: string): string | undefined {
  const hex = text.replace('urn:', '').replace('uuid:', '').replace(/^\{+|\}+$/g, '').replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

type Parsed = { entries: { given: string; mbid: string; offset: number }[] } | { error: Answer };

/** _get_recording_ids_from_request and _parse_bulk_params. */
function parseRecordingIds(param: string | null): Parsed {
  if (!param) return { error: json(400, { message: 'Missing `recording_ids` parameter' }) };
  const entries: { given: string; mbid: string; offset: number }[] = [];
  const seen = new Set<string>();
  for (const recording of param.split(';')) {
    const parts = recording.split(':');
    const given = parts[0]!;
    if (!given) continue;
    if (parts.length > 2) return { error: json(400, { message: `More than 1 colon (:) in '${recording}'` }) };
    const mbid = pythonUuid(given);
    if (mbid === undefined) return { error: json(400, { message: `'${given}' is not a valid UUID` }) };
    const offsetText = parts[1];
    const offset = offsetText ? Math.max(pythonInt(offsetText) ?? 0, 0) : 0;
    // remove_duplicates works on (given, normalised, offset)
    const key = `${given}\u0000${mbid}\u0000${offset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push({ given, mbid, offset });
  }
  if (entries.length > maxItems) return { error: json(400, { message: `More than ${maxItems} recordings not allowed per request` }) };
  return { entries };
}

export async function startFakeAcousticBrainz(options: FakeAcousticBrainzOptions): Promise<FakeAcousticBrainz> {
  const { perWindow, windowSeconds } = options.rateLimit ?? { perWindow: 10, windowSeconds: 10 };
  const now = options.now ?? Date.now;
  const log: AcousticBrainzLogEntry[] = [];
  const queued: { misbehaviour: AcousticBrainzMisbehaviour; left: number }[] = [];
  const counters = new Map<number, number>();
  let gone = false;
  let held: Promise<void> | null = null;

  /** brainzutils' ratelimit: the window this request falls in, counted, and the headers it gives. */
  const countRequest = (): { over: boolean; headers: Record<string, string>; remaining: number } => {
    const seconds = Math.floor(now() / 1000);
    const reset = Math.floor(seconds / windowSeconds) * windowSeconds + windowSeconds;
    const current = (counters.get(reset) ?? 0) + 1;
    counters.set(reset, current);
    const remaining = Math.max(perWindow - current, 0);
    return {
      over: current > perWindow,
      remaining,
      headers: {
        'X-RateLimit-Limit': String(perWindow), 'X-RateLimit-Remaining': String(remaining),
        'X-RateLimit-Reset-In': String(reset - seconds), 'X-RateLimit-Reset': String(reset),
        'Access-Control-Expose-Headers': 'X-RateLimit-Remaining,X-RateLimit-Limit,X-RateLimit-Reset,X-RateLimit-Reset-In',
      },
    };
  };

  const answerHighLevel = (url: URL, entry: AcousticBrainzLogEntry): Answer => {
    const limit = countRequest();
    const misbehaviour = queued[0];
    if (misbehaviour && --misbehaviour.left === 0) queued.shift();
    const withLimits = (answer: Answer): Answer => ({ ...answer, headers: { ...answer.headers, ...limit.headers } });
    entry.remaining = limit.remaining;
    switch (misbehaviour?.misbehaviour.kind) {
      case 'rate-limited': {
        const resetIn = misbehaviour.misbehaviour.resetInSeconds;
        entry.remaining = 0;
        const refused = withLimits(json(429, { message: RATE_LIMITED }));
        return { ...refused, headers: { ...refused.headers, 'X-RateLimit-Remaining': '0', ...(resetIn === undefined ? {} : { 'X-RateLimit-Reset-In': String(resetIn) }) } };
      }
      case 'overloaded': {
        const after = misbehaviour.misbehaviour.retryAfterSeconds;
        entry.remaining = null;
        return { status: 503, body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>', headers: { 'Content-Type': 'text/html', ...(after === undefined ? {} : { 'Retry-After': String(after) }) } };
      }
      case 'error':
        return withLimits(json(misbehaviour.misbehaviour.status ?? 500, { message: UNKNOWN_ERROR }));
      default:
        break;
    }
    if (limit.over) return withLimits(json(429, { message: RATE_LIMITED }));
    const parsed = parseRecordingIds(url.searchParams.get('recording_ids'));
    if ('error' in parsed) return withLimits(parsed.error);
    // `IN ()` of an empty list: the database refuses it, and the API answers its 500.
    if (parsed.entries.length === 0) return withLimits(json(500, { message: UNKNOWN_ERROR }));
    entry.asked = parsed.entries.map(({ mbid, offset }) => ({ mbid, offset }));
    const body: Record<string, unknown> = {};
    for (const { mbid, offset } of parsed.entries) {
      const document = options.recordings.get(mbid)?.[offset];
      if (document === undefined) continue;
      body[mbid] = { ...(body[mbid] as object | undefined), [String(offset)]: document };
    }
    body.mbid_mapping = Object.fromEntries(parsed.entries.filter((e) => e.given !== e.mbid).map((e) => [e.given, e.mbid]));
    const answer = withLimits(json(200, body));
    return misbehaviour?.misbehaviour.kind === 'bad-json' ? { ...answer, body: answer.body.slice(0, Math.floor(answer.body.length / 2)) } : answer;
  };

  const serve = async (method: string, url: URL, res: ServerResponse): Promise<void> => {
    const entry: AcousticBrainzLogEntry = { at: performance.now(), path: url.pathname, status: 0, asked: [], remaining: null };
    log.push(entry);
    let answer: Answer;
    if (gone) {
      answer = { status: 404, body: '<!doctype html><title>404 Not Found</title><h1>Not Found</h1>', headers: { 'Content-Type': 'text/html' } };
    } else if (url.pathname !== '/api/v1/high-level' || method !== 'GET') {
      answer = json(404, { message: NOT_FOUND });
    } else {
      if (queued[0]?.misbehaviour.kind === 'hang') {
        if (--queued[0].left === 0) queued.shift();
        return; // close() ends its connection
      }
      answer = answerHighLevel(url, entry);
    }
    if (options.latencyMs) await delay(options.latencyMs);
    // After the latency: a test that holds the answers once a request has arrived holds that one too.
    if (held) await held;
    if (res.destroyed) return;
    entry.status = answer.status;
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };

  const server = createServer((req, res) => {
    serve(req.method ?? 'GET', new URL(req.url ?? '/', 'http://127.0.0.1'), res).catch((error: unknown) => {
      if (!res.destroyed && !res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    misbehave(misbehaviour, times = 1) {
      if (times > 0) queued.push({ misbehaviour, left: times });
    },
    setGone(value) {
      gone = value;
    },
    holdAnswers() {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      held = gate;
      return () => {
        if (held === gate) held = null;
        release();
      };
    },
    async close() {
      held = null;
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * A high-level document in AcousticBrainz's shape (its API and its dumps, acousticbrainz-server
 * `docs/sample_highlevel.json`): the 18 classifiers of "music 1.0", each `{all, probability,
 * value, version}`, and `metadata` with `audio_properties`, `tags` and `version`. `seed` (0..1)
 * moves every classifier's distribution, so documents differ; keys sorted, as ujson's sort_keys writes them.
 */
export function highLevelDocument(mbid: string, seed: number, lengthSeconds = 200): Record<string, unknown> {
  const version = {
    essentia: '2.1-beta1', essentia_build_sha: '8e24b98b71ad84f3024c7541412f02124a26d327', essentia_git_sha: 'v2.1_beta1',
    extractor: 'music 1.0', gaia: '2.4-dev', gaia_git_sha: '857329b', models_essentia_git_sha: 'v2.1_beta1',
  };
  const model = (names: readonly string[], shift: number) => {
    const weights = names.map((_, i) => 1 + Math.sin((seed * 7 + shift + i) * 1.7));
    const sum = weights.reduce((a, b) => a + b, 0);
    const entries = names.map((name, i): [string, number] => [name, weights[i]! / sum]);
    const all = Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1)));
    const [value, probability] = [...entries].sort((a, b) => b[1] - a[1])[0]!;
    return { all, probability, value, version };
  };
  const binary = (a: string, b: string, shift: number) => model([a, b], shift);
  return {
    highlevel: {
      danceability: binary('danceable', 'not_danceable', 1), gender: binary('female', 'male', 2),
      genre_dortmund: model(['alternative', 'blues', 'electronic', 'folkcountry', 'funksoulrnb', 'jazz', 'pop', 'raphiphop', 'rock'], 3),
      genre_electronic: model(['ambient', 'dnb', 'house', 'techno', 'trance'], 4),
      genre_rosamerica: model(['cla', 'dan', 'hip', 'jaz', 'pop', 'rhy', 'roc', 'spe'], 5),
      genre_tzanetakis: model(['blu', 'cla', 'cou', 'dis', 'hip', 'jaz', 'met', 'pop', 'reg', 'roc'], 6),
      ismir04_rhythm: model(['ChaChaCha', 'Jive', 'Quickstep', 'Rumba-American', 'Rumba-International', 'Rumba-Misc', 'Samba', 'Tango', 'VienneseWaltz', 'Waltz'], 7),
      mood_acoustic: binary('acoustic', 'not_acoustic', 8), mood_aggressive: binary('aggressive', 'not_aggressive', 9),
      mood_electronic: binary('electronic', 'not_electronic', 10), mood_happy: binary('happy', 'not_happy', 11),
      mood_party: binary('not_party', 'party', 12), mood_relaxed: binary('not_relaxed', 'relaxed', 13), mood_sad: binary('not_sad', 'sad', 14),
      moods_mirex: model(['Cluster1', 'Cluster2', 'Cluster3', 'Cluster4', 'Cluster5'], 15),
      timbre: binary('bright', 'dark', 16), tonal_atonal: binary('atonal', 'tonal', 17), voice_instrumental: binary('instrumental', 'voice', 18),
    },
    metadata: {
      audio_properties: {
        analysis_sample_rate: 44100, bit_rate: 0, codec: 'flac', downmix: 'mix', equal_loudness: 0, length: lengthSeconds, lossless: true,
        md5_encoded: 'a0f8cd54e2dc8b21b4a2a3e4bbf8d1c4', replay_gain: -9.4, sample_rate: 44100,
      },
      tags: { musicbrainz_recordingid: [mbid] },
      version: { highlevel: version, lowlevel: { essentia: '2.1-beta1', essentia_git_sha: 'v2.1_beta1', extractor: 'music 1.0' } },
    },
  };
}
