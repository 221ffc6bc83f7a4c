/**
 * `wkmp-ai serve` keeps wkmp.db in step with the root folder: on start it imports what changed while
 * it was stopped, then what changes, through the same import engine (sessions of origin 'watch').
 * Real files on disk, the real watcher (chokidar over inotify) and the real server; the test waits
 * for what a user waits for (a passage committed, a row moved), never for a time.
 */
import { appendFileSync, cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/import/run.js';
import { TICKS_PER_SECOND } from '../../src/file-record.js';
import { copyFixtureRoot, fixtures, inspect, makeEndlessWav, tempFolder, waitFor } from '../integration/helpers.js';
import { realMusicDir } from '../real-music.js';
import { openPage } from './browser.js';
import { request, startService } from './helpers.js';

/** Short quiet times keep the test quick; the behaviour does not depend on them. */
const timing = { debounceMs: 300, stabilityMs: 300 };

interface WatchBody {
  mode: string;
  waiting?: string[];
  folders?: number;
  every_minutes?: number;
  reason?: string;
  last_import: { folders: string[]; session_id: string | null; state: string; failure: string | null } | null;
}

/** One query on a connection of its own, closed at once: the tests ask every 10 ms. */
function rows(root: string, sql: string, ...params: unknown[]): unknown[] {
  const db = inspect(join(root, 'wkmp.db'));
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

/** GET /import/watch until `wanted` says yes (every 50 ms; the deadline is a safety net, not a measurement). */
async function watchState(url: string, wanted: (body: WatchBody) => boolean): Promise<WatchBody> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    const body = (await request<WatchBody>(`${url}/import/watch`)).body;
    if (wanted(body)) return body;
    if (performance.now() > deadline) throw new Error(`the watcher never got there: ${JSON.stringify(body)}`);
    await delay(50);
  }
}

/** The id of the session importing `folder` once it runs (GET /import/active). */
async function waitForSession(url: string, folder: string): Promise<string> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    const { session } = (await request<{ session: { session_id: string; folder: string } | null }>(`${url}/import/active`)).body;
    if (session?.folder === folder) return session.session_id;
    if (performance.now() > deadline) throw new Error(`no import of ${folder} started`);
    await delay(50);
  }
}

const passagesAt = (root: string, path: string) =>
  rows(root, 'SELECT p.guid, p.end_time_ticks AS end FROM passages p JOIN files f ON f.guid = p.file_id WHERE f.path = ?', path) as { guid: string; end: number }[];

