/** The fake AcoustID and MusicBrainz, asked over real HTTP the way the identification clients will ask them. */
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServices, type FakeArtist, type FakeCatalogue, type FakeServices } from './fake-identification-services.js';

/** A readable uuid: `prefix` says what it names (a1 artist, b1 recording, c1 release, d1 release group, e1 AcoustID track, f1 work). */
const id = (prefix: string, n: number): string => `${prefix}000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const ONE: FakeArtist = { mbid: id('a1', 1), name: 'Artist One' };
const TWO: FakeArtist = { mbid: id('a1', 2), name: 'Artist Two' };
const VARIOUS: FakeArtist = { mbid: id('a1', 3), name: 'Various Artists' };
const FIRST = id('b1', 1);
const SECOND = id('b1', 2);
const SECOND_UNDESCRIBED = id('b1', 3);
const BUSY = id('b1', 4);
const LONER = id('b1', 5);
const MERGED_AWAY = id('b1', 99);
const ALBUM = id('c1', 1);
const HITS = id('c1', 2);

const catalogue: FakeCatalogue = {
  recordings: [
    {
      mbid: FIRST, title: 'First Song', lengthMs: 215_000, artists: [{ ...ONE, joinphrase: ' feat. ' }, TWO],
      works: [{ mbid: id('f1', 1), title: 'First Song' }], fingerprint: 'AQABfirst', acoustId: id('e1', 1), score: 0.97, sources: 12,
    },
    { mbid: SECOND, title: 'Second Song', lengthMs: 180_500, artists: [ONE], works: [], fingerprint: 'AQABsecond', acoustId: id('e1', 2) },
    // The same AcoustID track linked to a second recording that AcoustID's MusicBrainz mirror lacks.
    { mbid: SECOND_UNDESCRIBED, title: 'Second Song', lengthMs: 180_000, artists: [ONE], works: [], fingerprint: 'AQABsecond', acoustId: id('e1', 2), hasMetadata: false },
    { mbid: BUSY, title: 'Everywhere', lengthMs: 200_000, artists: [TWO], works: [], fingerprint: 'AQABbusy', acoustId: id('e1', 4) },
    { mbid: LONER, title: 'Unreleased', lengthMs: 100_000, artists: [TWO], works: [], fingerprint: 'AQABloner', acoustId: id('e1', 5) },
  ],
  releases: [
    {
      mbid: ALBUM, title: 'Album One', date: '2001-07-04', status: 'Official', country: 'GB',
      releaseGroup: { mbid: id('d1', 1), title: 'Album One', primaryType: 'Album', secondaryTypes: [] },
      artists: [ONE], tracks: [{ recordingMbid: FIRST }, { recordingMbid: SECOND }],
    },
    {
      mbid: HITS, title: 'Hits', date: '2005-03', status: 'Official', country: 'XE',
      releaseGroup: { mbid: id('d1', 2), title: 'Hits', primaryType: 'Album', secondaryTypes: ['Compilation'] },
      artists: [VARIOUS], tracks: [{ recordingMbid: SECOND }, { recordingMbid: FIRST, title: 'First Song (radio edit)' }],
    },
    // 30 singles of BUSY, the last undated; dated in the reverse of their order here, so sorting shows.
    ...Array.from({ length: 30 }, (_, i) => ({
      mbid: id('c1', 100 + i), title: `Busy ${i}`, date: i === 29 ? null : String(2030 - i), status: 'Bootleg' as const, country: null,
      releaseGroup: { mbid: id('d1', 100 + i), title: `Busy ${i}`, primaryType: 'Single' as const, secondaryTypes: [] },
      artists: [TWO], tracks: [{ recordingMbid: BUSY }],
    })),
  ],
  mergedRecordings: { [MERGED_AWAY]: FIRST },
};

const UUID = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const USER_AGENT = 'wkmp-ai-test/0.1 ( https://example.invalid/wkmp-ai )';
const FULL_META = 'recordings releasegroups releases tracks compress sources';

let fake: FakeServices;
beforeAll(async () => { fake = await startFakeServices({ catalogue }); });
afterAll(async () => { await fake.close(); });

function lookup(fields: Record<string, string>, services = fake): Promise<Response> {
  return fetch(`${services.acoustIdUrl}/lookup`, { method: 'POST', body: new URLSearchParams({ client: 'test-key', format: 'json', ...fields }) });
}

function musicBrainz(path: string, init: RequestInit = {}, services = fake): Promise<Response> {
  return fetch(`${services.musicBrainzUrl}${path}`, { ...init, headers: { 'User-Agent': USER_AGENT, ...init.headers } });
}

/** An AcoustID artist as the lookup lists it: `joinphrase` only when there is one. */
const acoustIdArtist = ({ mbid, name, joinphrase }: FakeArtist): object => ({ id: mbid, name, ...(joinphrase ? { joinphrase } : {}) });
const FIRST_ARTISTS = [acoustIdArtist({ ...ONE, joinphrase: ' feat. ' }), acoustIdArtist(TWO)];

/** A MusicBrainz artist-credit entry. */
const credit = ({ mbid, name }: FakeArtist, joinphrase = ''): object => ({
  name, joinphrase, artist: { id: mbid, name, 'sort-name': name, disambiguation: '', type: null, 'type-id': null, country: null },
});

describe('AcoustID lookup', () => {
  it('answers one result per AcoustID track, with what meta asks for, compress leaving out what the parent already says', async () => {
    const res = await lookup({ duration: '215', fingerprint: 'AQABfirst', meta: FULL_META });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      results: [{
        id: id('e1', 1), score: 0.97,
        recordings: [{
          id: FIRST, sources: 12, title: 'First Song', duration: 215, artists: FIRST_ARTISTS,
          releasegroups: [
            {
              // The release's title and artists are its group's, the track's title its recording's: all left out.
              id: id('d1', 1), title: 'Album One', type: 'Album', artists: [acoustIdArtist(ONE)],
              releases: [{
                id: ALBUM, medium_count: 1, track_count: 2, country: 'GB', date: { year: 2001, month: 7, day: 4 },
                releaseevents: [{ country: 'GB', date: { year: 2001, month: 7, day: 4 } }],
                mediums: [{ position: 1, track_count: 2, tracks: [{ id: UUID, position: 1, artists: FIRST_ARTISTS }] }],
              }],
            },
            {
              id: id('d1', 2), title: 'Hits', type: 'Album', secondarytypes: ['Compilation'], artists: [acoustIdArtist(VARIOUS)],
              releases: [{
                id: HITS, medium_count: 1, track_count: 2, country: 'XE', date: { year: 2005, month: 3 },
                releaseevents: [{ country: 'XE', date: { year: 2005, month: 3 } }],
                mediums: [{ position: 1, track_count: 2, tracks: [{ id: UUID, position: 2, title: 'First Song (radio edit)', artists: FIRST_ARTISTS }] }],
              }],
            },
          ],
        }],
      }],
    });
  });

  it('lists every recording of the track, one missing from the mirror by its id alone, and compares artists as the real server does', async () => {
    const res = await lookup({ duration: '180', fingerprint: 'AQABsecond', meta: 'recordings releasegroups releases tracks compress' });
    const secondOn = (release: string, position: number, track: object): object => ({
      id: release, medium_count: 1, track_count: 2, mediums: [{ position: 1, track_count: 2, tracks: [{ id: UUID, position, ...track }] }],
    });
    expect(await res.json()).toMatchObject({
      results: [{
        id: id('e1', 2), score: 0.95,
        recordings: [
          {
            id: SECOND, title: 'Second Song', duration: 180.5, artists: [acoustIdArtist(ONE)],
            releasegroups: [
              // Only the last group's artists are compared with the recording's, so this group keeps its equal ones.
              { id: id('d1', 1), artists: [acoustIdArtist(ONE)], releases: [secondOn(ALBUM, 2, {})] },
              // The release's artists are left out as its group's; the track's still differ from the release's (read before that).
              { id: id('d1', 2), artists: [acoustIdArtist(VARIOUS)], releases: [secondOn(HITS, 1, { artists: [acoustIdArtist(ONE)] })] },
            ],
          },
          { id: SECOND_UNDESCRIBED },
        ],
      }],
    });
    const [result] = (await (await lookup({ duration: '180', fingerprint: 'AQABsecond', meta: 'recordings' })).json() as AcoustIdReply).results;
    expect(result?.recordings?.[1]).toEqual({ id: SECOND_UNDESCRIBED });
  });

  it('describes a recording on no release only while no release is asked for', async () => {
    const alone = await (await lookup({ duration: '100', fingerprint: 'AQABloner', meta: 'recordings' })).json();
    expect(alone).toEqual({ status: 'ok', results: [{ id: id('e1', 5), score: 0.95, recordings: [{ id: LONER, title: 'Unreleased', duration: 100, artists: [acoustIdArtist(TWO)] }] }] });
    const withGroups = await (await lookup({ duration: '100', fingerprint: 'AQABloner', meta: 'recordings releasegroups' })).json();
    expect(withGroups).toEqual({ status: 'ok', results: [{ id: id('e1', 5), score: 0.95, recordings: [{ id: LONER }] }] });
  });

  it('answers a batch per index, an unknown fingerprint with no result, and drops an entry whose duration is not an integer', async () => {
    const res = await lookup({
      batch: '1', meta: 'recordingids',
      'fingerprint.0': 'AQABfirst', 'duration.0': '215',
      'fingerprint.1': 'AQABunknown', 'duration.1': '100',
      'fingerprint.2': 'AQABsecond', 'duration.2': '180.5',
      'fingerprint.3': 'AQABloner', 'duration.3': '100',
    });
    expect(await res.json()).toEqual({
      status: 'ok',
      fingerprints: [
        { index: 0, results: [{ id: id('e1', 1), score: 0.97, recordings: [{ id: FIRST }] }] },
        { index: 1, results: [] },
        { index: 3, results: [{ id: id('e1', 5), score: 0.95, recordings: [{ id: LONER }] }] },
      ],
    });
    expect(fake.log.at(-1)).toMatchObject({ service: 'acoustid', method: 'POST', path: '/v2/lookup', status: 200, fingerprints: 4 });
  });

  it('reports a single lookup whose duration is a float as missing it, also asked by GET', async () => {
    const query = new URLSearchParams({ client: 'test-key', duration: '215.5', fingerprint: 'AQABfirst' });
    const res = await fetch(`${fake.acoustIdUrl}/lookup?${query}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ status: 'error', error: { code: 2, message: 'missing required parameter "duration"' } });
  });

  it('accepts a gzip-compressed form body', async () => {
    const body = gzipSync(new URLSearchParams({ client: 'test-key', duration: '215', fingerprint: 'AQABfirst' }).toString());
    const res = await fetch(`${fake.acoustIdUrl}/lookup`, {
      method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'gzip' },
    });
    expect(await res.json()).toEqual({ status: 'ok', results: [{ id: id('e1', 1), score: 0.97 }] });
  });

  it('refuses an unknown API key with HTTP 400, code 4', async () => {
    const res = await lookup({ client: 'not-a-key', duration: '215', fingerprint: 'AQABfirst' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ status: 'error', error: { code: 4, message: 'invalid API key' } });
  });

  it('answers a batch larger than maxBatch, or a too-large misbehaviour, with HTTP 413, code 19', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [[`fingerprint.${i}`, 'AQABfirst'], [`duration.${i}`, '215']]).flat());
    const res = await lookup({ batch: '1', ...tooMany });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ status: 'error', error: { code: 19, message: 'request too large' } });

    fake.misbehave('acoustid', { kind: 'too-large' });
    const refused = await lookup({ duration: '215', fingerprint: 'AQABfirst' });
    expect([refused.status, await refused.json()]).toEqual([413, { status: 'error', error: { code: 19, message: 'request too large' } }]);
    expect((await lookup({ duration: '215', fingerprint: 'AQABfirst' })).status).toBe(200);
  });

  it('misbehaves as asked the next `times` requests, then answers again', async () => {
    fake.misbehave('acoustid', { kind: 'rate-limited', retryAfterSeconds: 2 });
    fake.misbehave('acoustid', { kind: 'unavailable' }, 2);
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const res = await lookup({ duration: '215', fingerprint: 'AQABfirst' });
      answers.push({ status: res.status, retryAfter: res.headers.get('retry-after'), code: (await res.json() as AcoustIdReply).error?.code });
    }
    expect(answers).toEqual([
      { status: 429, retryAfter: '2', code: 14 },
      { status: 503, retryAfter: null, code: 13 },
      { status: 503, retryAfter: null, code: 13 },
      { status: 200, retryAfter: null, code: undefined },
    ]);
  });

  it('answers bad-json with a 200 whose body is cut short', async () => {
    fake.misbehave('acoustid', { kind: 'bad-json' });
    const res = await lookup({ duration: '215', fingerprint: 'AQABfirst' });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });
});

