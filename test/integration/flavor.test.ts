/**
 * The AcousticBrainz queue against the fake AcousticBrainz (real HTTP on 127.0.0.1, its real shapes
 * and rate limiting), on real SQLite files: what it stores, how few requests it spends, how the
 * service's own headers pace it, what it does when the service misbehaves or is gone, and a run
 * killed in the middle. Costs are read from the fake's own log, paces from the pace's own decisions.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openWkmpDatabase, type WkmpDatabase } from '../../src/db/setup.js';
import { getNextRequestStart } from '../../src/db/request-pace.js';
import { runFlavorQueue, type FlavorProgress } from '../../src/flavoring/queue.js';
import type { AcousticBrainzClient } from '../../src/flavoring/acousticbrainz-client.js';
import { SharedPace } from '../../src/queue/pace.js';
import { acousticBrainzCharacteristics } from '../../src/flavor/acousticbrainz.js';
import type { Clock } from '../../src/clock.js';
import { JumpingClock, ManualClock } from '../support/clocks.js';
import { highLevelDocument, startFakeAcousticBrainz, type FakeAcousticBrainz, type FakeAcousticBrainzOptions } from '../support/fake-acousticbrainz.js';
import { flavorLibraryDatabase, makeFlavorLibrary, type FlavorLibrary } from '../support/flavor-library.js';
import { setSettings } from './db-helpers.js';
import { flavorDatabase } from '../../src/cli/flavor.js';
import { QueueLease } from '../../src/queue/lease.js';
import { copyFixtureRoot, spawnCli, tempFolder, waitFor } from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function fake(library: FlavorLibrary, options: Partial<FakeAcousticBrainzOptions> = {}): Promise<FakeAcousticBrainz> {
  const server = await startFakeAcousticBrainz({ recordings: library.recordings, rateLimit: { perWindow: 1000, windowSeconds: 10 }, ...options });
  open.push(server);
  return server;
}

const database = (library: FlavorLibrary) => flavorLibraryDatabase(library, join(tempFolder(), 'wkmp.db'), open);

/** AcousticBrainz at the fake, its pace kept in `db`; unpaced unless told. `turns` collects every start the pace granted. */
function clientAt(server: FakeAcousticBrainz | string, db: WkmpDatabase, options: { intervalMs?: number; clock?: Clock; turns?: number[] } = {}): AcousticBrainzClient {
  const url = typeof server === 'string' ? server : server.url;
  return {
    baseUrl: url, userAgent: 'wkmp-ai/test',
    pacer: new SharedPace(db, url, options.intervalMs ?? 0, { ...(options.clock === undefined ? {} : { clock: options.clock }), onTurn: (start) => options.turns?.push(start) }),
  };
}

function query<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

function askedMbids(server: FakeAcousticBrainz): string[] {
  return server.log.flatMap((entry) => entry.asked.map((a) => a.mbid));
}

