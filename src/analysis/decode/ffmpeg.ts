/**
 * Decoding with ffmpeg as a child process: it demuxes, decodes, averages the channels (`-ac 1`)
 * and resamples (`-ar`), and writes raw float32 to a pipe that is read chunk by chunk. The pipe's
 * backpressure holds ffmpeg while the consumer works, so memory stays at a few pipe buffers
 * whatever the file's length. The child is killed on abort and when the consumer stops early.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Readable } from 'node:stream';
import { errorMessage } from '../../errors.js';
import { DecodeError, firstLine } from './decode-error.js';
import type { DecodeOptions, Decoder } from './decoder.js';
import { decodedAudio, FfmpegLogReader, type FfmpegReport } from './stream-facts.js';
import { checkSampleRate, clampInPlace } from './pcm.js';

/**
 * The command line. `file:` keeps a path that starts with `-` or holds a `:` from being read as an
 * option or a protocol. `-rematrix_maxval 1` makes `-ac 1` average the channels for float output
 * too: without it swresample mixes stereo to mono as (L + R) / √2, 3 dB above the average that it
 * uses for integer output. The log comes at level info, each line tagged with its level, for the
 * stream facts (stream-facts.ts); `-nostats` leaves out the progress lines.
 */
export function ffmpegArguments(path: string, sampleRate: number): string[] {
  return [
    ...logArguments, '-i', `file:${path}`,
    '-vn', '-ac', '1', '-rematrix_maxval', '1', '-ar', String(sampleRate), '-f', 'f32le', '-',
  ];
}

const logArguments = ['-nostdin', '-hide_banner', '-nostats', '-loglevel', '+level+info'];

/** ffmpeg's first error without the input's name; `fallback` when it logged none. */
export function ffmpegReason(errors: readonly string[], path: string, fallback = 'unknown error'): string {
  const line = errors.find((error) => error !== 'Conversion failed!') ?? fallback;
  for (const prefix of [`file:${path}: `, `${path}: `]) {
    if (line.startsWith(prefix)) return line.slice(prefix.length);
  }
  return firstLine(line);
}

/** Raw little-endian float32 bytes to samples; `carry` holds a sample split across two reads. */
export class Float32Reader {
  private carry = new Uint8Array(0);

  read(data: Uint8Array): Float32Array {
    let bytes = data;
    if (this.carry.length > 0) {
      bytes = new Uint8Array(this.carry.length + data.length);
      bytes.set(this.carry);
      bytes.set(data, this.carry.length);
    }
    const usable = bytes.length - (bytes.length % 4);
    const samples = new Float32Array(usable / 4);
    // the host is little-endian (x86-64, arm64), as ffmpeg's f32le output is
    new Uint8Array(samples.buffer).set(bytes.subarray(0, usable));
    this.carry = bytes.slice(usable);
    return samples;
  }
}

interface FfmpegRun {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves with the exit code once the child is gone and its pipes are closed; never rejects. */
  closed: Promise<number | null>;
  /** Why the child could not be started, if it could not. */
  startError(): Error | undefined;
  /** What ffmpeg's log said, once `closed` has resolved. */
  report(): FfmpegReport;
}


/**
 * Decoding is batch work: ffmpeg runs below normal priority, so that on a machine whose cores the
 * import fills, the service's own thread and the other WKMP services (the player) come first.
 */
const decoderNiceness = 10;

function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return; // it did not start: the 'error' event says why
  try {
    setPriority(pid, decoderNiceness);
  } catch {
    // gone already, or a system that refuses: it then runs at normal priority
  }
}

function startFfmpeg(command: string, args: readonly string[], signal: AbortSignal | undefined): FfmpegRun {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(signal === undefined ? {} : { signal, killSignal: 'SIGKILL' as const }),
  });
  let startError: Error | undefined;
  child.once('error', (error) => {
    startError ??= error;
  });
  lowerPriority(child.pid);
  const log = new FfmpegLogReader();
  child.stderr.setEncoding('utf8').on('data', (text: string) => log.push(text));
  let report: FfmpegReport | undefined;
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => {
    report = log.end();
    resolve(code);
  }));
  return {
    child, closed, startError: () => startError,
    report: () => {
      if (report === undefined) throw new Error('ffmpeg has not ended yet');
      return report;
    },
  };
}

/** Bytes of float32 output handed on at a time. */
const chunkBytes = 64 * 1024;

async function* decodeWithFfmpeg(command: string, path: string, options: DecodeOptions): AsyncGenerator<Float32Array> {
  checkSampleRate(options.sampleRate);
  const { signal } = options;
  signal?.throwIfAborted();
  const run = startFfmpeg(command, ffmpegArguments(path, options.sampleRate), signal);
  try {
    const reader = new Float32Reader();
    let total = 0;
    // ffmpeg writes a frame at a time (a few hundred samples for MP3 and Vorbis): gathered into
    // chunks of ~16k samples, the analysis pays its per-chunk costs 60 times less often.
    let gathered: Buffer[] = [];
    let gatheredBytes = 0;
    const emit = (): Float32Array => {
      const samples = reader.read(gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered));
      gathered = [];
      gatheredBytes = 0;
      total += samples.length;
      return clampInPlace(samples);
    };
    for await (const data of run.child.stdout as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      gathered.push(data);
      gatheredBytes += data.length;
      if (gatheredBytes < chunkBytes) continue;
      const samples = emit();
      if (samples.length > 0) yield samples;
    }
    if (gatheredBytes > 0) {
      const samples = emit();
      if (samples.length > 0) yield samples;
    }
    const code = await run.closed;
    signal?.throwIfAborted();
    const startError = run.startError();
    if (startError !== undefined) throw new DecodeError(path, `ffmpeg could not run: ${startError.message}`, { cause: startError });
    const report = run.report();
    const stream = decodedAudio(report);
    if (code !== 0) {
      if (stream === null && report.formatName !== null) throw new DecodeError(path, 'no audio stream in it');
      throw new DecodeError(path, `ffmpeg exited with code ${String(code)}: ${ffmpegReason(report.errors, path)}`);
    }
    if (total === 0 || stream === null) throw new DecodeError(path, 'no audio decoded');
    options.onStream?.(stream, report.tags);
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    if (error instanceof DecodeError) throw error;
    throw new DecodeError(path, errorMessage(error), { cause: error });
  } finally {
    // also when the consumer stops early: the child must not outlive the iteration
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await run.closed;
  }
}

/** How long a probe may take: reading a file's headers, not decoding it. */
const probeTimeLimitMs = 30_000;

/**
 * What ffmpeg finds in a file without decoding it (`ffmpeg -i FILE`, no output): its container and
 * streams. ffmpeg exits 1 for want of an output; the report says what it found. Null when ffmpeg
 * could not run or ran past the time limit.
 */
export async function probeWithFfmpeg(command: string, path: string): Promise<FfmpegReport | null> {
  const run = startFfmpeg(command, [...logArguments, '-i', `file:${path}`], AbortSignal.timeout(probeTimeLimitMs));
  run.child.stdout.resume();
  await run.closed;
  return run.startError() === undefined ? run.report() : null;
}

/** The decoder that runs `command` (a name looked up on the PATH, or a path; see `findFfmpeg`). */
export function createFfmpegDecoder(command: string): Decoder {
  return { command, decode: (path, options) => decodeWithFfmpeg(command, path, options) };
}
