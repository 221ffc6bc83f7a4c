/**
 * A streaming sample-rate converter for mono PCM: polyphase Kaiser-windowed sinc, zero phase
 * (output sample k is centred on input time k·in/out), with the defaults of ffmpeg's swresample
 * (16 zero crossings each side at the lower rate, cutoff 0.97 of its Nyquist, Kaiser β = 9), so
 * the wasm decoder's output lines up with `ffmpeg -ar`. State is kept across chunks: any split of
 * the input gives the same output, and `flush()` ends it with ceil(n·out/in) samples in all.
 */

export interface ResamplerOptions {
  /** Zero crossings of the sinc on each side, at the lower of the two rates. */
  halfZeroCrossings: number;
  /** Passband edge as a fraction of the lower rate's Nyquist frequency. */
  cutoff: number;
  kaiserBeta: number;
}

export const swresampleDefaults: ResamplerOptions = { halfZeroCrossings: 16, cutoff: 0.97, kaiserBeta: 9 };

/** Rates whose reduced ratio needs more phases than this use the nearest of this many. */
const maxPhases = 1024;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; term > 1e-12 * sum; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/** One row per phase (plus the phase 1.0 row), each normalised to unit DC gain. */
function buildTable(rows: number, half: number, fc: number, beta: number): Float32Array {
  const taps = 2 * half;
  const table = new Float32Array((rows + 1) * taps);
  const i0Beta = besselI0(beta);
  const row = new Float64Array(taps);
  for (let r = 0; r <= rows; r++) {
    const frac = r / rows;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const t = j - half + 1 - frac;
      const u = t / half;
      const x = Math.PI * fc * t;
      const sinc = x === 0 ? 1 : Math.sin(x) / x;
      const window = Math.abs(u) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta;
      row[j] = sinc * window;
      sum += row[j] ?? 0;
    }
    for (let j = 0; j < taps; j++) table[r * taps + j] = (row[j] ?? 0) / sum;
  }
  return table;
}

export class Resampler {
  /** Output rate / input rate = up / down, reduced. */
  private readonly up: number;
  private readonly down: number;
  private readonly rows: number;
  private readonly half: number;
  private readonly taps: number;
  private readonly table: Float32Array;
  /** Input not yet dropped; pending[0] is input sample number `origin` (negative: leading zeros). */
  private pending: Float32Array;
  private pendingLength: number;
  private origin: number;
  /** The next output is centred on input time `centre + phase / up`. */
  private centre = 0;
  private phase = 0;
  private inputCount = 0;
  private outputCount = 0;
  private flushed = false;

  constructor(readonly inputRate: number, readonly outputRate: number, options: ResamplerOptions = swresampleDefaults) {
    const divisor = gcd(inputRate, outputRate);
    this.up = outputRate / divisor;
    this.down = inputRate / divisor;
    this.rows = Math.min(this.up, maxPhases);
    const fc = options.cutoff * Math.min(1, this.up / this.down);
    this.half = Math.ceil(options.halfZeroCrossings / fc);
    this.taps = 2 * this.half;
    this.table = inputRate === outputRate ? new Float32Array(0) : buildTable(this.rows, this.half, fc, options.kaiserBeta);
    this.pendingLength = this.half - 1;
    this.pending = new Float32Array(Math.max(this.taps * 2, 4096));
    this.origin = -this.pendingLength;
  }

  /** Feeds input; returns the output it completes (possibly empty). */
  push(input: Float32Array): Float32Array {
    if (this.flushed) throw new Error('Resampler: push after flush');
    this.inputCount += input.length;
    if (this.inputRate === this.outputRate) {
      this.outputCount += input.length;
      return input.slice();
    }
    this.append(input);
    return this.produce(Infinity);
  }

  /** Ends the input (zero padding past its end) and returns the last outputs. */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    if (this.inputRate === this.outputRate) return new Float32Array(0);
    this.append(new Float32Array(this.half));
    const total = Math.ceil((this.inputCount * this.up) / this.down);
    return this.produce(total - this.outputCount);
  }

  private append(input: Float32Array): void {
    const needed = this.pendingLength + input.length;
    if (needed > this.pending.length) {
      const grown = new Float32Array(Math.max(needed, this.pending.length * 2));
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    this.pending.set(input, this.pendingLength);
    this.pendingLength += input.length;
  }

  private produce(limit: number): Float32Array {
    const { up, down, half, taps, table, rows, pending } = this;
    // Output k needs input up to centre_k + half; centre_k = centre + floor((phase + k·down) / up).
    const lastCentre = this.origin + this.pendingLength - 1 - half;
    const room = lastCentre - this.centre;
    const possible = room < 0 ? 0 : Math.ceil(((room + 1) * up - this.phase) / down);
    const count = Math.max(0, Math.min(possible, limit));
    const out = new Float32Array(count);
    let centre = this.centre;
    let phase = this.phase;
    const exact = rows === up;
    for (let k = 0; k < count; k++) {
      const row = exact ? phase : Math.round((phase * rows) / up);
      const base = row * taps;
      const start = centre - half + 1 - this.origin;
      let sum = 0;
      for (let j = 0; j < taps; j++) sum += (table[base + j] as number) * (pending[start + j] as number);
      out[k] = sum;
      phase += down;
      const advance = Math.floor(phase / up);
      centre += advance;
      phase -= advance * up;
    }
    this.centre = centre;
    this.phase = phase;
    this.outputCount += count;
    this.dropBefore(centre - half + 1);
    return out;
  }

  /** Forgets input older than what the next output needs. */
  private dropBefore(first: number): void {
    const drop = Math.min(first - this.origin, this.pendingLength);
    if (drop <= 0) return;
    this.pending.copyWithin(0, drop, this.pendingLength);
    this.pendingLength -= drop;
    this.origin += drop;
  }
}
