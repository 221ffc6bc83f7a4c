// The decode ceiling for bench/analysis.ts, in plain Node on the built JavaScript: every audio file
// of a folder decoded through the project's decoder (dist/analysis/decode/decoder.js) at the
// analysis rate and thrown away, JOBS files in flight, each in its own worker thread as the
// import's are.
//   node bench/decode-child.mjs ROOT FFMPEG JOBS   (FFMPEG '' for the one the import would find)
// Prints one JSON line: the files, the audio seconds decoded and the wall time. With `ROOT --list`,
// only the files' absolute paths: `{ files }`.
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { analysisSampleRate } from '../dist/analysis/settings.js';
import { findFfmpeg } from '../dist/analysis/decode/decoder.js';
import { createFfmpegDecoder } from '../dist/analysis/decode/ffmpeg.js';

async function workerMain() {
  const decoder = createFfmpegDecoder(await findFfmpeg(workerData.ffmpeg || undefined));
  parentPort.on('message', async (file) => {
    const started = performance.now();
    let samples = 0;
    let firstChunkMs = null;
    let error = null;
    try {
      for await (const chunk of decoder.decode(file.absolutePath, { sampleRate: analysisSampleRate })) {
        firstChunkMs ??= performance.now() - started;
        samples += chunk.length;
      }
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    parentPort.postMessage({ path: file.path, seconds: samples / analysisSampleRate, ms: performance.now() - started, firstChunkMs, error });
  });
  parentPort.postMessage({ ready: decoder.command });
}

async function main() {
  const { cpuSeconds, listAudioFiles } = await import('./analysis-files.mjs');
  const [root, ffmpeg = '', jobsArg] = process.argv.slice(2);
  const files = await listAudioFiles(root);
  if (ffmpeg === '--list') {
    process.stdout.write(`${JSON.stringify({ files: files.map((file) => file.absolutePath) })}\n`);
    return;
  }
  const jobs = Math.max(1, Math.min(jobsArg ? Number(jobsArg) : availableParallelism(), files.length));
  const workers = Array.from({ length: jobs }, () => new Worker(new URL(import.meta.url), { workerData: { ffmpeg } }));
  // Started threads with the ffmpeg found: what the ceiling times is decoding only.
  const names = await Promise.all(workers.map((worker) => new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message) => resolve(message.ready));
  })));
  const perFile = [];
  let next = 0;
  const cpuBefore = cpuSeconds();
  const started = performance.now();
  await Promise.all(workers.map((worker) => new Promise((resolve, reject) => {
    worker.on('error', reject);
    const take = () => {
      if (next >= files.length) {
        resolve();
        return;
      }
      worker.postMessage(files[next++]);
    };
    worker.on('message', (result) => {
      perFile.push(result);
      take();
    });
    take();
  })));
  const wallMs = performance.now() - started;
  await Promise.all(workers.map((worker) => worker.terminate()));
  const cpuAfter = cpuSeconds();
  const audioSeconds = perFile.reduce((sum, file) => sum + file.seconds, 0);
  process.stdout.write(`${JSON.stringify({
    decoder: names[0],
    jobs,
    files: files.length,
    failed: perFile.filter((file) => file.error !== null).length,
    audioSeconds,
    wallMs,
    xRealtime: audioSeconds / (wallMs / 1000),
    cpuSeconds: {
      node: cpuAfter.self - cpuBefore.self,
      children: cpuAfter.children === null || cpuBefore.children === null ? null : cpuAfter.children - cpuBefore.children,
    },
    perFile,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`);
}

if (isMainThread) await main();
else await workerMain();
