/**
 * Chromaprint fingerprints of passages, AcoustID-compatible, computed from PCM the caller has
 * already decoded (this module never reads or decodes a file).
 *
 * Feed mono audio in chunks as it is decoded; only the first `maxSeconds` (120 s, as fpcalc and
 * AcoustID use) are kept, so a one-hour file never has to be held whole. Fed 11025 Hz mono (what
 * `ffmpeg -ac 1 -ar 11025` gives) the result matches `fpcalc` on the same file to within a few
 * hundredths of a percent of bits; chromaprint resamples any other rate itself.
 *
 * Not for passages shorter than 10 s (WKMP.md): `dispose()` those instead of `finish()`. Below
 * about 3 s of audio chromaprint has no complete window yet and the fingerprint is empty.
 */
import { CHROMAPRINT_ALGORITHM_DEFAULT, cString, type ChromaprintModule } from './chromaprint-module.js';

export { ChromaprintAbort, createChromaprint, loadChromaprint, type ChromaprintModule } from './chromaprint-module.js';

export interface Fingerprint {
  /**
   * The sub-fingerprints, one per ~0.124 s, as **unsigned** 32-bit integers (0 … 2³²−1): the
   * numbers `fpcalc -raw` prints. Empty when less than ~3 s of audio was fed.
   */
  raw: number[];
  /**
   * The compressed, base64url (no padding) fingerprint that AcoustID's lookup takes: what `fpcalc`
   * (without `-raw`) prints. Empty string when `raw` is empty.
   */
  compressed: string;
  /**
   * Seconds of audio fed (at most `maxSeconds`). Not the track duration AcoustID's lookup wants:
   * pass the passage's full duration there.
   */
  durationSeconds: number;
}

/** Samples converted and copied into wasm memory per `chromaprint_feed` call (64 KB of int16). */
const STAGING_SAMPLES = 32_768;

/**
 * One passage's fingerprint in progress: a chromaprint context plus a staging buffer inside the
 * wasm, about 0.4 MB together whatever the sample rate (the fingerprint itself adds 4 bytes per
 * ~0.124 s). Call `finish()` or `dispose()` to free them; both are safe to call after the other.
 * The wasm memory grows to the peak of open contexts and never shrinks (it starts at 16 MB).
 *
 * Any number of fingerprinters can be open at once on one module, and their calls interleaved:
 * each call runs to completion on the module's thread. A module must not be shared across threads
 * (it cannot be: each thread loads its own).
 */
export class PassageFingerprinter {
  readonly #module: ChromaprintModule;
  readonly #sampleRate: number;
  readonly #maxSamples: number;
  #ctx: number;
  #staging: number;
  #fed = 0;

  /**
   * @param sampleRate of the samples that will be fed (Hz, integer > 1000); 11025 avoids
   *   chromaprint's internal resampler and matches fpcalc best.
   * @param maxSeconds audio past this is ignored (fpcalc `-length`, default 120).
   */
  constructor(module: ChromaprintModule, sampleRate: number, maxSeconds = 120) {
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`sample rate must be a positive integer, not ${sampleRate}`);
    if (!(maxSeconds >= 0)) throw new RangeError(`maxSeconds must be ≥ 0, not ${maxSeconds}`);
    this.#module = module;
    this.#sampleRate = sampleRate;
    this.#maxSamples = Math.floor(maxSeconds * sampleRate);
    this.#ctx = module.chromaprint_new(CHROMAPRINT_ALGORITHM_DEFAULT);
    this.#staging = module.malloc(STAGING_SAMPLES * 2);
    if (this.#ctx === 0 || this.#staging === 0) {
      this.dispose();
      throw new Error('chromaprint: out of memory creating a context');
    }
    if (module.chromaprint_start(this.#ctx, sampleRate, 1) !== 1) {
      this.dispose();
      throw new RangeError(`chromaprint cannot fingerprint audio at ${sampleRate} Hz`);
    }
  }

  /** Seconds accepted so far (stops growing at `maxSeconds`). */
  get fedSeconds(): number {
    return this.#fed / this.#sampleRate;
  }