describe('MusicBrainz lookups', () => {
  it('answers a release lookup with its tracks, recordings, artist credits, work relations and release group', async () => {
    const res = await musicBrainz(`/release/${ALBUM}?inc=artist-credits+recordings+release-groups+recording-level-rels+work-rels&fmt=json`);
    expect(res.status).toBe(200);
    const recording = (mbid: string, title: string, length: number, artistCredit: object[], relations: object[]): object => ({
      id: mbid, title, length, disambiguation: '', video: false, 'first-release-date': '2001-07-04', 'artist-credit': artistCredit, relations,
    });
    const firstCredit = [credit(ONE, ' feat. '), credit(TWO)];
    expect(await res.json()).toEqual({
      id: ALBUM, title: 'Album One', status: 'Official', 'status-id': '4e304316-386d-3409-af2e-78857eec5cfe', quality: 'normal',
      disambiguation: '', packaging: null, 'packaging-id': null, 'text-representation': { language: null, script: null },
      barcode: null, asin: null, 'cover-art-archive': { artwork: false, count: 0, front: false, back: false, darkened: false },
      date: '2001-07-04', country: 'GB',
      'release-events': [{ date: '2001-07-04', area: { id: UUID, name: 'GB', 'sort-name': 'GB', disambiguation: '', 'iso-3166-1-codes': ['GB'], type: null, 'type-id': null } }],
      'artist-credit': [credit(ONE)],
      'release-group': {
        id: id('d1', 1), title: 'Album One', 'primary-type': 'Album', 'primary-type-id': 'f529b476-6e62-324f-b0aa-1f3e33d313fc',
        'secondary-types': [], 'secondary-type-ids': [], 'first-release-date': '2001-07-04', disambiguation: '', 'artist-credit': [credit(ONE)],
      },
      relations: [],
      media: [{
        id: UUID, position: 1, title: '', format: null, 'format-id': null, 'track-count': 2, 'track-offset': 0,
        tracks: [
          {
            id: UUID, number: '1', position: 1, title: 'First Song', length: 215_000, 'artist-credit': firstCredit,
            recording: recording(FIRST, 'First Song', 215_000, firstCredit, [{
              type: 'performance', 'type-id': 'a3005666-a872-32c3-ad06-98af558e99b0', direction: 'forward', begin: null, end: null, ended: false,
              attributes: [], 'attribute-ids': {}, 'attribute-values': {}, 'target-type': 'work', 'source-credit': '', 'target-credit': '',
              work: { id: id('f1', 1), title: 'First Song', disambiguation: '', iswcs: [], attributes: [], languages: [], language: null, type: null, 'type-id': null },
            }]),
          },
          {
            id: UUID, number: '2', position: 2, title: 'Second Song', length: 180_500, 'artist-credit': [credit(ONE)],
            recording: recording(SECOND, 'Second Song', 180_500, [credit(ONE)], []),
          },
        ],
      }],
    });
  });

  it('gives a compilation its secondary types, and each track the id AcoustID gives it', async () => {
    const release = await (await musicBrainz(`/release/${HITS}?inc=recordings+release-groups&fmt=json`)).json() as MusicBrainzRelease;
    expect(release['release-group']).toMatchObject({ 'secondary-types': ['Compilation'], 'secondary-type-ids': ['dd2a21e1-0c00-3729-a7a0-de60b84eb5d1'] });
    expect(release.media[0]?.tracks[1]).toMatchObject({ position: 2, title: 'First Song (radio edit)', recording: { id: FIRST, title: 'First Song' } });

    const reply = await (await lookup({ duration: '215', fingerprint: 'AQABfirst', meta: FULL_META })).json() as AcoustIdReply;
    const onHits = reply.results[0]?.recordings?.[0]?.releasegroups?.[1]?.releases?.[0]?.mediums?.[0]?.tracks[0];
    expect(onHits?.id).toBe(release.media[0]?.tracks[1]?.id);
  });

  it('lists at most 25 of a recording\'s releases, earliest first, the undated last', async () => {
    const res = await musicBrainz(`/recording/${BUSY}?inc=artist-credits+releases+release-groups+work-rels&fmt=json`);
    const recording = await res.json() as MusicBrainzRecording;
    expect(recording).toMatchObject({ id: BUSY, title: 'Everywhere', length: 200_000, 'first-release-date': '2002', 'artist-credit': [credit(TWO)], relations: [] });
    expect(recording.releases.map((release) => release.title)).toEqual(Array.from({ length: 25 }, (_, i) => `Busy ${28 - i}`));
    expect(recording.releases[0]).toEqual({
      id: id('c1', 128), title: 'Busy 28', status: 'Bootleg', 'status-id': '1156806e-d06a-38bd-83f0-cf2284a808b9', quality: 'normal',
      disambiguation: '', packaging: null, 'packaging-id': null, 'text-representation': { language: null, script: null }, barcode: null,
      date: '2002', country: null, 'release-events': [{ date: '2002', area: null }], 'artist-credit': [credit(TWO)],
      'release-group': {
        id: id('d1', 128), title: 'Busy 28', 'primary-type': 'Single', 'primary-type-id': 'd6038452-8ee0-3f68-affc-2de9a1ede0b9',
        'secondary-types': [], 'secondary-type-ids': [], 'first-release-date': '2002', disambiguation: '', 'artist-credit': [credit(TWO)], releases: [],
      },
    });
  });

  it('gives each release of a recording lookup with inc=media the medium with that recording\'s track alone', async () => {
    const recording = await (await musicBrainz(`/recording/${FIRST}?inc=releases+media&fmt=json`)).json() as MusicBrainzRecording;
    expect(recording.releases.map(({ title, media }) => ({ title, media }))).toEqual([
      { title: 'Album One', media: [expect.objectContaining({ 'track-count': 2, 'track-offset': 0, tracks: [expect.objectContaining({ position: 1, title: 'First Song' })] })] },
      { title: 'Hits', media: [expect.objectContaining({ 'track-count': 2, 'track-offset': 1, tracks: [expect.objectContaining({ position: 2, title: 'First Song (radio edit)' })] })] },
    ]);
  });

  it('answers a merged recording MBID with a 301 to the current one, which a following client reads as the current entity', async () => {
    const path = `/recording/${MERGED_AWAY}?inc=work-rels&fmt=json`;
    const moved = await musicBrainz(path, { redirect: 'manual' });
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe(`${fake.musicBrainzUrl}/recording/${FIRST}?inc=work-rels&fmt=json`);
    expect(await moved.json()).toMatchObject({ id: FIRST });

    const followed = await musicBrainz(path);
    expect([followed.status, (await followed.json() as MusicBrainzRecording).id]).toEqual([200, FIRST]);
    expect(fake.log.slice(-2).map(({ status, mbid }) => ({ status, mbid }))).toEqual([{ status: 301, mbid: MERGED_AWAY }, { status: 200, mbid: FIRST }]);
  });

  it('answers MusicBrainz\'s error bodies: 404, an invalid inc, no User-Agent, rate limiting', async () => {
    const help = 'For usage, please see: https://musicbrainz.org/development/mmd';
    const missing = await musicBrainz(`/release/${id('c1', 999)}?fmt=json`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'Not Found', help }]);

    const badInc = await musicBrainz(`/release/${ALBUM}?inc=release-events&fmt=json`);
    expect([badInc.status, await badInc.json()]).toEqual([400, { error: 'release-events is not a valid inc parameter for the release resource.', help }]);

    // fetch's own User-Agent, "node", names no application.
    expect((await fetch(`${fake.musicBrainzUrl}/release/${ALBUM}?fmt=json`)).status).toBe(403);

    fake.misbehave('musicbrainz', { kind: 'rate-limited', retryAfterSeconds: 1 });
    const limited = await musicBrainz(`/release/${ALBUM}?fmt=json`);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([503, '1']);
    expect(await limited.json()).toMatchObject({ error: expect.stringContaining('exceeding the allowable rate limit') });
    expect((await musicBrainz(`/release/${ALBUM}?fmt=json`)).status).toBe(200);
  });
});