describe('the AcousticBrainz queue', () => {
  it('flavors 60 recordings with 3 requests of at most 25, stores unknown ones as {}, and a second run asks nothing', async () => {
    const library = makeFlavorLibrary(60, { unknownEvery: 10 });
    const server = await fake(library);
    const { db, path } = await database(library);
    const summary = await runFlavorQueue({ db, client: clientAt(server, db) });
    expect(server.log.map((entry) => [entry.status, entry.asked.length])).toEqual([[200, 25], [200, 25], [200, 10]]);
    expect(new Set(askedMbids(server))).toEqual(new Set(library.mbids));
    expect(summary).toMatchObject({
      requests: 3, paused: null, finished: { known: 54, unknown: 6, failed: 0 }, flavored: { songs: 60, passages: 54 },
      counts: { recordings: 60, known: 54, unknown: 6, waiting: 0, due: 0, failed: 0, nextAttemptAt: null },
    });

    // The cache holds each reply as AcousticBrainz gave it: {offset: document}; {} for the recordings it does not know.
    const cached = new Map(query<{ mbid: string; data: string }>(path, 'SELECT recording_mbid AS mbid, high_level_data AS data FROM acousticbrainz_cache').map((r) => [r.mbid, JSON.parse(r.data) as unknown]));
    expect(cached.size).toBe(60);
    for (const mbid of library.mbids) expect(cached.get(mbid)).toEqual(library.unknown.has(mbid) ? {} : { 0: library.recordings.get(mbid)![0] });

    const songs = query<{ mbid: string; status: string; vector: string | null; sources: string | null }>(path, 'SELECT recording_mbid AS mbid, status, flavor_vector AS vector, flavor_source_blend AS sources FROM songs');
    for (const song of songs) {
      if (library.unknown.has(song.mbid)) {
        expect(song).toEqual({ mbid: song.mbid, status: 'FLAVORING FAILED', vector: null, sources: null });
      } else {
        expect(song.status).toBe('FLAVOR READY');
        expect(JSON.parse(song.sources!)).toEqual(['AcousticBrainz']);
        const vector = JSON.parse(song.vector!) as Record<string, Record<string, number>>;
        expect(Object.keys(vector).sort()).toEqual([...acousticBrainzCharacteristics].sort());
        const served = (library.recordings.get(song.mbid)![0] as { highlevel: Record<string, { all: Record<string, number> }> }).highlevel;
        expect(vector.danceability!.danceable).toBeCloseTo(served.danceability!.all.danceable!, 6);
      }
    }

    // Passages of known recordings carry AcousticBrainz's characteristics; the others have none to carry.
    const passages = query<{ mbid: string; vector: string | null; sources: string | null; completeness: number | null }>(path, `
      SELECT s.recording_mbid AS mbid, p.musical_flavor_vector AS vector, p.flavor_source_blend AS sources, p.flavor_completeness AS completeness
      FROM passages p JOIN passage_songs ps ON ps.passage_id = p.guid JOIN songs s ON s.guid = ps.song_id`);
    expect(passages).toHaveLength(60);
    for (const passage of passages) {
      if (library.unknown.has(passage.mbid)) {
        expect(passage.vector).toBeNull();
        continue;
      }
      expect(JSON.parse(passage.sources!)).toContain('AcousticBrainz');
      expect(Object.keys(JSON.parse(passage.vector!) as object)).toEqual(expect.arrayContaining([...acousticBrainzCharacteristics]));
      expect(passage.completeness).toBeGreaterThan(0);
    }

    const again = await runFlavorQueue({ db, client: clientAt(server, db) });
    expect(server.log).toHaveLength(3);
    expect(again).toMatchObject({ requests: 0, finished: { known: 0, unknown: 0, failed: 0 }, flavored: { songs: 0, passages: 0 } });
  });

  it('keeps the pace the service\'s headers give: its window\'s last request holds every process off until the window ends, and a 429 as long as X-RateLimit-Reset-In says', async () => {
    const library = makeFlavorLibrary(100);
    const clock = new JumpingClock(Date.parse('2026-12-07T10:00:01.000Z'));
    // The fake counts its windows by the test's clock: 3 requests per 10 s.
    const server = await fake(library, { rateLimit: { perWindow: 3, windowSeconds: 10 }, now: () => clock.now() });
    const { db } = await database(library);
    const turns: number[] = [];
    const summary = await runFlavorQueue({ db, client: clientAt(server, db, { clock, turns }), clock });
    expect(summary.finished.known).toBe(100);
    // The third request of a window answers X-RateLimit-Remaining 0: the fourth waits for the next window, and is never refused.
    expect(server.log.map((entry) => [entry.status, entry.remaining])).toEqual([[200, 2], [200, 1], [200, 0], [200, 2]]);
    expect(turns[3]).toBeGreaterThanOrEqual(Date.parse('2026-12-07T10:00:10.000Z'));
    expect(turns.slice(0, 3).every((start) => start < Date.parse('2026-12-07T10:00:10.000Z'))).toBe(true);
  });

  it('waits out a 429 for X-RateLimit-Reset-In, holding off every process on the database, and loses nothing', async () => {
    const library = makeFlavorLibrary(30);
    const server = await fake(library);
    const { db, path } = await database(library);
    const clock = new JumpingClock(Date.parse('2026-12-07T10:00:00.000Z'));
    const turns: number[] = [];
    server.misbehave({ kind: 'rate-limited', resetInSeconds: 7 });
    let holdOffSeen = 0;
    const summary = await runFlavorQueue({
      db, client: clientAt(server, db, { clock, turns }), clock,
      onProgress: () => { holdOffSeen = Math.max(holdOffSeen, getNextRequestStart(db.read, server.url)); },
    });
    expect(summary).toMatchObject({ requests: 3, finished: { known: 30, unknown: 0, failed: 0 } });
    expect(server.log.map((entry) => entry.status)).toEqual([429, 200, 200]);
    // The pace decided the retry at the end of the window the 429 named, not before.
    expect(turns[1]! - turns[0]!).toBeGreaterThanOrEqual(7000);
    // Kept in the database, so another process's pace holds off too.
    const other = openWkmpDatabase(path);
    open.push(other);
    const otherTurns: number[] = [];
    const otherClock = new ManualClock(turns[0]!);
    const otherPace = new SharedPace(other, server.url, 0, { clock: otherClock, onTurn: (start) => otherTurns.push(start) });
    void otherPace.turn();
    await waitFor(() => otherTurns.length === 1, 5000, 'the other process\'s turn');
    expect(otherTurns[0]).toBeGreaterThanOrEqual(turns[0]! + 7000);
    expect(holdOffSeen).toBeGreaterThanOrEqual(turns[0]! + 7000);
  });

  it('counts a 5xx, a reply that is not JSON, or no answer in time as a failed attempt: 1 min doubling, failed after the fifth', { timeout: 30_000 }, async () => {
    const library = makeFlavorLibrary(3);
    const server = await fake(library);
    const { db, path } = await database(library);
    const clock = new ManualClock(Date.parse('2026-12-07T10:00:00.000Z'));
    const jobs = () => query<{ state: string; attempts: number; next: string | null; error: string }>(path, 'SELECT DISTINCT state, attempts, next_attempt_at AS next, last_error AS error FROM wkmp_ai_flavor_jobs');
    server.misbehave({ kind: 'error', status: 500 });
    const first = await runFlavorQueue({ db, client: clientAt(server, db, { clock }), clock });
    expect(first).toMatchObject({ requests: 1, finished: { known: 0, failed: 0 }, counts: { waiting: 3, due: 0, failed: 0, nextAttemptAt: new Date(clock.now() + 60_000).toISOString() } });
    expect(jobs()).toEqual([{ state: 'waiting', attempts: 1, next: new Date(clock.now() + 60_000).toISOString(), error: 'AcousticBrainz: HTTP 500: An unknown error occurred' }]);

    // Not due yet: asks nothing.
    expect((await runFlavorQueue({ db, client: clientAt(server, db, { clock }), clock })).requests).toBe(0);
    clock.advance(60_000);
    server.misbehave({ kind: 'bad-json' });
    await runFlavorQueue({ db, client: clientAt(server, db, { clock }), clock });
    expect(jobs()).toEqual([{ state: 'waiting', attempts: 2, next: new Date(clock.now() + 120_000).toISOString(), error: expect.stringMatching(/^AcousticBrainz: HTTP 200 with a body that is not JSON/) as unknown }]);

    clock.advance(120_000);
    server.misbehave({ kind: 'hang' });
    await runFlavorQueue({ db, client: clientAt(server, db, { clock }), clock });
    expect(jobs()).toEqual([{ state: 'waiting', attempts: 3, next: new Date(clock.now() + 240_000).toISOString(), error: expect.stringMatching(/no answer within 10 s$/) as unknown }]);

    for (const wait of [240_000, 480_000]) {
      clock.advance(wait);
      server.misbehave({ kind: 'error', status: 502 });
      await runFlavorQueue({ db, client: clientAt(server, db, { clock }), clock });
    }
    expect(jobs()).toEqual([{ state: 'failed', attempts: 5, next: null, error: 'AcousticBrainz: HTTP 502: An unknown error occurred' }]);
    const last = await runFlavorQueue({ db, client: clientAt(server, db, { clock }), clock });
    expect(last).toMatchObject({ requests: 0, counts: { waiting: 0, failed: 3, known: 0 } });
    expect(server.log).toHaveLength(5);
  });

  it('pauses with one status, failing nothing, when AcousticBrainz answers 404 for its endpoint, and goes on once it answers again', async () => {
    const library = makeFlavorLibrary(60);
    const server = await fake(library);
    const { db, path } = await database(library);
    server.setGone(true);
    const statuses: (string | null)[] = [];
    const paused = await runFlavorQueue({ db, client: clientAt(server, db), onProgress: (p: FlavorProgress) => statuses.push(p.paused) });
    const status = `AcousticBrainz does not answer at ${server.url} (${server.url}/api/v1/high-level answers HTTP 404 (<!doctype html><title>404 Not Found</title><h1>Not Found</h1>)): the recordings wait; a mirror or a dump (wkmp-ai flavor --from-dump) can give them`;
    expect(paused).toMatchObject({ paused: status, requests: 1, finished: { known: 0, unknown: 0, failed: 0 }, counts: { waiting: 60, due: 60, failed: 0 } });
    expect(new Set(statuses.filter((s) => s !== null))).toEqual(new Set([status]));
    expect(query(path, 'SELECT * FROM wkmp_ai_flavor_jobs')).toEqual([]);
    expect(query(path, 'SELECT * FROM acousticbrainz_cache')).toEqual([]);

    server.setGone(false);
    const resumed = await runFlavorQueue({ db, client: clientAt(server, db) });
    expect(resumed).toMatchObject({ paused: null, finished: { known: 60 } });
  });

  it('pauses the same way when nothing answers at its address, after trying three times, 1 s then 2 s apart', async () => {
    const library = makeFlavorLibrary(10);
    const { db, path } = await database(library);
    // A port nothing listens on any more: connections are refused.
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    closed.close();
    await once(closed, 'close');
    const clock = new JumpingClock(Date.parse('2026-12-07T10:00:00.000Z'));
    const turns: number[] = [];
    const summary = await runFlavorQueue({ db, client: clientAt(url, db, { clock, turns }), clock });
    expect(summary.paused).toMatch(new RegExp(`^AcousticBrainz does not answer at ${url} \\(${url}/api/v1/high-level: connect ECONNREFUSED .*\\): the recordings wait; a mirror or a dump \\(wkmp-ai flavor --from-dump\\) can give them$`));
    expect(summary).toMatchObject({ requests: 3, finished: { known: 0, unknown: 0, failed: 0 }, counts: { waiting: 10, failed: 0 } });
    expect([turns[1]! - turns[0]!, turns[2]! - turns[1]!]).toEqual([1000, 2000]);
    expect(query(path, 'SELECT * FROM wkmp_ai_flavor_jobs')).toEqual([]);
  });

  it('fails at once a recording whose MBID AcousticBrainz cannot read, without spending a request on it', async () => {
    const library = makeFlavorLibrary(2);
    const server = await fake(library);
    const { db, path } = await database(library);
    const writer = new Database(path);
    writer.prepare("INSERT INTO songs (guid, recording_mbid) VALUES ('song-x', 'not-an-mbid')").run();
    writer.close();
    const summary = await runFlavorQueue({ db, client: clientAt(server, db) });
    expect(summary).toMatchObject({ requests: 1, finished: { known: 2, failed: 1 }, counts: { recordings: 3, known: 2, failed: 1, waiting: 0 } });
    expect(server.log[0]!.asked).toHaveLength(2);
    expect(query(path, 'SELECT state, last_error AS error FROM wkmp_ai_flavor_jobs')).toEqual([{ state: 'failed', error: 'AcousticBrainz: "not-an-mbid" is not a MusicBrainz recording id' }]);
  });

  it('flavors a song whose recording is stored already without asking, and passes stored documents that give no flavor', async () => {
    const library = makeFlavorLibrary(2);
    const server = await fake(library);
    const { db, path } = await database(library);
    const [withData, withoutClassifier] = library.mbids;
    const writer = new Database(path);
    writer.prepare('INSERT INTO acousticbrainz_cache (recording_mbid, high_level_data) VALUES (?, ?), (?, ?)').run(
      withData, JSON.stringify({ 0: library.recordings.get(withData!)![0] }), withoutClassifier, JSON.stringify({ 0: { highlevel: {}, metadata: null } }),
    );
    writer.close();
    const summary = await runFlavorQueue({ db, client: clientAt(server, db) });
    expect(summary).toMatchObject({ requests: 0, flavored: { songs: 2, passages: 1 } });
    expect(query(path, 'SELECT recording_mbid AS mbid, status FROM songs ORDER BY recording_mbid = ?'.replace('?', `'${withoutClassifier}'`))).toEqual([
      { mbid: withData, status: 'FLAVOR READY' }, { mbid: withoutClassifier, status: 'FLAVORING FAILED' },
    ]);
    // The passage whose recording gives no flavor stays without one, and a second run passes it in one read.
    expect((await runFlavorQueue({ db, client: clientAt(server, db) })).flavored).toEqual({ songs: 0, passages: 0 });
  });
});