  /**
   * Mono float samples in [-1, 1] at the constructor's rate, converted to int16 as ffmpeg does
   * (×32768, rounded, clipped; NaN becomes 0). Whatever lies past `maxSeconds` is ignored.
   */
  feed(samples: Float32Array): void {
    const count = this.#acceptable(samples.length, 'feed');
    for (let done = 0; done < count; ) {
      const n = Math.min(STAGING_SAMPLES, count - done);
      // A fresh view every round: a previous chromaprint_feed may have grown (and detached) the memory.
      const staging = new Int16Array(this.#module.memory.buffer, this.#staging, n);
      for (let i = 0; i < n; i++) staging[i] = toInt16(samples[done + i]!);
      this.#push(n);
      done += n;
    }
  }

  /** Mono signed 16-bit samples (e.g. `ffmpeg -f s16le` output) at the constructor's rate. */
  feedInt16(samples: Int16Array): void {
    const count = this.#acceptable(samples.length, 'feedInt16');
    for (let done = 0; done < count; ) {
      const n = Math.min(STAGING_SAMPLES, count - done);
      new Int16Array(this.#module.memory.buffer, this.#staging, n).set(samples.subarray(done, done + n));
      this.#push(n);
      done += n;
    }
  }

  /** Computes the fingerprint of everything fed and frees the context. */
  finish(): Fingerprint {
    const ctx = this.#open('finish');
    const module = this.#module;
    try {
      if (module.chromaprint_finish(ctx) !== 1) throw new Error('chromaprint_finish failed');
      const raw = rawFingerprint(module, ctx);
      const compressed = raw.length === 0 ? '' : compressedFingerprint(module, ctx);
      return { raw, compressed, durationSeconds: this.fedSeconds };
    } finally {
      this.dispose();
    }
  }

  /** Frees the context without computing a fingerprint. Idempotent. */
  dispose(): void {
    if (this.#ctx !== 0) this.#module.chromaprint_free(this.#ctx);
    if (this.#staging !== 0) this.#module.free(this.#staging);
    this.#ctx = 0;
    this.#staging = 0;
  }

  #open(what: string): number {
    if (this.#ctx === 0) throw new Error(`PassageFingerprinter.${what}() after finish() or dispose()`);
    return this.#ctx;
  }

  /** How many of `length` offered samples still fit under `maxSeconds`. */
  #acceptable(length: number, what: string): number {
    this.#open(what);
    return Math.max(0, Math.min(length, this.#maxSamples - this.#fed));
  }

  /** Feeds the first `n` staged samples. */
  #push(n: number): void {
    if (this.#module.chromaprint_feed(this.#ctx, this.#staging, n) !== 1) throw new Error('chromaprint_feed failed');
    this.#fed += n;
  }
}

/**
 * A float sample in [-1, 1] as int16, as ffmpeg converts (×32768, rounded half up as Math.round
 * does, clipped to [-32768, 32767]); NaN becomes 0. Exact inverse of `s / 32768` for every int16
 * `s`. Written with an integer floor instead of Math.round: it runs on every decoded sample
 * (pcm-store.ts), three times faster so.
 */
export function toInt16(sample: number): number {
  const scaled = sample * 32768;
  if (scaled >= 32767.5) return 32767;
  if (!(scaled > -32768.5)) return scaled === scaled ? -32768 : 0; // below range, or NaN
  return ((scaled + 32768.5) | 0) - 32768;
}

/** The fingerprint of a whole in-memory signal (mono float at `sampleRate`); see `PassageFingerprinter`. */
export function fingerprintPcm(module: ChromaprintModule, samples: Float32Array, sampleRate: number, maxSeconds = 120): Fingerprint {
  const fingerprinter = new PassageFingerprinter(module, sampleRate, maxSeconds);
  try {
    fingerprinter.feed(samples);
    return fingerprinter.finish();
  } finally {
    fingerprinter.dispose();
  }
}

function rawFingerprint(module: ChromaprintModule, ctx: number): number[] {
  const out = module.malloc(8); // uint32_t *fingerprint; int size
  if (out === 0) throw new Error('chromaprint: out of memory');
  try {
    if (module.chromaprint_get_raw_fingerprint(ctx, out, out + 4) !== 1) throw new Error('chromaprint_get_raw_fingerprint failed');
    const words = new Uint32Array(module.memory.buffer, out, 2);
    const ptr = words[0]!;
    const size = words[1]!;
    try {
      return Array.from(new Uint32Array(module.memory.buffer, ptr, size));
    } finally {
      module.free(ptr); // chromaprint_dealloc is free()
    }
  } finally {
    module.free(out);
  }
}

function compressedFingerprint(module: ChromaprintModule, ctx: number): string {
  const out = module.malloc(4); // char *fingerprint
  if (out === 0) throw new Error('chromaprint: out of memory');
  try {
    if (module.chromaprint_get_fingerprint(ctx, out) !== 1) throw new Error('chromaprint_get_fingerprint failed');
    const ptr = new Uint32Array(module.memory.buffer, out, 1)[0]!;
    try {
      return cString(module.memory, ptr);
    } finally {
      module.free(ptr);
    }
  } finally {
    module.free(out);
  }
}
