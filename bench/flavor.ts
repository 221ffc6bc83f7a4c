/**
 * npm run bench:flavor -- [--recordings N] [--latency MS] [--documents M] [--json] [--smoke]
 *
 * 1. The AcousticBrainz queue against the fake AcousticBrainz (test/support/), which answers after
 *    `--latency` ms (default 50) with the real service's shapes and its documented rate limit (10
 *    requests per 10 s, counted in fixed windows), at the default pace (acousticbrainz_min_interval_ms).
 *    The library: `--recordings` (default 1000) identified passages, one in ten unknown to
 *    AcousticBrainz. Reported: requests per recording (target ≤ 0.05), requests refused (429), the
 *    wall time against the floor the pace sets, what a client asking once per recording would
 *    spend, and what a second run costs (nothing).
 * 2. A dump archive of `--documents` (default 50,000) high-level documents in AcousticBrainz's
 *    layout, a tenth of them of this library's recordings, read by `wkmp-ai flavor --from-dump`'s
 *    code in a process of its own: documents and megabytes per second, and its peak resident memory,
 *    beside the same reading of an archive a quarter of the size (bounded: about the same).
 * `--smoke`: 60 recordings unpaced, no latency, 2,000 documents, for `npm test`; exits 1 when a
 * recording is not flavored, the second run asks anything, or a dump's documents are not all stored.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { settingOf } from '../src/config/settings.js';
import { openWkmpDatabase, type WkmpDatabase } from '../src/db/setup.js';
import type { DumpSummary } from '../src/flavoring/dump.js';
import { runFlavorQueue } from '../src/flavoring/queue.js';
import { SharedPace } from '../src/queue/pace.js';
import { documentMember, writeDumpArchive, type DumpMember } from '../test/support/acousticbrainz-dump.js';
import { highLevelDocument, startFakeAcousticBrainz, type FakeAcousticBrainz } from '../test/support/fake-acousticbrainz.js';
import { makeFlavorLibrary, recordFlavorLibrary } from '../test/support/flavor-library.js';
import { uuidOf } from '../test/support/identify-library.js';

interface DumpRun { summary: DumpSummary; documentsPerSecond: number; megabytesPerSecond: number; peakRssMb: number; startRssMb: number }

function clientAt(fake: FakeAcousticBrainz, db: WkmpDatabase, intervalMs: number) {
  return { baseUrl: fake.url, userAgent: 'wkmp-ai/bench', pacer: new SharedPace(db, fake.url, intervalMs) };
}

async function queueBench(recordings: number, latencyMs: number, paced: boolean, folder: string) {
  const library = makeFlavorLibrary(recordings, { unknownEvery: 10, prefix: 'bench' });
  const fake = await startFakeAcousticBrainz({ recordings: library.recordings, latencyMs });
  const db = openWkmpDatabase(join(folder, 'queue.db'));
  try {
    await recordFlavorLibrary(db, library.records);
    const intervalMs = paced ? settingOf('acousticbrainz_min_interval_ms').defaultValue() : 0;
    const started = performance.now();
    const first = await runFlavorQueue({ db, client: clientAt(fake, db, intervalMs) });
    const seconds = (performance.now() - started) / 1000;
    const asked = fake.log.length;
    await runFlavorQueue({ db, client: clientAt(fake, db, intervalMs) });
    return {
      recordings, latencyMs, intervalMs, seconds, requests: asked, refused: fake.log.filter((entry) => entry.status === 429).length,
      flavored: first.finished.known + first.finished.unknown, songs: first.flavored.songs, passages: first.flavored.passages,
      secondRunRequests: fake.log.length - asked, floorSeconds: ((asked - 1) * intervalMs) / 1000,
    };
  } finally {
    await db.close();
    await fake.close();
  }
}

/** `documents` members, the first in ten of this library's `library` recordings, the rest of others. */
function* dumpMembers(documents: number, libraryMbids: readonly string[]): Generator<DumpMember> {
  for (let i = 0; i < documents; i += 1) {
    const mbid = i % 10 === 0 && i / 10 < libraryMbids.length ? libraryMbids[i / 10]! : uuidOf(`dump other ${i}`);
    yield documentMember(mbid, 0, highLevelDocument(mbid, (i % 991) / 991, 120 + (i % 300)));
  }
}

