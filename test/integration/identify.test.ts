/**
 * The identification queue against the fake AcoustID and MusicBrainz (real HTTP on 127.0.0.1, their
 * real shapes), on real SQLite files: what it writes, how few requests it spends, how it paces
 * them, and what it does when the services misbehave. Costs are read from the fake's own log.
 */
import { storeSettings } from '../../src/db/queries/settings.js';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { identifyDatabase } from '../../src/cli/identify.js';
import { IdentificationRunner } from '../../src/server/identification-runner.js';
import { settingOf } from '../../src/config/settings.js';
import { openWkmpDatabase, type WkmpDatabase } from '../../src/db/setup.js';
import { secondsToTicks } from '../../src/file-record.js';
import { runIdentificationQueue, type IdentificationServices } from '../../src/identify/queue.js';
import { ServiceError } from '../../src/queue/http.js';
import { lookUp, parseRecording, parseRelease } from '../../src/identify/musicbrainz.js';
import { SharedPace } from '../../src/queue/pace.js';
import { JumpingClock, ManualClock } from '../support/clocks.js';
import { startFakeServices, type FakeServices, type Service } from '../support/fake-identification-services.js';
import { makeLibrary, recordLibrary, settingsFor, uuidOf, type TestLibrary } from '../support/identify-library.js';
import { setSettings } from './db-helpers.js';
import { fixtures, spawnCli, tempFolder, waitFor } from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function fake(library: TestLibrary, options: { latencyMs?: number } = {}): Promise<FakeServices> {
  const services = await startFakeServices({ catalogue: library.catalogue, ...options });
  open.push(services);
  return services;
}

async function database(library: TestLibrary): Promise<{ db: WkmpDatabase; path: string }> {
  const path = join(tempFolder(), 'wkmp.db');
  const db = openWkmpDatabase(path);
  open.push(db);
  await recordLibrary(db, library.records);
  return { db, path };
}

/** The starts each service's pace granted (epoch ms), as it decided them. */
type Turns = Record<Service, number[]>;

/**
 * The services at the fake, their paces kept in `db` as wkmp-ai keeps them; unpaced unless told.
 * `turns` collects every start each pace granted.
 */
function servicesAt(
  fakeServices: FakeServices, db: WkmpDatabase,
  options: { key?: string | null; acoustIdMs?: number; musicBrainzMs?: number; clock?: JumpingClock; turns?: Turns } = {},
): IdentificationServices {
  const key = options.key === undefined ? 'test-key' : options.key;
  const pace = (service: Service) => ({
    ...(options.clock === undefined ? {} : { clock: options.clock }), onTurn: (start: number) => options.turns?.[service].push(start),
  });
  return {
    acoustId: key === null ? null : { baseUrl: fakeServices.acoustIdUrl, key, pacer: new SharedPace(db, fakeServices.acoustIdUrl, options.acoustIdMs ?? 0, pace('acoustid')) },
    musicBrainz: {
      baseUrl: fakeServices.musicBrainzUrl, userAgent: 'wkmp-ai/test ( tests@example.org )',
      pacer: new SharedPace(db, fakeServices.musicBrainzUrl, options.musicBrainzMs ?? 0, pace('musicbrainz')),
    },
    cacheTtlDays: 90,
  };
}

/** The gaps between consecutive starts, in order. */
function gaps(starts: readonly number[]): number[] {
  const sorted = [...starts].sort((a, b) => a - b);
  return sorted.slice(1).map((start, i) => start - sorted[i]!);
}

function requests(fakeServices: FakeServices, service: Service): number {
  return fakeServices.log.filter((entry) => entry.service === service).length;
}

interface Identified {
  passage: string;
  recording: string;
  album: string | null;
  state: string;
}

function identified(path: string): Identified[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`
      SELECT j.passage_id AS passage, s.recording_mbid AS recording, a.album_mbid AS album, j.state
      FROM wkmp_ai_identification_jobs j
      LEFT JOIN passage_songs ps ON ps.passage_id = j.passage_id LEFT JOIN songs s ON s.guid = ps.song_id
      LEFT JOIN passage_albums pa ON pa.passage_id = j.passage_id LEFT JOIN albums a ON a.guid = pa.album_id
      ORDER BY j.passage_id`).all() as Identified[];
  } finally {
    db.close();
  }
}

function jobStates(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT state, count(*) AS n FROM wkmp_ai_identification_jobs GROUP BY state').all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  } finally {
    db.close();
  }
}

