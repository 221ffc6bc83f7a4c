/**
 * The service gives songs their AcousticBrainz flavor in the background: at start-up what waits,
 * after identification writes songs, after a settings write (another address); it says what the
 * queue does (GET /import/flavor) and sends it as FlavorProgress events. Against the fake
 * AcousticBrainz (and the fake AcoustID and MusicBrainz) on 127.0.0.1.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { storeSettings } from '../../src/db/queries/settings.js';
import { openWkmpDatabase } from '../../src/db/setup.js';
import type { FlavorStatus } from '../../src/flavoring/queue.js';
import { highLevelDocument, startFakeAcousticBrainz, type FakeAcousticBrainz } from '../support/fake-acousticbrainz.js';
import { startFakeServices } from '../support/fake-identification-services.js';
import { makeFlavorLibrary, recordFlavorLibrary } from '../support/flavor-library.js';
import { makeLibrary, recordLibrary, settingsFor } from '../support/identify-library.js';
import { tempFolder } from '../integration/helpers.js';
import { request, SseClient, startService } from './helpers.js';

const fakes: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function fakeAcousticBrainz(recordings: Map<string, unknown[]>): Promise<FakeAcousticBrainz> {
  const fake = await startFakeAcousticBrainz({ recordings, rateLimit: { perWindow: 1000, windowSeconds: 10 } });
  fakes.push(fake);
  return fake;
}

/** Asks GET /import/flavor until `wanted` holds (a safety net of 30 s, not a measurement). */
async function flavorWhen(url: string, wanted: (status: FlavorStatus) => boolean): Promise<FlavorStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = (await request<FlavorStatus>(`${url}/import/flavor`)).body;
    if (wanted(status)) return status;
    if (Date.now() > deadline) throw new Error(`the queue never got there: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('AcousticBrainz in the service', () => {
  it('flavors at start-up what waits, says so at GET /import/flavor and in FlavorProgress events', async () => {
    const library = makeFlavorLibrary(30, { unknownEvery: 10 });
    const fake = await fakeAcousticBrainz(library.recordings);
    const root = tempFolder();
    const db = openWkmpDatabase(join(root, 'wkmp.db'));
    await recordFlavorLibrary(db, library.records);
    await db.recorder.write(storeSettings(new Map([['acousticbrainz_base_url', fake.url], ['acousticbrainz_min_interval_ms', '0']])));
    await db.close();
    const { url } = await startService(root);
    const client = await SseClient.connect(`${url}/import/events`);
    const done = await flavorWhen(url, (status) => status.counts.known + status.counts.unknown === 30 && !status.running);
    expect(done).toMatchObject({ running: false, elsewhere: null, paused: null, counts: { recordings: 30, known: 27, unknown: 3, waiting: 0, failed: 0 } });
    expect(fake.log).toHaveLength(2);
    await client.until(() => client.named('FlavorProgress').some((m) => (m.data as { flavor: FlavorStatus }).flavor.counts.waiting === 0), 10_000, 'the last FlavorProgress');
    expect(client.named('FlavorProgress')[0]!.data).toMatchObject({ type: 'FlavorProgress', flavor: { counts: { recordings: 30 } } });
  });

  it('pauses while AcousticBrainz is gone, and goes on at once when a settings write gives it another address', async () => {
    const library = makeFlavorLibrary(5);
    const gone = await fakeAcousticBrainz(library.recordings);
    gone.setGone(true);
    const mirror = await fakeAcousticBrainz(library.recordings);
    const root = tempFolder();
    const db = openWkmpDatabase(join(root, 'wkmp.db'));
    await recordFlavorLibrary(db, library.records);
    await db.recorder.write(storeSettings(new Map([['acousticbrainz_base_url', gone.url], ['acousticbrainz_min_interval_ms', '0']])));
    await db.close();
    const { url } = await startService(root);
    const paused = await flavorWhen(url, (status) => status.paused !== null && !status.running);
    expect(paused.paused).toMatch(new RegExp(`^AcousticBrainz does not answer at ${gone.url} \\(`));
    expect(paused.counts).toMatchObject({ waiting: 5, failed: 0 });

    expect((await request(`${url}/api/settings`, 'POST', { acousticbrainz_base_url: mirror.url })).status).toBe(200);
    const done = await flavorWhen(url, (status) => status.counts.known === 5);
    expect(done).toMatchObject({ paused: null, counts: { waiting: 0 } });
    expect(mirror.log).toHaveLength(1);
  });

  it('without an address stored, asks the one WKMP_ACOUSTICBRAINZ_URL gives (the tests\': nothing listens there)', async () => {
    const library = makeFlavorLibrary(2);
    const root = tempFolder();
    const db = openWkmpDatabase(join(root, 'wkmp.db'));
    await recordFlavorLibrary(db, library.records);
    await db.close();
    const { url } = await startService(root);
    const settings = await request<{ settings: Record<string, string | null> }>(`${url}/api/settings`);
    expect(settings.body.settings.acousticbrainz_base_url).toBeNull();
    const paused = await flavorWhen(url, (status) => status.paused !== null);
    expect(paused.paused).toMatch(/^AcousticBrainz does not answer at http:\/\/127\.0\.0\.1:2 \(.*ECONNREFUSED/);
  });

  it('flavors the songs identification writes, as soon as it writes them', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 4, singles: 0 }, 'flavored');
    const services = await startFakeServices({ catalogue: library.catalogue });
    fakes.push(services);
    const documents = new Map(library.catalogue.recordings.map((recording, i) => [recording.mbid, [highLevelDocument(recording.mbid, i / 4)]]));
    const fake = await fakeAcousticBrainz(documents);
    const root = tempFolder();
    const db = openWkmpDatabase(join(root, 'wkmp.db'));
    await recordLibrary(db, library.records);
    await db.recorder.write(storeSettings(new Map([...settingsFor(services), ['acousticbrainz_base_url', fake.url], ['acousticbrainz_min_interval_ms', '0']])));
    await db.close();
    const { url } = await startService(root);
    const done = await flavorWhen(url, (status) => status.counts.known === 4);
    expect(done.counts).toMatchObject({ recordings: 4, known: 4, waiting: 0 });
    expect(fake.log.flatMap((entry) => entry.asked.map((a) => a.mbid)).sort()).toEqual([...documents.keys()].sort());
  });
});