async function dumpBench(documents: number, folder: string, name: string): Promise<DumpRun & { archiveMb: number }> {
  const library = makeFlavorLibrary(Math.ceil(documents / 10), { prefix: `bench dump ${name}` });
  const database = join(folder, `${name}.db`);
  const db = openWkmpDatabase(database);
  await recordFlavorLibrary(db, library.records);
  await db.close();
  const file = join(folder, `${name}.tar.zst`);
  await writeDumpArchive(file, dumpMembers(documents, library.mbids));
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./flavor-dump-child.ts', import.meta.url)), database, file], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (child.status !== 0) throw new Error(`the dump reading failed: ${child.stderr}`);
  return { ...(JSON.parse(child.stdout) as DumpRun), archiveMb: statSync(file).size / 1e6 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      recordings: { type: 'string', default: '1000' },
      latency: { type: 'string', default: '50' },
      documents: { type: 'string', default: '50000' },
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  });
  const recordings = values.smoke ? 60 : Number(values.recordings);
  const latencyMs = values.smoke ? 0 : Number(values.latency);
  const documents = values.smoke ? 2000 : Number(values.documents);
  const folder = mkdtempSync(join(tmpdir(), 'wkmp-bench-flavor-'));
  try {
    const queue = await queueBench(recordings, latencyMs, !values.smoke, folder);
    const small = await dumpBench(Math.round(documents / 4), folder, 'small');
    const large = await dumpBench(documents, folder, 'large');
    const problems = [
      ...(queue.flavored !== recordings ? [`flavored ${queue.flavored} of ${recordings} recordings`] : []),
      ...(queue.secondRunRequests > 0 ? [`the second run asked ${queue.secondRunRequests} requests`] : []),
      ...(queue.refused > 0 ? [`${queue.refused} requests were refused (429)`] : []),
      ...[small, large].flatMap((run) => (run.summary.complete && run.summary.stored === Math.ceil(run.summary.members / 10)
        ? [] : [`a dump of ${run.summary.members} documents stored ${run.summary.stored} (complete: ${run.summary.complete}, ${run.summary.error ?? 'no error'})`])),
    ];
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ queue, dump: { small, large }, problems })}\n`);
    } else {
      const perRecording = queue.requests / recordings;
      console.log(`bench:flavor queue: ${recordings} recordings (a tenth unknown to AcousticBrainz); answers after ${latencyMs} ms; ${queue.intervalMs > 0 ? `pace ${queue.intervalMs} ms, the fake's limit 10 per 10 s` : 'no pace'}`);
      console.log(`flavored ${queue.flavored} recordings (${queue.songs} songs, ${queue.passages} passages) in ${queue.seconds.toFixed(1)} s`);
      console.log(`requests ${queue.requests}: ${perRecording.toFixed(3)} per recording (target ≤ 0.05); refused (429) ${queue.refused}`);
      console.log(`floor set by the pace: ${queue.floorSeconds.toFixed(1)} s; wall / floor ${queue.floorSeconds > 0 ? (queue.seconds / queue.floorSeconds).toFixed(2) : '-'}`);
      console.log(`a client asking once per recording: ${recordings} requests, ${(recordings / Math.max(queue.requests, 1)).toFixed(1)}x as many`);
      for (const run of [small, large]) {
        const s = run.summary;
        console.log(`dump of ${s.members} documents (${run.archiveMb.toFixed(1)} MB zstd, ${s.stored} of this library's stored): ${Math.round(run.documentsPerSecond)} documents/s, ${run.megabytesPerSecond.toFixed(1)} MB/s of archive, ${(s.durationMs / 1000).toFixed(1)} s; peak RSS ${run.peakRssMb.toFixed(0)} MB (at start ${run.startRssMb.toFixed(0)} MB)`);
      }
      console.log(`peak memory, ${large.summary.members} documents / ${small.summary.members}: ${(large.peakRssMb / small.peakRssMb).toFixed(2)} (bounded: about 1 for 4x the archive)`);
      console.log(`second run (caches warm): ${queue.secondRunRequests} requests`);
    }
    for (const problem of problems) console.error(`bench:flavor --smoke: ${problem}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
