/** The fake AcousticBrainz, asked over real HTTP the way the AcousticBrainz client will ask it. */
import { afterEach, describe, expect, it } from 'vitest';
import { highLevelDocument, pythonUuid, startFakeAcousticBrainz, type FakeAcousticBrainz, type FakeAcousticBrainzOptions } from './fake-acousticbrainz.js';

const KNOWN = '564ccd5c-c4d3-4752-9abf-c33bb085d6a5';
const TWICE = '0a1b2c3d-0000-4000-8000-000000000002';
const UNKNOWN = 'ffffffff-0000-4000-8000-000000000000';
const first = highLevelDocument(KNOWN, 0.1, 102.95);
const twiceFirst = highLevelDocument(TWICE, 0.4);
const twiceSecond = highLevelDocument(TWICE, 0.6);

const started: FakeAcousticBrainz[] = [];
afterEach(async () => {
  for (const fake of started.splice(0)) await fake.close();
});

async function fake(options: Partial<FakeAcousticBrainzOptions> = {}): Promise<FakeAcousticBrainz> {
  const server = await startFakeAcousticBrainz({ recordings: new Map([[KNOWN, [first]], [TWICE, [twiceFirst, twiceSecond]]]), rateLimit: { perWindow: 1000, windowSeconds: 10 }, ...options });
  started.push(server);
  return server;
}

