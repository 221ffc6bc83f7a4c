/**
 * What the analysis decodes with: ffmpeg as a child process (ffmpeg.ts), a file in, its audio out
 * as mono Float32 chunks at the analysis rate, streamed, so that a long file is never held decoded
 * whole. Which ffmpeg is settled once per process (docs/adr/0005-ffmpeg-from-the-registry.md): one
 * given with --ffmpeg; else the system's on the PATH, which its packages keep patched; else the
 * static build `npm ci` installs (@ffmpeg-installer/ffmpeg), so that every format decodes on a
 * machine without one.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { errorMessage, InvalidInputError } from '../../errors.js';
import { firstLine } from './decode-error.js';
import type { AudioStreamFacts } from './stream-facts.js';

export { DecodeError } from './decode-error.js';

export interface DecodeOptions {
  /** The analysis rate the chunks come at, e.g. 11025. */
  sampleRate: number;
  /** Aborting stops the decode: the iteration rejects with the signal's reason, the child is killed. */
  signal?: AbortSignal;
  /** Told, once the decode has ended well, which stream it decoded (the facts stored with the file) and the metadata ffmpeg read. */
  onStream?: (stream: AudioStreamFacts, tags: Readonly<Record<string, string>>) => void;
}

export interface Decoder {
  /** The ffmpeg it runs: a name looked up on the PATH, or a path. */
  readonly command: string;
  /**
   * Mono Float32 chunks in [-1, 1] at `options.sampleRate`, in order; their total length is the
   * decoded duration. Channels are averaged. Rejects with a `DecodeError` naming the file.
   */
  decode(path: string, options: DecodeOptions): AsyncIterable<Float32Array>;
}

const execFileAsync = promisify(execFile);
const require = createRequire(import.meta.url);

/** Why `command` does not run here, in one line; null when `command -version` succeeds. */
async function whyNotRunning(command: string): Promise<string | null> {
  try {
    await execFileAsync(command, ['-version'], { timeout: 10_000 });
    return null;
  } catch (error) {
    return `\`${command} -version\` failed: ${firstLine(errorMessage(error))}`;
  }
}

/** The path of the static ffmpeg in node_modules; the package throws a string on a platform it has no build for. */
function bundledFfmpeg(): { path: string } | { reason: string } {
  try {
    return { path: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path };
  } catch (error) {
    return { reason: `the ffmpeg npm installed: ${firstLine(errorMessage(error))}` };
  }
}

/** Which ffmpeg runs here, looked for now (`findFfmpeg` remembers it). */
export async function locateFfmpeg(given: string | undefined): Promise<string> {
  if (given !== undefined) {
    const why = await whyNotRunning(given);
    if (why !== null) throw new InvalidInputError('startup', `--ffmpeg ${given} cannot run here: ${why}`);
    return given;
  }
  const onPath = await whyNotRunning('ffmpeg');
  if (onPath === null) return 'ffmpeg';
  const bundled = bundledFfmpeg();
  const why = 'path' in bundled ? await whyNotRunning(bundled.path) : bundled.reason;
  if (why === null && 'path' in bundled) return bundled.path;
  throw new InvalidInputError('startup', `no ffmpeg runs here (${onPath}; ${why}): install ffmpeg or give one with --ffmpeg`);
}

/** The `ffmpeg` the PATH names, found as a shell would, without running it. */
function ffmpegOnPath(): string | null {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, 'ffmpeg');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there: the next folder
    }
  }
  return null;
}

/**
 * The ffmpeg a tags pass asks about files whose bytes don't say what they are, chosen in the same
 * order without running one (`ffmpeg -version` of a dynamically linked build costs a tenth of a
 * second, more than a tags pass spends on a hundred files): a probe that cannot run it finds
 * nothing, and the bytes decide. Null when there is none.
 */
export function ffmpegForProbing(given?: string): string | null {
  if (given !== undefined) return given;
  const onPath = ffmpegOnPath();
  if (onPath !== null) return onPath;
  const bundled = bundledFfmpeg();
  return 'path' in bundled ? bundled.path : null;
}

const located = new Map<string, Promise<string>>();

/** The ffmpeg command to decode with, looked for once per process (and per `given`). */
export function findFfmpeg(given?: string): Promise<string> {
  const key = given ?? '';
  let found = located.get(key);
  if (found === undefined) {
    found = locateFfmpeg(given);
    located.set(key, found);
  }
  return found;
}
