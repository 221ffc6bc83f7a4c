/**
 * The service identifies in the background: at start-up the passages an earlier run left waiting,
 * after a settings write that brings a key, and it says what the queue is doing
 * (GET /import/identification); POST /import/validate-acoustid asks AcoustID about a key.
 * Against the fake AcoustID and MusicBrainz on 127.0.0.1.
 */
import { storeSettings } from '../../src/db/queries/settings.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openWkmpDatabase } from '../../src/db/setup.js';
import type { QueueProgress } from '../../src/identify/queue.js';
import { startFakeServices, type FakeServices } from '../support/fake-identification-services.js';
import { makeLibrary, recordLibrary, settingsFor } from '../support/identify-library.js';
import { tempFolder } from '../integration/helpers.js';
import { request, startService } from './helpers.js';

const fakes: FakeServices[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

/** A root whose wkmp.db holds an identified-nothing library and settings pointing at `services`. */
async function libraryRoot(services: FakeServices, library: ReturnType<typeof makeLibrary>, key: string | null): Promise<string> {
  const root = tempFolder();
  const db = openWkmpDatabase(join(root, 'wkmp.db'));
  await recordLibrary(db, library.records);
  await db.recorder.write(storeSettings(settingsFor(services, key)));
  await db.close();
  return root;
}

/** Asks GET /import/identification until `wanted` holds (a safety net of 30 s, not a measurement). */
async function queueWhen(url: string, wanted: (queue: QueueProgress & { running: boolean }) => boolean): Promise<QueueProgress & { running: boolean }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const queue = (await request<QueueProgress & { running: boolean }>(`${url}/import/identification`)).body;
    if (wanted(queue)) return queue;
    if (Date.now() > deadline) throw new Error(`the queue never got there: ${JSON.stringify(queue)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('identification in the service', () => {
  it('identifies at start-up what waits, and again once a settings write brings a key', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 5, singles: 1 });
    const services = await startFakeServices({ catalogue: library.catalogue });
    fakes.push(services);
    const root = await libraryRoot(services, library, null);
    const { url } = await startService(root);
    const state = await queueWhen(url, (queue) => !queue.running && queue.paused !== null);
    expect(state.paused).toMatch(/^no AcoustID key/);
    expect(state.counts).toMatchObject({ waiting: 6, done: 0 });
    expect(services.log).toHaveLength(0);

    const written = await request(`${url}/api/settings`, 'POST', { acoustid_api_key: 'test-key' });
    expect(written.status).toBe(200);
    const done = await queueWhen(url, (queue) => queue.counts.done === 6);
    expect(done).toMatchObject({ paused: null, counts: { waiting: 0, done: 6 } });
    // One batch to AcoustID; the album's release and the single's.
    expect(services.log.map((e) => e.service)).toEqual(['acoustid', 'musicbrainz', 'musicbrainz']);
  });

  it('says whether AcoustID takes a key, and when it cannot be asked', async () => {
    const library = makeLibrary({ albums: 0, tracksPerAlbum: 0, singles: 0 });
    const services = await startFakeServices({ catalogue: library.catalogue });
    fakes.push(services);
    const root = await libraryRoot(services, library, null);
    const { url } = await startService(root);
    expect((await request(`${url}/import/validate-acoustid`, 'POST', { api_key: 'test-key' })).body).toEqual({ valid: true, message: 'AcoustID takes this key' });
    expect((await request(`${url}/import/validate-acoustid`, 'POST', { api_key: 'wrong' })).body).toEqual({ valid: false, message: 'AcoustID refuses this key' });
    const none = await request(`${url}/import/validate-acoustid`, 'POST', {});
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ message: 'no AcoustID key given, and none is set (acoustid_api_key, WKMP_ACOUSTID_API_KEY)' });
    services.misbehave('acoustid', { kind: 'unavailable' });
    const down = await request(`${url}/import/validate-acoustid`, 'POST', { api_key: 'test-key' });
    expect(down.status).toBe(502);
    expect(down.body).toMatchObject({ message: expect.stringMatching(/^AcoustID could not say: AcoustID: /) as unknown });
  });
});
