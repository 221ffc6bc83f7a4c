/**
 * One runner per database for a background queue (src/queue/lease.ts): a second process is told who
 * runs it and waits, never works the same jobs at the same time; a holder that stopped without
 * letting go is taken over, and finds out. Time is the test's own (ManualClock), so nothing here
 * waits on the machine's speed.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { getLeaseHolder } from '../../src/db/leases.js';
import { openWkmpDatabase, type WkmpDatabase } from '../../src/db/setup.js';
import { storeSettings } from '../../src/db/queries/settings.js';
import { describeHolder, LeaseLostError, QueueLease } from '../../src/queue/lease.js';
import { IdentificationRunner } from '../../src/server/identification-runner.js';
import { ManualClock } from '../support/clocks.js';
import { startFakeServices } from '../support/fake-identification-services.js';
import { makeLibrary, recordLibrary, settingsFor } from '../support/identify-library.js';
import { spawnCli, spawnNode, tempFolder, waitFor } from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

function database(): { db: WkmpDatabase; path: string } {
  const path = join(tempFolder(), 'wkmp.db');
  const db = openWkmpDatabase(path);
  open.push(db);
  return { db, path };
}

/** Work that holds on until the test lets it go, and tells whether it was stopped. */
function heldWork(): { work: (signal: AbortSignal) => Promise<string>; started: Promise<void>; finish: () => void } {
  let finish!: () => void;
  let started!: () => void;
  const begun = new Promise<void>((resolve) => { started = resolve; });
  const done = new Promise<void>((resolve) => { finish = resolve; });
  return {
    started: begun,
    finish,
    work: (signal) => new Promise<string>((resolve, reject) => {
      started();
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      void done.then(() => resolve('finished'));
    }),
  };
}

describe('a queue\'s lease', () => {
  it('runs the work of one holder at a time, names it to the other, and is free again once the work is done', async () => {
    const { db } = database();
    const clock = new ManualClock();
    const serve = new QueueLease(db, { name: 'identification', label: 'wkmp-ai serve', clock });
    const cli = new QueueLease(db, { name: 'identification', label: 'wkmp-ai identify', clock });
    const held = heldWork();
    const running = serve.runExclusive(held.work);
    await held.started;
    const refused = await cli.runExclusive(async () => 'never');
    expect(refused).toMatchObject({ ran: false, holder: { label: 'wkmp-ai serve', pid: process.pid, host: hostname(), acquiredAtMs: clock.now() } });
    expect(describeHolder((refused as { holder: Parameters<typeof describeHolder>[0] }).holder))
      .toBe(`process ${process.pid} on ${hostname()} (wkmp-ai serve) since ${new Date(clock.now()).toISOString()}`);
    held.finish();
    expect(await running).toEqual({ ran: true, result: 'finished' });
    expect(getLeaseHolder(db.read, 'identification')).toBeUndefined();
    expect(await cli.runExclusive(async () => 'mine now')).toEqual({ ran: true, result: 'mine now' });
  });

  it('is taken over once its holder\'s heartbeat is stale, and the holder, renewing, learns it lost it and stops', async () => {
    const { db } = database();
    const clock = new ManualClock();
    // Beats only when the test says: the heartbeat timer is an hour away.
    const options = { name: 'identification', clock, heartbeatMs: 3_600_000, staleAfterMs: 30_000 };
    const first = new QueueLease(db, { ...options, label: 'first' });
    const second = new QueueLease(db, { ...options, label: 'second' });
    const held = heldWork();
    const running = first.runExclusive(held.work);
    await held.started;
    clock.advance(20_000);
    expect(await first.renew()).toBe(true);
    clock.advance(29_000);
    expect(await second.runExclusive(async () => 'too early')).toMatchObject({ ran: false, holder: { label: 'first' } });
    clock.advance(2_000); // 31 s since the last beat
    const taken = heldWork();
    const takeover = second.runExclusive(taken.work);
    await taken.started;
    expect(getLeaseHolder(db.read, 'identification')).toMatchObject({ label: 'second' });
    expect(await first.renew()).toBe(false);
    await expect(running).rejects.toBeInstanceOf(LeaseLostError);
    // The first letting go does not free the second's lease.
    expect(getLeaseHolder(db.read, 'identification')).toMatchObject({ label: 'second' });
    taken.finish();
    expect(await takeover).toEqual({ ran: true, result: 'finished' });
  });

  it('is taken over at once from a process of this host that is gone', async () => {
    const { db } = database();
    const gone = spawnNode(['-e', '']);
    const pid = gone.child.pid!;
    await gone.exited;
    const clock = new ManualClock();
    const dead = new QueueLease(db, { name: 'identification', label: 'dead', clock });
    // A row as a killed process leaves it: written here with its pid.
    const held = heldWork();
    const running = dead.runExclusive(held.work);
    await held.started;
    const raw = new Database(db.path);
    raw.prepare('UPDATE wkmp_ai_leases SET holder_pid = ? WHERE name = ?').run(pid, 'identification');
    raw.close();
    const alive = new QueueLease(db, { name: 'identification', label: 'alive', clock });
    expect(await alive.runExclusive(async () => 'taken over')).toEqual({ ran: true, result: 'taken over' });
    held.finish();
    await running;
  });
});