describe('the identification queue', () => {
  it('identifies a 12-track album with 2 AcoustID requests and 1 MusicBrainz request, and a second run asks nothing', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 12, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary.finished).toEqual({ done: 12, noMatch: 0, failed: 0 });
    expect([requests(services, 'acoustid'), requests(services, 'musicbrainz')]).toEqual([2, 1]);
    expect(services.log.filter((e) => e.service === 'acoustid').map((e) => e.fingerprints)).toEqual([10, 2]);
    expect(services.log.find((e) => e.service === 'musicbrainz')).toMatchObject({ entity: 'release', mbid: library.catalogue.releases[0]!.mbid });
    for (const row of identified(path)) {
      expect(row).toEqual({ passage: row.passage, recording: library.expected.get(row.passage)!.recordingMbid, album: library.expected.get(row.passage)!.releaseMbid, state: 'done' });
    }
    const check = new Database(path, { readonly: true });
    try {
      // the first track's two works, and artist credits that share 1 per song
      expect(check.prepare('SELECT count(*) AS n FROM song_works').get()).toEqual({ n: 2 });
      expect(check.prepare('SELECT count(*) AS n FROM songs WHERE work_id IS NOT NULL').get()).toEqual({ n: 1 });
      expect(check.prepare('SELECT min(total) AS low, max(total) AS high FROM (SELECT sum(weight) AS total FROM song_artists GROUP BY song_id)').get()).toEqual({ low: 1, high: 1 });
      expect(check.prepare('SELECT title, release_date AS date FROM albums').all()).toEqual([{ title: 'Album 0', date: '1970-03-01' }]);
      expect(check.prepare('SELECT count(DISTINCT acoustid_id) AS n FROM wkmp_ai_identification_jobs').get()).toEqual({ n: 12 });
    } finally {
      check.close();
    }

    // The files recorded again (re-analysed): their passages wait again, and the caches answer.
    await recordLibrary(db, library.records.map((record) => ({ ...record, change: 'changed' as const })));
    expect(jobStates(path)).toEqual({ waiting: 12 });
    const again = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(again.finished.done).toBe(12);
    expect(again.requests).toEqual({ acoustId: 0, musicBrainz: 0 });
    expect(services.log).toHaveLength(3);
  });

  it('chooses the original album over a later compilation holding the same recordings, and asks MusicBrainz for it alone', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 12, singles: 0 });
    const original = library.catalogue.releases[0]!;
    const compilation = {
      ...original, mbid: uuidOf('various artists compilation'), title: 'Greatest Hits of Everyone', date: '2010-06-01', artists: [{ mbid: uuidOf('various artists'), name: 'Various Artists' }],
      releaseGroup: { mbid: uuidOf('compilation group'), title: 'Greatest Hits of Everyone', primaryType: 'Album' as const, secondaryTypes: ['Compilation'] },
      tracks: [...original.tracks].reverse(),
    };
    const services = await fake({ ...library, catalogue: { ...library.catalogue, releases: [compilation, original] } });
    const { db, path } = await database(library);
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary.finished.done).toBe(12);
    expect(services.log.filter((e) => e.service === 'musicbrainz').map((e) => e.mbid)).toEqual([original.mbid]);
    expect(new Set(identified(path).map((row) => row.album))).toEqual(new Set([original.mbid]));
  });

  it('identifies a single AcoustID knows only by its id with one recording lookup, and stops at --limit', async () => {
    const library = makeLibrary({ albums: 0, tracksPerAlbum: 0, singles: 3 });
    const bare = library.catalogue.recordings.map((recording) => ({ ...recording, hasMetadata: false }));
    const services = await fake({ ...library, catalogue: { ...library.catalogue, recordings: bare } });
    const { db, path } = await database(library);
    const first = await runIdentificationQueue({ db, services: servicesAt(services, db), limit: 2 });
    expect(first.finished.done).toBe(2);
    expect(first.counts).toMatchObject({ waiting: 1, done: 2 });
    // No release to share: each costs a recording lookup, which names its album too.
    expect(services.log.filter((e) => e.service === 'musicbrainz').map((e) => e.entity)).toEqual(['recording', 'recording']);
    const rest = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(rest.finished.done).toBe(1);
    for (const row of identified(path)) expect(row).toMatchObject({ recording: library.expected.get(row.passage)!.recordingMbid, album: library.expected.get(row.passage)!.releaseMbid });
  });

  it('takes the official release over an earlier bootleg of the same recordings, asking MusicBrainz for both', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 6, singles: 0 });
    const official = library.catalogue.releases[0]!;
    const bootleg = { ...official, mbid: uuidOf('bootleg'), title: 'Live Somewhere', date: '1969-01-01', status: 'Bootleg' as const, releaseGroup: { ...official.releaseGroup, mbid: uuidOf('bootleg group') } };
    const services = await fake({ ...library, catalogue: { ...library.catalogue, releases: [bootleg, official] } });
    const { db, path } = await database(library);
    expect((await runIdentificationQueue({ db, services: servicesAt(services, db) })).finished.done).toBe(6);
    expect(services.log.filter((e) => e.service === 'musicbrainz').map((e) => e.mbid)).toEqual([bootleg.mbid, official.mbid]);
    expect(new Set(identified(path).map((row) => row.album))).toEqual(new Set([official.mbid]));
  });

  it('asks each service only at the turns its pace grants, 400 ms apart for AcoustID and 1100 ms for MusicBrainz, as the settings default', async () => {
    const library = makeLibrary({ albums: 3, tracksPerAlbum: 8, singles: 2 });
    const services = await fake(library);
    const { db } = await database(library);
    // The paces' decisions are what is asserted: a clock that jumps to each start keeps them, however slow the machine.
    const clock = new JumpingClock();
    const turns: Turns = { acoustid: [], musicbrainz: [] };
    const paced = servicesAt(services, db, {
      acoustIdMs: settingOf('acoustid_min_interval_ms').defaultValue(), musicBrainzMs: settingOf('musicbrainz_min_interval_ms').defaultValue(), clock, turns,
    });
    const summary = await runIdentificationQueue({ db, services: paced, clock });
    expect(summary.finished.done).toBe(library.records.length);
    // One turn per request, every request at its turn.
    expect(turns.acoustid).toHaveLength(requests(services, 'acoustid'));
    expect(turns.musicbrainz).toHaveLength(requests(services, 'musicbrainz'));
    expect(turns.musicbrainz.length).toBeGreaterThan(3);
    expect(Math.min(...gaps(turns.acoustid))).toBeGreaterThanOrEqual(400);
    expect(Math.min(...gaps(turns.musicbrainz))).toBeGreaterThanOrEqual(1100);
  });

  it('keeps one pace for every process on the database: a service\'s turns never come closer than its interval, whoever books them', async () => {
    const library = makeLibrary({ albums: 0, tracksPerAlbum: 0, singles: 1 });
    const { path } = await database(library);
    // Two handles on the file, as `wkmp-ai serve` and `wkmp-ai identify` have: two writers, two recorders.
    const [serve, cli] = [openWkmpDatabase(path), openWkmpDatabase(path)];
    open.push(serve, cli);
    const clock = new JumpingClock();
    const starts: number[] = [];
    const paceOf = (db: WkmpDatabase) => new SharedPace(db, 'https://musicbrainz.org/ws/2', 1100, { clock, onTurn: (start) => starts.push(start) });
    const [one, two] = [paceOf(serve), paceOf(cli)];
    await Promise.all([
      (async () => { for (let i = 0; i < 6; i += 1) await one.turn(); })(),
      (async () => { for (let i = 0; i < 6; i += 1) await two.turn(); })(),
    ]);
    expect(starts).toHaveLength(12);
    expect(Math.min(...gaps(starts))).toBeGreaterThanOrEqual(1100);
    // A slow-down answer heard by one holds the other off too.
    const before = clock.now();
    await one.holdOff(30_000);
    await two.turn();
    expect(starts.at(-1)!).toBeGreaterThanOrEqual(before + 30_000);
  });

  it('waits out a slow-down answer, as long as Retry-After says, and loses nothing', { timeout: 30_000 }, async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 3, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    services.misbehave('acoustid', { kind: 'rate-limited', retryAfterSeconds: 2 });
    services.misbehave('musicbrainz', { kind: 'unavailable' });
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary.finished.done).toBe(3);
    // Every request counts, the refused ones too.
    expect(summary.requests).toEqual({ acoustId: 2, musicBrainz: 2 });
    const [refused, retried] = services.log.filter((e) => e.service === 'acoustid');
    expect(refused!.status).toBe(429);
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(2000);
    const [busy, answered] = services.log.filter((e) => e.service === 'musicbrainz');
    expect(busy!.status).toBe(503);
    expect(answered!.at - busy!.at).toBeGreaterThanOrEqual(1000);
    expect(jobStates(path)).toEqual({ done: 3 });
  });

  it('halves its batches when AcoustID says the request is too large', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 12, singles: 0 });
    const services = await fake(library);
    const { db } = await database(library);
    services.misbehave('acoustid', { kind: 'too-large' });
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary.finished.done).toBe(12);
    expect(services.log.filter((e) => e.service === 'acoustid').map((e) => [e.status, e.fingerprints])).toEqual([[413, 10], [200, 5], [200, 5], [200, 2]]);
  });

  it('pauses on a refused key with one status, asks nothing more, and leaves every passage waiting', async () => {
    const library = makeLibrary({ albums: 2, tracksPerAlbum: 12, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    const progress: (string | null)[] = [];
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db, { key: 'not-a-key' }), onProgress: (p) => progress.push(p.paused) });
    expect(summary.paused).toMatch(/^AcoustID: the API key was refused .*; set a valid acoustid_api_key$/);
    expect([requests(services, 'acoustid'), requests(services, 'musicbrainz')]).toEqual([1, 0]);
    expect(jobStates(path)).toEqual({ waiting: 24 });
    expect(new Set(progress.filter((p) => p !== null))).toEqual(new Set([summary.paused]));

    const withoutKey = await runIdentificationQueue({ db, services: servicesAt(services, db, { key: null }) });
    expect(withoutKey.paused).toMatch(/^no AcoustID key: set acoustid_api_key/);
    expect(requests(services, 'acoustid')).toBe(1);

    // The key changed: the queue goes on from where it was.
    const resumed = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(resumed.finished.done).toBe(24);
  });

  it('counts an unreadable answer or no answer as a failed attempt, and tries that passage again later', { timeout: 30_000 }, async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 2, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    services.misbehave('acoustid', { kind: 'bad-json' });
    // The retry is due a minute after the attempt by the queue's clock, which stands still here.
    const clock = new ManualClock();
    const first = await runIdentificationQueue({ db, services: servicesAt(services, db), clock });
    expect(first.finished).toEqual({ done: 0, noMatch: 0, failed: 0 });
    expect(first.counts).toMatchObject({ waiting: 2, due: 0 });
    const check = new Database(path, { readonly: true });
    const rows = check.prepare('SELECT attempts, last_error AS lastError, next_attempt_at AS next FROM wkmp_ai_identification_jobs').all() as { attempts: number; lastError: string; next: string }[];
    check.close();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(/^AcoustID: HTTP 200 with a body that is not JSON/);
      expect(Date.parse(row.next)).toBe(clock.now() + 60_000);
    }

    services.misbehave('acoustid', { kind: 'hang' });
    const writer = new Database(path);
    writer.prepare('UPDATE wkmp_ai_identification_jobs SET next_attempt_at = NULL').run();
    writer.close();
    const second = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(second.counts).toMatchObject({ waiting: 2, due: 0 });
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT DISTINCT attempts, last_error AS lastError FROM wkmp_ai_identification_jobs').all()).toEqual([{ attempts: 2, lastError: expect.stringMatching(/no answer within 10 s$/) as unknown }]);
    after.close();
  });

  it('finishes after a kill -9 in the middle, asking again nothing that was answered (the command line)', { timeout: 120_000 }, async () => {
    const library = makeLibrary({ albums: 2, tracksPerAlbum: 12, singles: 0 });
    // Slow answers, so that the kill comes while a MusicBrainz request is in flight.
    const services = await fake(library, { latencyMs: 300 });
    const { db, path } = await database(library);
    await db.close();
    await setSettings(path, Object.fromEntries(settingsFor(services)) as Record<string, string>);
    const killed = spawnCli(['identify', '--db', path, '--json']);
    await waitFor(() => services.log.some((e) => e.service === 'musicbrainz'), 60_000, 'the first MusicBrainz request', killed.exited);
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    const answeredBefore = services.log.length - 1;

    const resumed = await spawnCli(['identify', '--db', path, '--json']).exited;
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout) as { finished: { done: number }; requests: { acoustId: number; musicBrainz: number } };
    expect(summary.finished.done).toBe(24);
    // Every fingerprint asked once in all; after the kill, only what was in flight or never asked.
    expect(services.log.filter((e) => e.service === 'acoustid').reduce((sum, e) => sum + e.fingerprints, 0)).toBe(24);
    expect(summary.requests.acoustId).toBe(0);
    const before = services.log.slice(0, answeredBefore).filter((e) => e.service === 'musicbrainz').map((e) => e.mbid);
    const after = services.log.slice(answeredBefore + 1).filter((e) => e.service === 'musicbrainz').map((e) => e.mbid);
    expect(after.filter((mbid) => before.includes(mbid))).toEqual([]);
    expect(jobStates(path)).toEqual({ done: 24 });
  });

  it('identifies a passage AcoustID links to a recording MusicBrainz merged into another as the one it became', async () => {
    const library = makeLibrary({ albums: 0, tracksPerAlbum: 0, singles: 1 });
    const current = library.catalogue.recordings[0]!;
    // AcoustID still links the fingerprint to the id MusicBrainz merged away.
    const merged = { ...current, mbid: uuidOf('merged away') };
    const services = await fake({ ...library, catalogue: { ...library.catalogue, recordings: [merged, { ...current, fingerprint: 'AQADnot-this-one' }], mergedRecordings: { [merged.mbid]: current.mbid } } });
    const { db, path } = await database(library);
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary.finished.done).toBe(1);
    // The release's track at the position AcoustID gives holds the current id: no recording lookup.
    expect(services.log.filter((e) => e.service === 'musicbrainz').map((e) => e.entity)).toEqual(['release']);
    expect(identified(path).map((row) => row.recording)).toEqual([current.mbid]);

    // Asked directly, the merged id redirects, and the redirect is followed at the pace.
    const turns: number[] = [];
    const client = {
      baseUrl: services.musicBrainzUrl, userAgent: 'wkmp-ai/test ( tests@example.org )',
      pacer: new SharedPace(db, services.musicBrainzUrl, 300, { clock: new JumpingClock(), onTurn: (start) => turns.push(start) }),
    };
    const json = await lookUp(client, 'recording', merged.mbid);
    expect(json.id).toBe(current.mbid);
    const asked = services.log.filter((e) => e.service === 'musicbrainz').slice(1);
    expect(asked.map((e) => [e.status, e.mbid])).toEqual([[301, merged.mbid], [200, current.mbid]]);
    // Followed at the pace, a turn of its own 300 ms on: fetch following it itself would send it at once.
    expect(turns).toHaveLength(2);
    expect(gaps(turns)).toEqual([300]);
  });

  it('joins the two passages of one file a silence split inside one song, as the song MusicBrainz knows', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 1, singles: 0 });
    const recording = library.catalogue.recordings[0]!;
    const song = { ...recording, lengthMs: 300_000 };
    // One file, cut at a quiet bar: 180 s and 120 s, both fingerprints naming the same recording.
    const [record] = library.records;
    const [first] = record!.passages;
    const second = { ...first!, guid: uuidOf('second part'), startTicks: secondsToTicks(180), endTicks: secondsToTicks(300), leadOutStartTicks: secondsToTicks(297) };
    const file = { ...record!, durationTicks: secondsToTicks(300), passages: [{ ...first!, endTicks: secondsToTicks(180), leadOutStartTicks: secondsToTicks(178) }, second] };
    const services = await fake({ ...library, catalogue: { ...library.catalogue, recordings: [song] } });
    const { db, path } = await database({ ...library, records: [file] });
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary.finished.done).toBe(1);
    expect([requests(services, 'acoustid'), requests(services, 'musicbrainz')]).toEqual([1, 1]);
    const check = new Database(path, { readonly: true });
    try {
      expect(check.prepare('SELECT guid, start_time_ticks AS start, end_time_ticks AS end, lead_out_start_ticks AS leadOut FROM passages').all())
        .toEqual([{ guid: first!.guid, start: 0, end: secondsToTicks(300), leadOut: secondsToTicks(297) }]);
      expect(check.prepare('SELECT s.recording_mbid AS recording, ps.end_time_ticks AS end FROM passage_songs ps JOIN songs s ON s.guid = ps.song_id').all())
        .toEqual([{ recording: song.mbid, end: secondsToTicks(300) }]);
      expect(check.prepare('SELECT passage_id AS passage, state FROM wkmp_ai_identification_jobs').all()).toEqual([{ passage: first!.guid, state: 'done' }]);
    } finally {
      check.close();
    }
  });
});

