// The time of each analysis step for bench/analysis.ts, one file at a time on this one thread, in
// plain Node on the built JavaScript. Each step runs apart on the file's decoded PCM, so that its
// time is its own:
//   read        classify the head, hash the file, read its tags (what the worker does before decoding)
//   decode      the decoder's chunks, collected
//   silence     EnvelopeBuilder without its A-weighting filter's share, segmentSongs (noise floor, gaps, songs)
//   keep        the 16-bit copy of the stream the passages' edges and fingerprints are taken from (PcmStore)
//   amplitude   the A-weighting filter (createAWeightingFilter().process, timed alone), findLeadIn/findLeadOut
//   fingerprint PassageFingerprinter over each passage's first 120 s (passages of 10 s and more)
//   features    AudioFeatureMeter over each whole passage, fed from the 16-bit copy as the worker feeds it
// and, as a check, analyseAudio as the worker runs it (one streamed pass doing silence, amplitude,
// fingerprint and features together) on the same chunks.
//   node bench/analysis-steps-child.mjs ROOT FFMPEG   (FFMPEG '' for the one the import would find)
// Prints one JSON line.
import { open } from 'node:fs/promises';
import { createAWeightingFilter } from '../dist/analysis/a-weighting.js';
import { amplitudeEnvelope, findLeadIn, findLeadOut } from '../dist/analysis/amplitude.js';
import { analyseAudio } from '../dist/analysis/analyse-audio.js';
import { findFfmpeg } from '../dist/analysis/decode/decoder.js';
import { createFfmpegDecoder } from '../dist/analysis/decode/ffmpeg.js';
import { EnvelopeBuilder } from '../dist/analysis/envelope.js';
import { loadChromaprint, PassageFingerprinter } from '../dist/analysis/fingerprint.js';
import { hashFile } from '../dist/analysis/hash.js';
import { PcmStore } from '../dist/analysis/pcm-store.js';
import { segmentSongs } from '../dist/analysis/song-boundaries.js';
import { AudioFeatureMeter } from '../dist/analysis/features/measure.js';
import { readTags } from '../dist/analysis/tags.js';
import { audioAnalysisOptions } from '../dist/analysis/settings.js';
import { classifyContent, sniffBytes } from '../dist/analysis/content-type.js';
import { listAudioFiles } from './analysis-files.mjs';

const [root, ffmpeg = ''] = process.argv.slice(2);
// A fresh database holds the defaults, so these are the options the import runs with.
const options = audioAnalysisOptions(new Map());
const rate = options.sampleRate;

function seconds(from) {
  return (performance.now() - from) / 1000;
}

async function* replay(chunks) {
  yield* chunks;
}

function concatenate(chunks, length) {
  const all = new Float32Array(length);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}

/** classify + hash + tags, as the worker does them, on one open handle. */
async function readStep(file) {
  const handle = await open(file.absolutePath, 'r');
  try {
    const head = new Uint8Array(sniffBytes);
    await handle.read(head, 0, sniffBytes, 0);
    await classifyContent(head);
    const stat = await handle.stat();
    await readTags(file.absolutePath, { mime: file.mime, mpegDuration: 'none' });
    hashFile(handle.fd, stat.size);
  } finally {
    await handle.close();
  }
}

const files = await listAudioFiles(root);
const decoder = createFfmpegDecoder(await findFfmpeg(ffmpeg || undefined));
let t = performance.now();
const chromaprint = await loadChromaprint();
const chromaprintLoadSeconds = seconds(t);

