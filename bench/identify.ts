/**
 * npm run bench:identify -- [--albums N] [--tracks N] [--singles N] [--latency MS] [--json] [--smoke]
 *
 * The identification queue against the fake AcoustID and MusicBrainz (test/support/), which
 * answer after `--latency` ms (default 150) with the real services' shapes, at the real services'
 * paces (the settings' defaults: AcoustID 400 ms apart, MusicBrainz 1100 ms). The library: 100
 * albums of 12 tracks and 100 singles by default, recorded as an import records them. Reported:
 * requests per identified passage to each service (target ≤ 0.15 for album-shaped libraries), the
 * wall time against the floor the paces set, what a client asking once per track to each service
 * would spend, and what a second run costs (nothing: the caches answer).
 * `--smoke`: 2 albums and 2 singles, no latency, no pace, for `npm test`; exits 1 when a passage
 * is not identified or the second run asks anything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openWkmpDatabase } from '../src/db/setup.js';
import { runIdentificationQueue, type IdentificationServices } from '../src/identify/queue.js';
import { SharedPace } from '../src/queue/pace.js';
import type { WkmpDatabase } from '../src/db/setup.js';
import { settingOf } from '../src/config/settings.js';
import { startFakeServices, type FakeServices } from '../test/support/fake-identification-services.js';
import { makeLibrary, recordLibrary } from '../test/support/identify-library.js';

/** The paces kept in the database, as wkmp-ai keeps them for every process on it. */
function servicesAt(fake: FakeServices, db: WkmpDatabase, paced: boolean): IdentificationServices {
  const [acoustIdMs, musicBrainzMs] = paced ? [settingOf('acoustid_min_interval_ms').defaultValue(), settingOf('musicbrainz_min_interval_ms').defaultValue()] : [0, 0];
  return {
    acoustId: { baseUrl: fake.acoustIdUrl, key: 'test-key', pacer: new SharedPace(db, fake.acoustIdUrl, acoustIdMs) },
    musicBrainz: { baseUrl: fake.musicBrainzUrl, userAgent: 'wkmp-ai/bench ( bench@example.org )', pacer: new SharedPace(db, fake.musicBrainzUrl, musicBrainzMs) },
    cacheTtlDays: 90,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      albums: { type: 'string', default: '100' },
      tracks: { type: 'string', default: '12' },
      singles: { type: 'string', default: '100' },
      latency: { type: 'string', default: '150' },
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  });
  const shape = values.smoke ? { albums: 2, tracksPerAlbum: 12, singles: 2 } : { albums: Number(values.albums), tracksPerAlbum: Number(values.tracks), singles: Number(values.singles) };
  const latencyMs = values.smoke ? 0 : Number(values.latency);
  const paced = !values.smoke;
  const library = makeLibrary(shape, 'bench');
  const passages = library.records.length;
  const fake = await startFakeServices({ catalogue: library.catalogue, latencyMs });
  const folder = mkdtempSync(join(tmpdir(), 'wkmp-bench-identify-'));
  const db = openWkmpDatabase(join(folder, 'wkmp.db'));
  try {
    await recordLibrary(db, library.records);
    const started = performance.now();
    const first = await runIdentificationQueue({ db, services: servicesAt(fake, db, paced) });
    const seconds = (performance.now() - started) / 1000;
    await recordLibrary(db, library.records.map((record) => ({ ...record, change: 'changed' as const })));
    const second = await runIdentificationQueue({ db, services: servicesAt(fake, db, paced) });

    const identified = first.finished.done;
    const { acoustId, musicBrainz } = first.requests;
    const albumsOnly = shape.albums * shape.tracksPerAlbum;
    // The paces set the least time: each service's requests one interval apart, the two services one after the other per album.
    const floorSeconds = paced ? Math.max(acoustId * settingOf('acoustid_min_interval_ms').defaultValue(), musicBrainz * settingOf('musicbrainz_min_interval_ms').defaultValue()) / 1000 : 0;
    const perTrackFloor = paced ? (passages * settingOf('musicbrainz_min_interval_ms').defaultValue()) / 1000 : 0;
    const problems = [
      ...(identified !== passages ? [`identified ${identified} of ${passages} passages`] : []),
      ...(second.requests.acoustId + second.requests.musicBrainz > 0 ? [`the second run asked ${JSON.stringify(second.requests)}`] : []),
      ...(second.finished.done !== passages ? [`the second run identified ${second.finished.done} of ${passages}`] : []),
    ];
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ shape, latencyMs, paced, passages, identified, seconds, requests: first.requests, secondRun: second.requests, floorSeconds, problems })}\n`);
    } else {
      console.log(`bench:identify ${shape.albums} albums × ${shape.tracksPerAlbum} tracks + ${shape.singles} singles (${passages} passages); answers after ${latencyMs} ms; ${paced ? `paces ${settingOf('acoustid_min_interval_ms').defaultValue()} / ${settingOf('musicbrainz_min_interval_ms').defaultValue()} ms` : 'no pace'}`);
      console.log(`identified ${identified} of ${passages} in ${seconds.toFixed(1)} s`);
      console.log(`AcoustID requests ${acoustId}: ${(acoustId / identified).toFixed(3)} per identified passage (target ≤ 0.15)`);
      console.log(`MusicBrainz requests ${musicBrainz}: ${(musicBrainz / identified).toFixed(3)} per identified passage (target ≤ 0.15 on album-shaped libraries; the albums alone: ${shape.albums} for ${albumsOnly} passages, ${(shape.albums / Math.max(albumsOnly, 1)).toFixed(3)})`);
      console.log(`floor set by the paces: ${floorSeconds.toFixed(1)} s; wall / floor ${floorSeconds > 0 ? (seconds / floorSeconds).toFixed(2) : '-'}`);
      console.log(`a client asking once per track: ${passages} AcoustID + ${passages} MusicBrainz requests, floor ${perTrackFloor.toFixed(1)} s`);
      console.log(`second run (re-recorded, caches warm): AcoustID ${second.requests.acoustId}, MusicBrainz ${second.requests.musicBrainz} requests`);
    }
    for (const problem of problems) console.error(`bench:identify --smoke: ${problem}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await db.close();
    await fake.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