describe('wkmp-ai import --identify', () => {
  it('imports real audio, then identifies its passages by the fingerprints it computed', { timeout: 120_000 }, async () => {
    const root = tempFolder();
    copyFileSync(join(fixtures, 'analysis', 'three-songs.mp3'), join(root, 'three-songs.mp3'));
    const path = join(root, 'wkmp.db');
    // Its three songs of 11–14 s stand alone with a minimum song length of 5 s.
    await setSettings(path, { minimum_song_duration_ticks: String(secondsToTicks(5)) });
    const imported = await spawnCli(['import', '--root-folder', root, '--json']).exited;
    expect(imported.code, imported.stderr).toBe(0);
    const check = new Database(path, { readonly: true });
    const all = check.prepare(`
      SELECT p.guid, p.start_time_ticks AS start, p.end_time_ticks AS end, p.additional_metadata AS meta, ps.song_id AS song
      FROM passages p LEFT JOIN passage_songs ps ON ps.passage_id = p.guid ORDER BY p.start_time_ticks`).all() as { guid: string; start: number; end: number; meta: string | null; song: string | null }[];
    check.close();
    expect(all).toHaveLength(3);
    // All three are fingerprinted; the first carries the recording the file's tags name, so the other two wait.
    expect(all.map((p) => [p.meta !== null, p.song !== null])).toEqual([[true, true], [true, false], [true, false]]);
    const passages = all.slice(1);
    expect(jobStates(path)).toEqual({ waiting: 2 });

    // The catalogue knows the fingerprints wkmp-ai computed, as the songs of one album.
    const library = makeLibrary({ albums: 1, tracksPerAlbum: passages.length, singles: 0 }, 'real');
    const recordings = library.catalogue.recordings.map((recording, i) => ({
      ...recording,
      fingerprint: (JSON.parse(passages[i]!.meta!) as { chromaprint: { fingerprint: string } }).chromaprint.fingerprint,
      lengthMs: Math.round(((passages[i]!.end - passages[i]!.start) / secondsToTicks(1)) * 1000),
    }));
    const services = await fake({ ...library, catalogue: { ...library.catalogue, recordings } });
    await setSettings(path, Object.fromEntries(settingsFor(services)) as Record<string, string>);
    const run = await spawnCli(['import', '--root-folder', root, '--json', '--identify']).exited;
    expect(run.code, run.stderr).toBe(0);
    const [importSummary, queueSummary] = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(importSummary).toMatchObject({ state: 'COMPLETED', counts: { unchanged: 1 } });
    expect(queueSummary).toMatchObject({ finished: { done: passages.length, noMatch: 0, failed: 0 }, requests: { acoustId: 1, musicBrainz: 1 }, paused: null });
    const byPassage = new Map(identified(path).map((row) => [row.passage, row.recording]));
    expect(passages.map((p) => byPassage.get(p.guid))).toEqual(recordings.map((recording) => recording.mbid));
  });
});