describe('the request log', () => {
  it('records every request on arrival, in arrival order', async () => {
    const services = await startFakeServices({ catalogue, latencyMs: 20 });
    try {
      const started = performance.now();
      await Promise.all([
        musicBrainz(`/release/${ALBUM}?fmt=json`, {}, services),
        musicBrainz(`/release/${HITS}?fmt=json`, {}, services),
        musicBrainz(`/release/${id('c1', 999)}?fmt=json`, {}, services),
        lookup({ duration: '215', fingerprint: 'AQABfirst' }, services),
      ]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(19);
      await delay(300);
      await musicBrainz(`/recording/${FIRST}?fmt=json`, {}, services);

      expect(services.log).toHaveLength(5);
      expect(services.log.filter((entry) => entry.service === 'musicbrainz').map(({ method, path, status, entity, mbid }) => ({ method, path, status, entity, mbid })))
        .toEqual(expect.arrayContaining([
          { method: 'GET', path: `/ws/2/release/${ALBUM}`, status: 200, entity: 'release', mbid: ALBUM },
          { method: 'GET', path: `/ws/2/release/${id('c1', 999)}`, status: 404, entity: 'release', mbid: id('c1', 999) },
          { method: 'GET', path: `/ws/2/recording/${FIRST}`, status: 200, entity: 'recording', mbid: FIRST },
        ]));
      expect(services.log.find((entry) => entry.service === 'acoustid')).toMatchObject({ method: 'POST', path: '/v2/lookup', status: 200, fingerprints: 1 });
      expect(services.log.map((entry) => entry.at)).toEqual([...services.log.map((entry) => entry.at)].sort((a, b) => a - b));
    } finally {
      await services.close();
    }
  });

  it('holds the answers of one service until the test lets them go, logging the requests as they arrive', async () => {
    const services = await startFakeServices({ catalogue });
    try {
      const release = services.holdAnswers('musicbrainz');
      let answered = false;
      const held = musicBrainz(`/release/${ALBUM}?fmt=json`, {}, services).then((reply) => { answered = true; return reply; });
      // AcoustID is not held.
      expect((await lookup({ duration: '215', fingerprint: 'AQABfirst' }, services)).status).toBe(200);
      while (!services.log.some((entry) => entry.service === 'musicbrainz')) await delay(5);
      expect(services.log.find((entry) => entry.service === 'musicbrainz')).toMatchObject({ status: 0, mbid: ALBUM });
      expect(answered).toBe(false);
      release();
      expect((await held).status).toBe(200);
      expect(services.log.find((entry) => entry.service === 'musicbrainz')!.status).toBe(200);
    } finally {
      await services.close();
    }
  });

  it('leaves a hanging request unanswered until close(), which ends it', async () => {
    const services = await startFakeServices({ catalogue });
    services.misbehave('acoustid', { kind: 'hang' });
    const hanging = lookup({ duration: '215', fingerprint: 'AQABfirst' }, services);
    while (services.log.length === 0) await delay(5);
    await delay(50);
    await services.close();
    await expect(hanging).rejects.toThrow();
    expect(services.log[0]).toMatchObject({ service: 'acoustid', status: 0, fingerprints: 1 });
  });
});

/** The parts of the replies these tests read by hand. */
interface AcoustIdReply {
  results: { recordings?: { id: string; releasegroups?: { releases?: { mediums?: { tracks: { id: string }[] }[] }[] }[] }[] }[];
  error?: { code: number };
}
interface MusicBrainzRelease { 'release-group': object; media: { tracks: { id: string }[] }[] }
interface MusicBrainzRecording { id: string; releases: { title: string; media?: object[] }[] }