describe('wkmp-ai serve watches the root folder', () => {
  it('catches up on start with what changed while it was stopped, then says it is watching', async () => {
    const root = copyFixtureRoot();
    const service = await startService(root, { watch: timing });
    await waitFor(() => passagesAt(root, 'Artist B/Third.ogg').length === 1, 120_000, 'the catch-up import');
    const watch = await watchState(service.url, (body) => body.mode === 'watching' && body.last_import !== null);
    expect(watch).toMatchObject({ mode: 'watching', last_import: { folders: [''], state: 'COMPLETED', failure: null } });
    expect(watch.folders).toBeGreaterThanOrEqual(5);
    const sessions = rows(root, 'SELECT parameters FROM import_sessions') as { parameters: string }[];
    expect(sessions.map((row) => (JSON.parse(row.parameters) as { origin: string }).origin)).toEqual(['watch']);
  });

  it('imports a file written slowly in chunks once it is complete, and a folder moved while it watches keeps its guids', async () => {
    const root = copyFixtureRoot();
    await runImport({ rootFolder: root, jobs: 2 });
    const service = await startService(root, { watch: timing });
    await watchState(service.url, (body) => body.mode === 'watching');

    // A real song's FLAC copied in 16 KiB chunks, as a slow copy from a phone or a network share writes it.
    const source = readFileSync(join(realMusicDir(), 'singles', 'track29.flac'));
    mkdirSync(join(root, 'Incoming'));
    const target = join(root, 'Incoming', 'Slow.flac');
    writeFileSync(target, source.subarray(0, 16_384));
    for (let at = 16_384; at < source.length; at += 16_384) appendFileSync(target, source.subarray(at, at + 16_384));
    // Complete: its whole size and its one song's whole length, whatever partial imports happened on the way.
    const size = () => (rows(root, "SELECT file_size_bytes AS size FROM files WHERE path = 'Incoming/Slow.flac'")[0] as { size: number } | undefined)?.size;
    await waitFor(() => size() === source.length && passagesAt(root, 'Incoming/Slow.flac').length === 1, 120_000, 'the slowly written file to be imported whole');
    expect(passagesAt(root, 'Incoming/Slow.flac')[0]!.end / TICKS_PER_SECOND).toBeCloseTo(32.09, 0);
    const errors = rows(root, "SELECT path, code FROM import_errors WHERE path = 'Incoming/Slow.flac'");
    expect(errors).toEqual([]);

    const before = passagesAt(root, 'Artist B/Third.ogg');
    renameSync(join(root, 'Artist B'), join(root, 'Renamed B'));
    await waitFor(() => passagesAt(root, 'Renamed B/Third.ogg').length === 1, 120_000, 'the moved folder to be imported');
    expect(passagesAt(root, 'Renamed B/Third.ogg')).toEqual(before);
    expect(rows(root, "SELECT count(*) AS n FROM files WHERE path LIKE 'Artist B/%'")).toEqual([{ n: 0 }]);

    // The page says what the watcher does and what it imported last.
    const { page } = await openPage(service.url);
    await page.waitForSelector('#watch-state[data-mode="watching"]');
    expect(await page.locator('#watch-state').textContent()).toMatch(/^Folder watcher: watching \d+ folders · last imported .* \(completed\)$/);
  });

  it('queues what changes while an import runs, and imports it after that import, in a session of its own', async () => {
    const root = copyFixtureRoot();
    await runImport({ rootFolder: root, jobs: 2 });
    const service = await startService(root, { watch: timing });
    await watchState(service.url, (body) => body.mode === 'watching' && body.last_import !== null);
    // A file whose analysis never ends: the import of its folder runs until it is cancelled.
    mkdirSync(join(root, 'Slow'));
    makeEndlessWav(join(root, 'Slow', 'endless.wav'));
    const running = await waitForSession(service.url, 'Slow');

    mkdirSync(join(root, 'Incoming'));
    writeFileSync(join(root, 'Incoming', 'New.flac'), readFileSync(join(realMusicDir(), 'singles', 'track29.flac')));
    await watchState(service.url, (body) => (body.waiting ?? []).includes('Incoming'));
    expect(passagesAt(root, 'Incoming/New.flac')).toEqual([]);
    expect((await request(`${service.url}/import/cancel/${running}`, 'POST')).status).toBe(202);

    await waitFor(() => passagesAt(root, 'Incoming/New.flac').length === 1, 120_000, 'the queued folder to be imported');
    const sessions = rows(root, 'SELECT session_id AS id, state, folder, started_at AS startedAt, ended_at AS endedAt FROM import_sessions ORDER BY started_at, rowid') as
      { id: string; state: string; folder: string; startedAt: string; endedAt: string | null }[];
    const user = sessions.find((session) => session.id === running)!;
    const queued = sessions.find((session) => session.folder === 'Incoming')!;
    expect(user.state).toBe('CANCELLED');
    expect(queued.startedAt >= user.endedAt!).toBe(true);
  });

  it('waits while another process imports into the same database, then catches up', async () => {
    const root = copyFixtureRoot();
    await runImport({ rootFolder: root, jobs: 2 });
    mkdirSync(join(root, 'Slow'));
    makeEndlessWav(join(root, 'Slow', 'endless.wav'));
    mkdirSync(join(root, 'Incoming'));
    writeFileSync(join(root, 'Incoming', 'New.flac'), readFileSync(join(realMusicDir(), 'singles', 'track29.flac')));
    // Another process's import (its own connection and session claim), which runs until it is cancelled.
    const elsewhere = new AbortController();
    let otherSession = '';
    const other = runImport({ rootFolder: root, folder: 'Slow', jobs: 1, signal: elsewhere.signal, onEvent: (event) => {
      if (event.type === 'ImportSessionStarted') otherSession = event.sessionId;
    } });
    await waitFor(() => otherSession !== '', 60_000, 'the other import to start');
    const service = await startService(root, { watch: { ...timing, retryMs: 100 } });
    await watchState(service.url, (body) => body.mode === 'catching up' && (body.waiting ?? []).includes(''));
    expect(passagesAt(root, 'Incoming/New.flac')).toEqual([]);

    elsewhere.abort();
    expect((await other).state).toBe('CANCELLED');
    // The catch-up runs now (the endless file keeps it running: what it committed is what counts).
    await waitFor(() => passagesAt(root, 'Incoming/New.flac').length === 1, 120_000, 'the catch-up to import the new file');
    const sessions = rows(root, 'SELECT session_id AS id, state, parameters, started_at AS startedAt, ended_at AS endedAt FROM import_sessions ORDER BY started_at, rowid') as
      { id: string; state: string; parameters: string; startedAt: string; endedAt: string | null }[];
    const catchUp = sessions.at(-1)!;
    expect(catchUp.parameters).toContain('"origin":"watch"');
    expect(catchUp.startedAt >= sessions.find((session) => session.id === otherSession)!.endedAt!).toBe(true);
  });

  it('a root folder that goes away while it watches is offline: the import says why, and nothing is marked missing', async () => {
    const root = join(tempFolder(), 'music');
    cpSync(join(fixtures, 'library'), root, { recursive: true });
    const database = join(tempFolder(), 'wkmp.db');
    const service = await startService(root, { database, watch: timing });
    await watchState(service.url, (body) => body.mode === 'watching' && body.last_import !== null);
    rmSync(root, { recursive: true });

    const watch = await watchState(service.url, (body) => body.last_import?.state === 'FAILED');
    expect(watch.last_import!.failure).toBe(`root folder ${root} does not exist or is not a folder; pass --root-folder or set WKMP_ROOT_FOLDER`);
    const db = inspect(database);
    try {
      expect(db.prepare('SELECT count(*) AS n FROM files WHERE missing_since IS NOT NULL').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM files').get()).toEqual({ n: 7 });
    } finally {
      db.close();
    }
  });

  it('polls where events do not arrive (the root on an NFS mount), and says why', async () => {
    const root = copyFixtureRoot();
    const mountInfo = `25 1 0:23 / ${root.replaceAll(' ', '\\040')} rw,relatime shared:1 - nfs4 nas:/music rw,vers=4.2\n`;
    const service = await startService(root, { watch: { ...timing, mountInfo } });
    const watch = await watchState(service.url, (body) => body.mode === 'polling');
    expect(watch).toMatchObject({ mode: 'polling', every_minutes: 15 });
    expect(watch.reason).toBe(`the library is on a nfs4 mount (nas:/music at ${root}): changes made from other machines send no events`);
  });

  it('does not watch with --no-watch, and says so', async () => {
    const root = copyFixtureRoot();
    const service = await startService(root, { watch: false });
    expect((await request<WatchBody>(`${service.url}/import/watch`)).body).toEqual({ mode: 'off', reason: 'started with --no-watch', last_import: null });
    expect(rows(root, 'SELECT count(*) AS n FROM import_sessions')).toEqual([{ n: 0 }]);
  });
});