describe('a whole release in one file', () => {
  it('is cut at the release\'s tracks by the next import, among the silences analysis found', { timeout: 120_000 }, async () => {
    const root = tempFolder();
    // Three songs of 12, 14 and 11 s in one file with no tags: with the default minimum song length they stay one passage.
    const file = join(root, 'album.mp3');
    expect(spawnSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', join(fixtures, 'analysis', 'three-songs.mp3'), '-map_metadata', '-1', '-c:a', 'copy', file]).status).toBe(0);
    const path = join(root, 'wkmp.db');
    expect((await spawnCli(['import', '--root-folder', root, '--json']).exited).code).toBe(0);
    const before = passagesOf(path);
    expect(before).toHaveLength(1);

    // AcoustID names the first track for the whole file's fingerprint; MusicBrainz has the release's three.
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 3, singles: 0 }, 'whole');
    const lengths = [12_000, 14_000, 11_000];
    const recordings = library.catalogue.recordings.map((recording, i) => ({ ...recording, lengthMs: lengths[i]!, ...(i === 0 ? { fingerprint: before[0]!.fingerprint! } : {}) }));
    const services = await fake({ ...library, catalogue: { ...library.catalogue, recordings } });
    await setSettings(path, Object.fromEntries(settingsFor(services)) as Record<string, string>);
    const identifiedRun = await spawnCli(['identify', '--db', path, '--json']).exited;
    expect(identifiedRun.code, identifiedRun.stderr).toBe(0);
    expect(JSON.parse(identifiedRun.stdout)).toMatchObject({ finished: { done: 0, noMatch: 1 }, requests: { acoustId: 1, musicBrainz: 1 } });
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT last_error AS why FROM wkmp_ai_identification_jobs').get()).toEqual({ why: 'holds the whole release "Album 0" (3 tracks): the next import cuts it at the release\'s tracks' });
    check.close();

    const reimported = await spawnCli(['import', '--root-folder', root, '--json']).exited;
    expect(reimported.code, reimported.stderr).toBe(0);
    expect(JSON.parse(reimported.stdout)).toMatchObject({ counts: { upgraded: 1 } });
    const after = passagesOf(path);
    // Cut in the two silences (13.1–14.9 s and 29.1–30.9 s), each passage named after its track and waiting to be identified.
    expect(after.map((p) => [p.title, Math.round(p.start / secondsToTicks(0.1)) / 10, Math.round(p.end / secondsToTicks(0.1)) / 10])).toEqual([
      ['Song 0.1', 1, 13.1], ['Song 0.2', 14.9, 29.1], ['Song 0.3', 30.9, 42],
    ]);
    expect(after.map((p) => p.fingerprint !== null)).toEqual([true, true, true]);
    expect(jobStates(path)).toEqual({ waiting: 3 });

    // A cue sheet beside the file wins over the release's tracks.
    writeFileSync(join(root, 'album.cue'), 'FILE "album.mp3" MP3\n  TRACK 01 AUDIO\n    TITLE "Part One"\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    TITLE "Part Two"\n    INDEX 01 00:29:00\n');
    expect((await spawnCli(['import', '--root-folder', root, '--json']).exited).code).toBe(0);
    expect(passagesOf(path).map((p) => p.title)).toEqual(['Part One', 'Part Two']);
  });
});