describe('wkmp-ai flavor', () => {
  it('finishes after a kill -9 in the middle, asking again nothing that was answered', { timeout: 120_000 }, async () => {
    const library = makeFlavorLibrary(100, { unknownEvery: 7 });
    // Answers after 300 ms, so that the test holds the third answer before it is sent.
    const server = await fake(library, { latencyMs: 300 });
    const { db, path } = await database(library);
    await db.close();
    await setSettings(path, { acousticbrainz_base_url: server.url, acousticbrainz_min_interval_ms: '0' });
    const killed = spawnCli(['flavor', '--db', path, '--json']);
    // The third request arriving means the first two answers are stored.
    await waitFor(() => server.log.length === 3, 60_000, 'the third request', killed.exited);
    const release = server.holdAnswers();
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    release();
    const answered = new Set(server.log.slice(0, 2).flatMap((entry) => entry.asked.map((a) => a.mbid)));
    const before = server.log.length;

    const resumed = await spawnCli(['flavor', '--db', path, '--json']).exited;
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout) as { requests: number; counts: { known: number; unknown: number; waiting: number } };
    expect(summary.counts).toMatchObject({ known: 86, unknown: 14, waiting: 0 });
    const after = server.log.slice(before).flatMap((entry) => entry.asked.map((a) => a.mbid));
    expect(after.filter((mbid) => answered.has(mbid))).toEqual([]);
    expect(after).toHaveLength(50);
    expect(summary.requests).toBe(2);
  });

  it('says when AcousticBrainz is gone, and exits 1 with the recordings waiting; the summary as a person reads it', async () => {
    const library = makeFlavorLibrary(4, { unknownEvery: 4 });
    const server = await fake(library);
    const { db, path } = await database(library);
    await db.close();
    await setSettings(path, { acousticbrainz_base_url: server.url, acousticbrainz_min_interval_ms: '0' });
    server.setGone(true);
    const gone = await spawnCli(['flavor', '--db', path]).exited;
    expect(gone.code).toBe(1);
    expect(gone.stdout).toContain(`  paused     AcousticBrainz does not answer at ${server.url} (`);
    server.setGone(false);
    const run = await spawnCli(['flavor', '--db', path]).exited;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe([
      'flavor: 3 known to AcousticBrainz, 1 unknown to it, 0 failed in this run; 4 songs and 3 passages flavored',
      '  queue      0 waiting (0 due), 3 known, 1 unknown, 0 failed, of 4 recordings',
      '  requests   AcousticBrainz 1',
      '',
    ].join('\n'));
    const missing = await spawnCli(['flavor', '--db', join(tempFolder(), 'none.db')]).exited;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^wkmp-ai: no database at .*none\.db: import a folder first \(wkmp-ai import\)\n$/);
  });

  it('draws a bar on a terminal; with --no-wait, says which process runs the queue and exits 1', async () => {
    const library = makeFlavorLibrary(30);
    const server = await fake(library);
    const { db, path } = await database(library);
    await setSettings(path, { acousticbrainz_base_url: server.url, acousticbrainz_min_interval_ms: '0' });
    // Another runner holds the queue's lease until the test lets it go.
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let holding!: () => void;
    const holds = new Promise<void>((resolve) => { holding = resolve; });
    const other = new QueueLease(db, { name: 'flavor', label: 'wkmp-ai serve' }).runExclusive(async () => {
      holding();
      await held;
    });
    await holds;
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => { printed += chunk.toString(); });
    const err = Object.assign(new PassThrough(), { isTTY: true, columns: 120 }) as unknown as NodeJS.WriteStream;
    let drawn = '';
    (err as unknown as PassThrough).on('data', (chunk: Buffer) => { drawn += chunk.toString(); });
    expect(await flavorDatabase({ database: path, noWait: true, out, err })).toBe(1);
    expect(drawn).toMatch(new RegExp(`^wkmp-ai: the AcousticBrainz queue is running in process ${process.pid} on .* \\(wkmp-ai serve\\) since .*; it does the work \\(run again without --no-wait to wait for it\\)\n$`));
    release();
    await other;
    drawn = '';
    expect(await flavorDatabase({ database: path, out, err })).toBe(0);
    expect(drawn).toContain(' flavor |');
    expect(drawn).toMatch(/30\/30 recordings \| AcousticBrainz 2 requests/);
    expect(printed).toMatch(/^flavor: 30 known to AcousticBrainz/);
  });

  it('runs after an import with import --flavor, on the recordings the files\' tags name', { timeout: 60_000 }, async () => {
    const root = copyFixtureRoot();
    // The library's tagged recordings (test/fixtures/README.md); AcousticBrainz knows all but the last.
    const tagged = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '44444444-4444-4444-8444-444444444444', '55555555-5555-4555-8555-555555555555'];
    const documents = new Map(tagged.slice(0, 3).map((mbid, i) => [mbid, [highLevelDocument(mbid, i / 3)]]));
    const server = await startFakeAcousticBrainz({ recordings: documents, rateLimit: { perWindow: 1000, windowSeconds: 10 } });
    open.push(server);
    await setSettings(join(root, 'wkmp.db'), { acousticbrainz_base_url: server.url, acousticbrainz_min_interval_ms: '0' });
    const run = await spawnCli(['import', '--root-folder', root, '--analysis', 'tags', '--json', '--flavor']).exited;
    expect(run.code, run.stderr).toBe(0);
    const [imported, flavored] = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(imported).toMatchObject({ state: 'COMPLETED' });
    expect(flavored).toMatchObject({ requests: 1, finished: { known: 3, unknown: 1, failed: 0 } });
    expect(server.log[0]!.asked.map((a) => a.mbid).sort()).toEqual(tagged);
  });
});