const totals = { read: 0, decode: 0, decodeFirstChunk: 0, silence: 0, keep: 0, amplitude: 0, aWeighting: 0, fingerprint: 0, features: 0, analyseAudio: 0 };
let audioSeconds = 0;
let passageCount = 0;
let fingerprintedSeconds = 0;
const perFile = [];
for (const file of files) {
  const own = {};
  t = performance.now();
  await readStep(file);
  own.read = seconds(t);

  // decode
  const chunks = [];
  let length = 0;
  t = performance.now();
  let firstChunk = null;
  for await (const chunk of decoder.decode(file.absolutePath, { sampleRate: rate })) {
    firstChunk ??= seconds(t);
    chunks.push(chunk);
    length += chunk.length;
  }
  own.decode = seconds(t);
  own.decodeFirstChunk = firstChunk ?? own.decode;
  audioSeconds += length / rate;

  // the A-weighting filter alone, on the same chunks (it runs inside EnvelopeBuilder.push)
  const filter = createAWeightingFilter(rate);
  t = performance.now();
  for (const chunk of chunks) filter.process(chunk);
  own.aWeighting = seconds(t);

  // silence: the envelope (less the filter's share) and the segmentation
  t = performance.now();
  const builder = new EnvelopeBuilder({ sampleRate: rate, windowMs: options.windowMs });
  for (const chunk of chunks) builder.push(chunk);
  const envelope = builder.finish();
  const envelopeSeconds = seconds(t);
  t = performance.now();
  const { passages } = segmentSongs(envelope, options.segmentation, 'untagged');
  own.silence = Math.max(0, envelopeSeconds - own.aWeighting) + seconds(t);

  // keep: the 16-bit copy analyseAudio takes fingerprints and edges from
  t = performance.now();
  const store = new PcmStore();
  for (const chunk of chunks) store.push(chunk);
  store.dispose();
  own.keep = seconds(t);

  // amplitude: the filter's share plus lead-in and lead-out of each passage
  t = performance.now();
  const levels = amplitudeEnvelope(envelope, options.amplitude);
  for (const { startWindow, endWindow } of passages) {
    const slice = levels.subarray(startWindow, endWindow);
    findLeadIn(slice, envelope.windowSeconds, options.amplitude);
    findLeadOut(slice, envelope.windowSeconds, options.amplitude);
  }
  own.amplitude = own.aWeighting + seconds(t);

  // fingerprint: each passage long enough, its first 120 s
  const pcm = concatenate(chunks, length);
  t = performance.now();
  for (const { startWindow, endWindow } of passages) {
    const passageSeconds = (endWindow - startWindow) * envelope.windowSeconds;
    if (passageSeconds < options.minFingerprintSeconds) continue;
    const start = startWindow * envelope.windowSamples;
    const end = Math.min(pcm.length, endWindow * envelope.windowSamples, start + Math.floor(options.maxFingerprintSeconds * rate));
    const fingerprinter = new PassageFingerprinter(chromaprint, rate, options.maxFingerprintSeconds);
    fingerprinter.feed(pcm.subarray(start, end));
    fingerprinter.finish();
    fingerprintedSeconds += (end - start) / rate;
  }
  own.fingerprint = seconds(t);
  passageCount += passages.length;

  // features: the audio descriptors of each whole passage, from the 16-bit copy
  const kept = new PcmStore();
  for (const chunk of chunks) kept.push(chunk);
  t = performance.now();
  for (const { startWindow, endWindow } of passages) {
    const meter = new AudioFeatureMeter(rate);
    kept.feed(startWindow * envelope.windowSamples, endWindow * envelope.windowSamples, (samples) => meter.push(samples));
    meter.finish();
  }
  own.features = seconds(t);
  kept.dispose();

  // the worker's own one-pass analysis of the same chunks, as a check on the sum of the steps
  t = performance.now();
  await analyseAudio(replay(chunks), chromaprint, options, { kind: 'silence', taggedAs: 'untagged' });
  own.analyseAudio = seconds(t);

  for (const key of Object.keys(totals)) totals[key] += own[key];
  perFile.push({ path: file.path, audioSeconds: length / rate, passages: passages.length, ...own });
}

process.stdout.write(`${JSON.stringify({
  decoder: decoder.command,
  files: files.length,
  audioSeconds,
  passages: passageCount,
  fingerprintedSeconds,
  chromaprintLoadSeconds,
  totals,
  perFile,
})}\n`);