/** A database's passages in order, with their titles and fingerprints. */
function passagesOf(path: string): { title: string | null; start: number; end: number; fingerprint: string | null }[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT title, start_time_ticks AS start, end_time_ticks AS end, additional_metadata AS meta FROM passages ORDER BY start_time_ticks').all() as { title: string | null; start: number; end: number; meta: string | null }[])
      .map(({ meta, ...p }) => ({ ...p, fingerprint: meta === null ? null : (JSON.parse(meta) as { chromaprint: { fingerprint: string } }).chromaprint.fingerprint }));
  } finally {
    db.close();
  }
}

describe('identification failures that cost a later attempt', () => {
  it('keeps AcoustID\'s answers when MusicBrainz answers nonsense, so the next attempt asks MusicBrainz alone', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 4, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    services.misbehave('musicbrainz', { kind: 'bad-json' });
    const first = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(first.finished.done).toBe(0);
    expect(first.counts).toMatchObject({ waiting: 4, due: 0 });
    const writer = new Database(path);
    expect(writer.prepare('SELECT DISTINCT attempts, last_error AS why FROM wkmp_ai_identification_jobs').all()).toEqual([{ attempts: 1, why: expect.stringMatching(/^MusicBrainz: HTTP 200 with a body that is not JSON/) as unknown }]);
    writer.prepare('UPDATE wkmp_ai_identification_jobs SET next_attempt_at = NULL').run();
    writer.close();
    const second = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(second.finished.done).toBe(4);
    expect(second.requests).toEqual({ acoustId: 0, musicBrainz: 1 });
  });

  it('counts AcoustID being down (503, code 13) as a failed attempt, not a pause', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 2, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    services.misbehave('acoustid', { kind: 'unavailable' });
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary).toMatchObject({ paused: null, counts: { waiting: 2, due: 0 } });
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT DISTINCT attempts, last_error AS why FROM wkmp_ai_identification_jobs').all()).toEqual([{ attempts: 1, why: expect.stringMatching(/^AcoustID: /) as unknown }]);
    check.close();
  });

  it('stops at once when cancelled mid-request, leaving the jobs as they were', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 3, singles: 0 });
    const services = await fake(library, { latencyMs: 5_000 });
    const { db, path } = await database(library);
    const controller = new AbortController();
    const running = runIdentificationQueue({ db, services: servicesAt(services, db), signal: controller.signal });
    await waitFor(() => services.log.length > 0, 10_000, 'the AcoustID request');
    controller.abort();
    await expect(running).rejects.toThrow(/abort/i);
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT DISTINCT state, attempts FROM wkmp_ai_identification_jobs').all()).toEqual([{ state: 'waiting', attempts: 0 }]);
    check.close();
    // What the command line prints for a run with a limit: the rest waits.
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => { printed += chunk.toString(); });
    await db.recorder.write(storeSettings(settingsFor(await fake(library))));
    expect(await identifyDatabase({ database: path, limit: 2, json: true, out })).toBe(0);
    expect(JSON.parse(printed)).toMatchObject({ finished: { done: 2 }, counts: { waiting: 1 } });
  });

  it('names the reason when a service cannot be reached at all', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 2, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    const gone = servicesAt(services, db);
    // A port nothing listens on: the connection is refused.
    const closed = await startFakeServices({ catalogue: library.catalogue });
    await closed.close();
    const summary = await runIdentificationQueue({ db, services: { ...gone, acoustId: { ...gone.acoustId!, baseUrl: closed.acoustIdUrl } } });
    expect(summary.counts).toMatchObject({ waiting: 2, due: 0 });
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT DISTINCT last_error AS why FROM wkmp_ai_identification_jobs').all()).toEqual([{ why: expect.stringMatching(/^AcoustID: http:\/\/127\.0\.0\.1:\d+\/v2\/lookup: .*ECONNREFUSED/) as unknown }]);
    check.close();
  });
});

