/** Helpers for the decoder tests: collecting a stream, loudness per window, ffmpeg and its children. */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface Collected {
  samples: Float32Array;
  chunkCount: number;
  /** The longest chunk, in samples. */
  maxChunk: number;
}

export async function collect(chunks: AsyncIterable<Float32Array>, onChunk?: (chunk: Float32Array) => void): Promise<Collected> {
  const parts: Float32Array[] = [];
  let maxChunk = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    maxChunk = Math.max(maxChunk, chunk.length);
    onChunk?.(chunk);
  }
  const samples = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    samples.set(part, offset);
    offset += part.length;
  }
  return { samples, chunkCount: parts.length, maxChunk };
}

/** RMS in dBFS of consecutive windows of `size` samples (a partial last window is left out). */
export function windowRmsDb(samples: Float32Array, size: number): number[] {
  const levels: number[] = [];
  for (let start = 0; start + size <= samples.length; start += size) {
    let power = 0;
    for (let i = start; i < start + size; i++) power += (samples[i] as number) ** 2;
    levels.push(10 * Math.log10(power / size + 1e-20));
  }
  return levels;
}

export interface LoudnessComparison {
  windows: number;
  sounding: number;
  /** Windows sounding in one and silent in the other: a different silence map. */
  disagreeing: number;
  /** The largest level difference over the windows sounding in both, in dB. */
  worstDb: number;
}

/** Compares two decodes window by window over their common length; sounding = at least `soundingDb`. */
export function compareLoudness(a: Float32Array, b: Float32Array, windowSize: number, soundingDb = -50): LoudnessComparison {
  const length = Math.min(a.length, b.length);
  const levelsA = windowRmsDb(a.subarray(0, length), windowSize);
  const levelsB = windowRmsDb(b.subarray(0, length), windowSize);
  let sounding = 0;
  let disagreeing = 0;
  let worstDb = 0;
  levelsA.forEach((levelA, i) => {
    const levelB = levelsB[i] ?? -Infinity;
    if ((levelA >= soundingDb) !== (levelB >= soundingDb)) disagreeing++;
    else if (levelA >= soundingDb) {
      sounding++;
      worstDb = Math.max(worstDb, Math.abs(levelA - levelB));
    }
  });
  return { windows: levelsA.length, sounding, disagreeing, worstDb };
}

/** Fails with what to do when ffmpeg is not on the PATH: these tests need it (CI installs Debian's). */
export async function requireFfmpeg(): Promise<void> {
  try {
    await execFileAsync('ffmpeg', ['-version']);
  } catch (error) {
    throw new Error(`ffmpeg is needed on the PATH by these tests but \`ffmpeg -version\` failed (${String(error)}); install it (Debian: apt-get install ffmpeg)`, { cause: error });
  }
}

export async function runFfmpeg(args: string[]): Promise<void> {
  await execFileAsync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** Child processes of this process (any thread) whose command line mentions `needle` (Linux /proc). */
export function childPidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim();
    for (const pid of children.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) pids.push(pid);
      } catch {
        // gone meanwhile
      }
    }
  }
  return pids;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The peak resident memory (VmHWM) of a process, in bytes, or 0 once it is gone. */
export function peakResidentBytes(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
