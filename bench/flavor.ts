/**
 * npm run bench:flavor -- [--recordings N] [--latency MS] [--documents M] [--library DIR] [--json] [--smoke]
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
 * 3. A real library imported in full (bench/import-child.mjs, on the built JavaScript): the audio
 *    files of `--library` (default: Debian's asc-music and drascula-music soundtracks, copied), how
 *    many of the analysed passages have a flavor (target: all), and what measuring the local
 *    descriptors costs: the meter timed over every file's analysis signal (decoded as the import
 *    decodes), in CPU per audio second and against the rest of the import's CPU (node's threads and
 *    ffmpeg; target ≤ 15 % more).
 * `--smoke`: 60 recordings unpaced, no latency, 2,000 documents, two soundtrack pieces, for
 * `npm test`; exits 1 when a recording is not flavored, the second run asks anything, a dump's
 * documents are not all stored, or an analysed passage has no flavor.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ffmpegArguments } from '../src/analysis/decode/ffmpeg.js';
import { AudioFeatureMeter } from '../src/analysis/features/measure.js';
import { PcmStore } from '../src/analysis/pcm-store.js';
import { settingOf } from '../src/config/settings.js';
import type { ImportSummary } from '../src/import/events.js';
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

const soundtracks = ['/usr/share/games/asc/music', '/usr/share/scummvm/drascula/audio'];
const analysisRate = 11025;

/** The soundtrack pieces there are (all, or two of about a minute for --smoke), copied into `root`. */
function copySoundtracks(root: string, smoke: boolean): number {
  const pieces = soundtracks.filter((dir) => existsSync(dir)).flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
  const chosen = smoke ? pieces.filter((path) => /track(4|8)\.ogg$/.test(path)) : pieces;
  for (const path of chosen) copyFileSync(path, join(root, path.split('/').pop()!));
  return chosen.length;
}

/** A file's analysis signal, decoded as the import decodes it, kept as the worker keeps it (16-bit). */
function analysisSignal(path: string): PcmStore {
  const decoded = spawnSync('ffmpeg', ffmpegArguments(path, analysisRate), { maxBuffer: 1 << 30 });
  if (decoded.status !== 0) throw new Error(`ffmpeg could not decode ${path}`);
  const store = new PcmStore();
  store.push(new Float32Array(new Uint8Array(decoded.stdout).buffer));
  return store;
}

/**
 * CPU seconds the local descriptors take over every file's whole analysis signal, fed from the
 * 16-bit copy as the worker feeds them: all decoded first, so that no decode's garbage is collected
 * while the meter is timed; one round, cold, as a worker starts.
 */
function featureSeconds(paths: readonly string[]): { cpuSeconds: number; audioSeconds: number } {
  const stores = paths.map(analysisSignal);
  const before = process.cpuUsage();
  for (const store of stores) {
    const meter = new AudioFeatureMeter(analysisRate);
    store.feed(0, store.sampleCount, (piece) => meter.push(piece));
    meter.finish();
  }
  const used = process.cpuUsage(before);
  const audioSeconds = stores.reduce((sum, store) => sum + store.sampleCount, 0) / analysisRate;
  for (const store of stores) store.dispose();
  return { cpuSeconds: (used.user + used.system) / 1e6, audioSeconds };
}

async function libraryBench(source: string | undefined, smoke: boolean, folder: string) {
  const root = join(folder, 'library');
  mkdirSync(root);
  if (source === undefined) {
    if (copySoundtracks(root, smoke) === 0) throw new Error(`no library: give --library DIR, or install asc-music and drascula-music (${soundtracks.join(', ')})`);
  } else {
    for (const name of readdirSync(source)) if (statSync(join(source, name)).isFile()) copyFileSync(join(source, name), join(root, name));
  }
  const child = spawnSync(process.execPath, [fileURLToPath(new URL('./import-child.mjs', import.meta.url)), root, join(folder, 'library.db'), '2', 'full'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (child.status !== 0) throw new Error(`the library's import failed: ${child.stderr}`);
  const run = JSON.parse(child.stdout) as { summary: ImportSummary; cpuSeconds: { node: number; children: number | null } };
  const files = readdirSync(root).filter((name) => !name.startsWith('wkmp')).map((name) => join(root, name));
  const features = featureSeconds(files);
  const importCpu = run.cpuSeconds.node + (run.cpuSeconds.children ?? 0);
  const importFeatures = features.cpuSeconds * (run.summary.counts.audioSeconds / features.audioSeconds);
  const counts = run.summary.counts;
  return {
    files: files.length, audioSeconds: counts.audioSeconds, passages: counts.passages, flavored: counts.flavoredPassages['wkmp-ai audio'] ?? 0,
    importCpuSeconds: importCpu, featuresMsPerAudioSecond: (features.cpuSeconds * 1000) / features.audioSeconds,
    featuresShare: importFeatures / Math.max(1e-9, importCpu - importFeatures),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      recordings: { type: 'string', default: '1000' },
      latency: { type: 'string', default: '50' },
      documents: { type: 'string', default: '50000' },
      library: { type: 'string' },
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
    const library = await libraryBench(values.library, values.smoke, folder);
    const problems = [
      ...(queue.flavored !== recordings ? [`flavored ${queue.flavored} of ${recordings} recordings`] : []),
      ...(queue.secondRunRequests > 0 ? [`the second run asked ${queue.secondRunRequests} requests`] : []),
      ...(queue.refused > 0 ? [`${queue.refused} requests were refused (429)`] : []),
      ...[small, large].flatMap((run) => (run.summary.complete && run.summary.stored === Math.ceil(run.summary.members / 10)
        ? [] : [`a dump of ${run.summary.members} documents stored ${run.summary.stored} (complete: ${run.summary.complete}, ${run.summary.error ?? 'no error'})`])),
      ...(library.passages === 0 || library.flavored !== library.passages ? [`${library.flavored} of ${library.passages} analysed passages have a flavor`] : []),
    ];
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ queue, dump: { small, large }, library, problems })}\n`);
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
      console.log(`real library (${values.library ?? 'Debian soundtracks'}): ${library.files} files, ${(library.audioSeconds / 60).toFixed(1)} min, imported in full: ${library.flavored} of ${library.passages} analysed passages have a flavor (${((100 * library.flavored) / Math.max(1, library.passages)).toFixed(0)} %, target 100 %)`);
      console.log(`local descriptors: ${library.featuresMsPerAudioSecond.toFixed(2)} ms of CPU per audio second, ${(library.featuresShare * 100).toFixed(1)} % more than the rest of the import's CPU (${library.importCpuSeconds.toFixed(1)} s, node + ffmpeg; target ≤ 15 %)`);
      console.log(`second run (caches warm): ${queue.secondRunRequests} requests`);
    }
    for (const problem of problems) console.error(`bench:flavor --smoke: ${problem}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