describe('passages the queue cannot identify', () => {
  it('leaves a fingerprint nobody submitted unmatched, fails a passage that lost its fingerprint, and gives up after the last attempt', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 3, singles: 0 });
    // The third track's fingerprint is unknown to AcoustID; a file at the root has no folder.
    const known = { ...library.catalogue, recordings: library.catalogue.recordings.map((r, i) => (i === 2 ? { ...r, fingerprint: 'AQADsomething else' } : r)) };
    const services = await fake({ ...library, catalogue: known });
    const atRoot = { ...library.records[0]!, path: 'loose.ogg', guid: uuidOf('loose file'), hash: uuidOf('loose content'), passages: [{ ...library.records[0]!.passages[0]!, guid: uuidOf('loose passage') }] };
    const { db, path } = await database({ ...library, records: [...library.records, atRoot] });
    const writer = new Database(path);
    writer.prepare('UPDATE passages SET additional_metadata = NULL WHERE guid = ?').run(library.records[1]!.passages[0]!.guid);
    writer.close();
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary.finished).toEqual({ done: 2, noMatch: 1, failed: 1 });
    const check = new Database(path, { readonly: true });
    const rows = check.prepare('SELECT passage_id AS passage, state, acoustid_id AS acoustId, candidates, last_error AS why FROM wkmp_ai_identification_jobs').all() as { passage: string; state: string; acoustId: string | null; candidates: string | null; why: string | null }[];
    check.close();
    const of = (guid: string) => rows.find((row) => row.passage === guid);
    expect(of(library.records[2]!.passages[0]!.guid)).toMatchObject({ state: 'no-match', acoustId: null, candidates: null });
    expect(of(library.records[1]!.passages[0]!.guid)).toMatchObject({ state: 'failed', why: 'the passage has no fingerprint' });
    expect(of(uuidOf('loose passage'))).toMatchObject({ state: 'done' });

    // The last of five attempts fails the job for good.
    const again = new Database(path);
    again.prepare("UPDATE wkmp_ai_identification_jobs SET state = 'waiting', attempts = 4 WHERE passage_id = ?").run(library.records[0]!.passages[0]!.guid);
    again.prepare('DELETE FROM wkmp_ai_acoustid_replies').run();
    again.close();
    services.misbehave('acoustid', { kind: 'bad-json' });
    const last = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(last.finished.failed).toBe(1);
    expect(jobStates(path)).toMatchObject({ failed: 2 });
  });
});