describe('identification by two processes on one database', () => {
  it('`wkmp-ai identify` beside a running service waits for it (or says who with --no-wait), and no passage is asked for twice', { timeout: 120_000 }, async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 3, singles: 0 });
    const services = await startFakeServices({ catalogue: library.catalogue });
    open.push(services);
    const { db, path } = database();
    await recordLibrary(db, library.records);
    await db.recorder.write(storeSettings(settingsFor(services)));
    // The service's run is held at its AcoustID request until the test lets it answer.
    const release = services.holdAnswers('acoustid');
    const runner = new IdentificationRunner(db);
    open.push(runner);
    runner.kick();
    await waitFor(() => services.log.length === 1, 20_000, 'the service\'s AcoustID request');
    const holder = `process ${process.pid} on ${hostname()} \\(wkmp-ai serve\\) since \\S+`;

    const impatient = await spawnCli(['identify', '--db', path, '--no-wait', '--json']).exited;
    expect(impatient.code).toBe(1);
    expect(impatient.stderr).toMatch(new RegExp(`^wkmp-ai: identification is running in ${holder}; it does the work \\(run again without --no-wait to wait for it\\)\\n$`));
    expect(impatient.stdout).toBe('');

    const patient = spawnCli(['identify', '--db', path, '--json']);
    await waitFor(() => patient.output().stderr.includes('waiting'), 30_000, 'the command line to say it waits', patient.exited);
    expect(patient.output().stderr).toMatch(new RegExp(`^wkmp-ai: identification is running in ${holder}; waiting for it to finish \\(Ctrl-C stops waiting\\)\\n$`));
    release();
    await runner.idle();
    expect(runner.status().counts).toMatchObject({ done: 3, waiting: 0 });
    const waited = await patient.exited;
    expect(waited.code, waited.stderr).toBe(0);
    // The service did the work; the command line, once it had the lease, found nothing left.
    expect(JSON.parse(waited.stdout)).toMatchObject({ finished: { done: 0, noMatch: 0, failed: 0 }, requests: { acoustId: 0, musicBrainz: 0 } });
    expect(services.log.map((entry) => entry.service)).toEqual(['acoustid', 'musicbrainz']);
  });

  it('the service says which process runs the queue while `wkmp-ai identify` does, and goes on after it', { timeout: 120_000 }, async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 2, singles: 0 });
    const services = await startFakeServices({ catalogue: library.catalogue });
    open.push(services);
    const { db, path } = database();
    await recordLibrary(db, library.records);
    await db.recorder.write(storeSettings(settingsFor(services)));
    const release = services.holdAnswers('acoustid');
    const cli = spawnCli(['identify', '--db', path, '--json']);
    await waitFor(() => services.log.length === 1, 30_000, 'the command line\'s AcoustID request', cli.exited);
    const clock = new ManualClock();
    const runner = new IdentificationRunner(db, { clock, leasePollMs: 15_000 });
    open.push(runner);
    runner.kick();
    await runner.idle();
    expect(runner.status()).toMatchObject({ running: false, elsewhere: expect.stringMatching(new RegExp(`^process ${cli.child.pid} on ${hostname()} \\(wkmp-ai identify\\) since `)) as unknown });
    expect(services.log).toHaveLength(1);
    release();
    expect((await cli.exited).code).toBe(0);
    // It asks again at its next poll, and finds the work done.
    await waitFor(() => clock.sleeping === 1, 10_000, 'the service to wait for its next poll');
    clock.advance(15_000);
    await waitFor(() => runner.status().elsewhere === null && !runner.status().running, 10_000, 'the service to take the lease');
    expect(runner.status().counts).toMatchObject({ done: 2, waiting: 0 });
    expect(services.log.map((entry) => entry.service)).toEqual(['acoustid', 'musicbrainz']);
  });
});