async function ask(server: FakeAcousticBrainz, ids: string | null): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${server.url}/api/v1/high-level${ids === null ? '' : `?recording_ids=${ids}`}`);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // the text as it came
  }
  return { status: res.status, body, headers: res.headers };
}

describe('the fake AcousticBrainz bulk high-level endpoint', () => {
  it('answers each recording asked under its MBID and offset 0, leaves out what it does not hold, and always says mbid_mapping', async () => {
    const server = await fake();
    const answer = await ask(server, `${KNOWN};${UNKNOWN};${TWICE}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.body).toEqual({ [KNOWN]: { 0: first }, [TWICE]: { 0: twiceFirst }, mbid_mapping: {} });
    expect(server.log).toEqual([{ at: expect.any(Number) as unknown, path: '/api/v1/high-level', status: 200, remaining: 999, asked: [KNOWN, UNKNOWN, TWICE].map((mbid) => ({ mbid, offset: 0 })) }]);
  });

  it('serves documents in AcousticBrainz\'s shape: 18 classifiers of {all, probability, value, version}, and the metadata', () => {
    const highlevel = first.highlevel as Record<string, { all: Record<string, number>; probability: number; value: string; version: Record<string, string> }>;
    expect(Object.keys(highlevel)).toHaveLength(18);
    for (const model of Object.values(highlevel)) {
      expect(Object.values(model.all).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(model.all[model.value]).toBe(model.probability);
      expect(model.version).toMatchObject({ extractor: 'music 1.0', models_essentia_git_sha: 'v2.1_beta1' });
    }
    expect(Object.keys(highlevel.mood_party!.all)).toEqual(['not_party', 'party']);
    expect(first.metadata).toMatchObject({ audio_properties: { length: 102.95 }, tags: { musicbrainz_recordingid: [KNOWN] } });
  });

  it('takes offsets, other spellings of an MBID (mapped back), drops duplicates and empty entries, as the server parses them', async () => {
    const server = await fake();
    const upper = TWICE.toUpperCase();
    const bare = KNOWN.replaceAll('-', '');
    const answer = await ask(server, `${TWICE}:1;;${upper}:0;${bare}:-3;${KNOWN}:x;${TWICE}:1;${KNOWN}:7`);
    expect(answer.body).toEqual({ [TWICE]: { 0: twiceFirst, 1: twiceSecond }, [KNOWN]: { 0: first }, mbid_mapping: { [upper]: TWICE, [bare]: KNOWN } });
    // (bare, :-3) and (KNOWN, :x) both ask offset 0; :7 is not held.
    expect(server.log[0]!.asked).toEqual([{ mbid: TWICE, offset: 1 }, { mbid: TWICE, offset: 0 }, { mbid: KNOWN, offset: 0 }, { mbid: KNOWN, offset: 0 }, { mbid: KNOWN, offset: 7 }]);
    expect(pythonUuid(`{urn:uuid:${upper}}`)).toBe(TWICE);
    expect(pythonUuid('not-a-uuid')).toBeUndefined();
  });

  it('refuses what the server refuses, with its messages', async () => {
    const server = await fake();
    const many = Array.from({ length: 26 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`).join(';');
    expect(await ask(server, many)).toMatchObject({ status: 400, body: { message: 'More than 25 recordings not allowed per request' } });
    expect(await ask(server, many.split(';').slice(0, 25).join(';'))).toMatchObject({ status: 200 });
    expect(await ask(server, null)).toMatchObject({ status: 400, body: { message: 'Missing `recording_ids` parameter' } });
    expect(await ask(server, 'nope')).toMatchObject({ status: 400, body: { message: '\'nope\' is not a valid UUID' } });
    expect(await ask(server, `${KNOWN}:1:2`)).toMatchObject({ status: 400, body: { message: `More than 1 colon (:) in '${KNOWN}:1:2'` } });
    expect(await ask(server, ';;')).toMatchObject({ status: 500, body: { message: 'An unknown error occurred' } });
    const elsewhere = await fetch(`${server.url}/api/v1/${KNOWN}/low-level`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toEqual({ message: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.' });
  });

  it('counts every request in fixed windows aligned to the epoch, says so in X-RateLimit-* on every answer, and refuses past the limit', async () => {
    let now = Date.parse('2026-12-07T10:00:03.500Z');
    const server = await fake({ rateLimit: { perWindow: 2, windowSeconds: 10 }, now: () => now });
    const limits = (headers: Headers) => ['limit', 'remaining', 'reset-in', 'reset'].map((name) => headers.get(`x-ratelimit-${name}`));
    const reset = String(Date.parse('2026-12-07T10:00:10Z') / 1000);
    expect(limits((await ask(server, KNOWN)).headers)).toEqual(['2', '1', '7', reset]);
    expect(limits((await ask(server, KNOWN)).headers)).toEqual(['2', '0', '7', reset]);
    const refused = await ask(server, KNOWN);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ message: 'You have exceeded your rate limit. See the X-RateLimit-* response headers for more information on your current rate limit.' });
    expect(limits(refused.headers)).toEqual(['2', '0', '7', reset]);
    // The refused request counted too; the next window starts afresh.
    now = Date.parse('2026-12-07T10:00:10.000Z');
    expect(limits((await ask(server, KNOWN)).headers)).toEqual(['2', '1', '10', String(Date.parse('2026-12-07T10:00:20Z') / 1000)]);
  });

  it('misbehaves as told: 429 with its headers, a proxy\'s 503, 5xx, half a JSON, a hang; and answers 404 everywhere once gone', async () => {
    const server = await fake();
    server.misbehave({ kind: 'rate-limited', resetInSeconds: 4 });
    const limited = await ask(server, KNOWN);
    expect([limited.status, limited.headers.get('x-ratelimit-remaining'), limited.headers.get('x-ratelimit-reset-in')]).toEqual([429, '0', '4']);
    server.misbehave({ kind: 'overloaded', retryAfterSeconds: 3 });
    const overloaded = await ask(server, KNOWN);
    expect([overloaded.status, overloaded.headers.get('retry-after'), overloaded.headers.get('x-ratelimit-remaining')]).toEqual([503, '3', null]);
    server.misbehave({ kind: 'error', status: 502 });
    expect(await ask(server, KNOWN)).toMatchObject({ status: 502, body: { message: 'An unknown error occurred' } });
    server.misbehave({ kind: 'bad-json' });
    const half = await ask(server, KNOWN);
    expect(half.status).toBe(200);
    expect(typeof half.body).toBe('string');
    expect(await ask(server, KNOWN)).toMatchObject({ status: 200, body: { [KNOWN]: { 0: first } } });

    server.misbehave({ kind: 'hang' });
    const hanging = fetch(`${server.url}/api/v1/high-level?recording_ids=${KNOWN}`, { signal: AbortSignal.timeout(300) });
    await expect(hanging).rejects.toThrow();
    expect(server.log.at(-1)!.status).toBe(0);

    server.setGone(true);
    const gone = await ask(server, KNOWN);
    expect([gone.status, gone.headers.get('content-type'), gone.headers.get('x-ratelimit-remaining')]).toEqual([404, 'text/html', null]);
    server.setGone(false);
    expect((await ask(server, KNOWN)).status).toBe(200);
  });

  it('holds its answers until told, logging the requests as they arrive', async () => {
    const server = await fake();
    const release = server.holdAnswers();
    const answer = ask(server, KNOWN);
    await expect.poll(() => server.log.length).toBe(1);
    expect(server.log[0]!.status).toBe(0);
    release();
    expect((await answer).status).toBe(200);
    expect(server.log[0]!.status).toBe(200);
  });
});