describe('stored values the queue cannot read', () => {
  it('identifies a passage whose import_metadata is damaged, and fails one whose additional_metadata is, naming the column', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 3, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    const [first, second] = library.records.map((record) => record.passages[0]!.guid);
    const writer = new Database(path);
    writer.prepare('UPDATE passages SET import_metadata = ? WHERE guid = ?').run('{"boundaries": "whole file", damaged', first);
    writer.prepare('UPDATE passages SET additional_metadata = ? WHERE guid = ?').run('{"chromaprint":{"fingerprint":7,"durationSeconds":120}}', second);
    writer.close();
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary.finished).toEqual({ done: 2, noMatch: 0, failed: 1 });
    const byPassage = new Map(identified(path).map((row) => [row.passage, row]));
    expect(byPassage.get(first!)).toMatchObject({ state: 'done', recording: library.expected.get(first!)!.recordingMbid });
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT state, attempts, last_error AS why FROM wkmp_ai_identification_jobs WHERE passage_id = ?').get(second)).toEqual({
      state: 'failed', attempts: 1, why: 'passages.additional_metadata: chromaprint.fingerprint must be a string, got 7',
    });
    check.close();
  });

  it('asks again for what a cache holds that is not JSON, and mends the cache', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 2, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    const passage = library.records[0]!.passages[0]!;
    const fingerprint = passage.additionalMetadata!.chromaprint!.fingerprint;
    const writer = new Database(path);
    writer.prepare('INSERT INTO wkmp_ai_acoustid_replies (fingerprint_sha256, duration_seconds, json) VALUES (?, ?, ?)')
      .run(createHash('sha256').update(fingerprint).digest('hex'), Math.round((passage.endTicks - passage.startTicks) / secondsToTicks(1)), '[{"id": trunc');
    writer.prepare("INSERT INTO musicbrainz_cache (mbid, entity_type, json) VALUES (?, 'release', 'not json')").run(library.catalogue.releases[0]!.mbid);
    writer.close();
    const summary = await runIdentificationQueue({ db, services: servicesAt(services, db) });
    expect(summary).toMatchObject({ finished: { done: 2, noMatch: 0, failed: 0 }, requests: { acoustId: 1, musicBrainz: 1 } });
    const check = new Database(path, { readonly: true });
    const cached = check.prepare('SELECT json FROM wkmp_ai_acoustid_replies UNION ALL SELECT json FROM musicbrainz_cache').all() as { json: string }[];
    check.close();
    for (const row of cached) expect(() => JSON.parse(row.json) as unknown).not.toThrow();
  });
});

describe('wkmp-ai identify, as a person reads it', () => {
  it('draws a bar on a terminal and ends with a summary of the queue and the requests spent', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 3, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    await db.close();
    await setSettings(path, Object.fromEntries(settingsFor(services)) as Record<string, string>);
    const out = new PassThrough();
    const err = Object.assign(new PassThrough(), { isTTY: true, columns: 120 }) as unknown as NodeJS.WriteStream;
    let printed = '';
    let drawn = '';
    out.on('data', (chunk: Buffer) => { printed += chunk.toString(); });
    (err as unknown as PassThrough).on('data', (chunk: Buffer) => { drawn += chunk.toString(); });
    expect(await identifyDatabase({ database: path, out, err })).toBe(0);
    expect(printed).toBe([
      'identification: 3 identified, 0 without a match, 0 failed in this run',
      '  queue      0 waiting (0 due), 3 identified, 0 without a match, 0 failed',
      '  requests   AcoustID 1, MusicBrainz 1',
      '',
    ].join('\n'));
    expect(drawn).toContain(' identify |');
    expect(drawn).toMatch(/AcoustID 1, MusicBrainz 1 requests/);

    // Without a key, passages AcoustID has not answered wait: it says why, and exits 1.
    await setSettings(path, { acoustid_api_key: '' });
    const reset = new Database(path);
    reset.prepare("UPDATE wkmp_ai_identification_jobs SET state = 'waiting'").run();
    reset.prepare('DELETE FROM wkmp_ai_acoustid_replies').run();
    reset.close();
    printed = '';
    expect(await identifyDatabase({ database: path, out, env: {} })).toBe(1);
    expect(printed).toMatch(/\n {2}paused {5}no AcoustID key: set acoustid_api_key \(or WKMP_ACOUSTID_API_KEY\)/);

    // A database that is not there is not made.
    const missing = join(tempFolder(), 'none.db');
    await expect(identifyDatabase({ database: missing, out })).rejects.toThrow(`no database at ${missing}: import a folder first (wkmp-ai import)`);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('the MusicBrainz client', () => {
  it('says in one line what MusicBrainz refused: an unknown id, a request it will not take, a body without an id', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 1, singles: 0 });
    const services = await fake(library);
    const { db } = await database(library);
    const client = { baseUrl: services.musicBrainzUrl, userAgent: 'wkmp-ai/test ( tests@example.org )', pacer: new SharedPace(db, services.musicBrainzUrl, 0) };
    const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error instanceof ServiceError ? [error.kind, error.message] : error);
    expect(await refusal(lookUp(client, 'release', uuidOf('nobody has this')))).toEqual(['not-found', `MusicBrainz: no release ${uuidOf('nobody has this')}`]);
    services.misbehave('musicbrainz', { kind: 'too-large' });
    expect(await refusal(lookUp(client, 'release', library.catalogue.releases[0]!.mbid))).toEqual(['bad-reply', expect.stringMatching(/^MusicBrainz: HTTP 413 for release /)]);
    expect(parseRelease({ title: 'no id' })).toBeNull();
    expect(parseRecording([])).toBeNull();
    // A real release parses whole: its tracks in order, each recording with its credits.
    const release = parseRelease(await lookUp(client, 'release', library.catalogue.releases[0]!.mbid))!;
    expect(release).toMatchObject({ title: 'Album 0', status: 'Official', date: '1970-03-01', releaseGroup: { primaryType: 'Album', secondaryTypes: [] } });
    expect(release.tracks.map((t) => [t.medium, t.position, t.recording.title, t.recording.artists.map((a) => a.name)])).toEqual([[1, 1, 'Song 0.1', ['Artist 0']]]);
  });
});

describe('the service\'s background queue', () => {
  it('comes back by itself when a passage\'s next attempt falls due', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 2, singles: 0 });
    const services = await fake(library);
    const { db, path } = await database(library);
    await db.recorder.write(storeSettings(settingsFor(services)));
    // An hour from now by the runner's clock, which only the test moves.
    const clock = new ManualClock();
    const writer = new Database(path);
    writer.prepare('UPDATE wkmp_ai_identification_jobs SET next_attempt_at = ?').run(new Date(clock.now() + 3_600_000).toISOString());
    writer.close();
    const runner = new IdentificationRunner(db, { clock });
    open.push(runner);
    runner.kick();
    await runner.idle();
    expect(runner.status().counts).toMatchObject({ waiting: 2, due: 0, done: 0 });
    expect(services.log).toHaveLength(0);
    // The runner sleeps until the retry falls due, and not a moment less.
    await waitFor(() => clock.sleeping === 1, 10_000, 'the runner to wait for the retry');
    clock.advance(3_599_000);
    await Promise.resolve();
    expect([runner.status().running, clock.sleeping]).toEqual([false, 1]);
    clock.advance(10_000);
    await waitFor(() => runner.status().counts.done === 2, 10_000, 'the retry');
    expect(services.log.filter((e) => e.service === 'acoustid')).toHaveLength(1);
  });
});
