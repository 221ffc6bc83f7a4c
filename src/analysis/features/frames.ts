/**
 * Frames of a stream of samples: every `hop` samples, `size` of them, to a callback; overlapping
 * when the hop is shorter than the size, with samples between them passed over when it is longer.
 * The first frame is emitted once `size` samples have come; a stream shorter than one frame gives
 * none. The frame handed over is reused: copy what must outlive the callback.
 */
export class Framer {
  private readonly frame: Float32Array;
  private filled = 0;
  /** Samples still to pass over before the next frame starts (a hop longer than the size). */
  private skip = 0;

  constructor(readonly size: number, readonly hop: number, private readonly onFrame: (frame: Float32Array) => void) {
    if (!Number.isInteger(size) || !Number.isInteger(hop) || size < 1 || hop < 1) throw new RangeError(`frames of ${size} samples every ${hop}: both must be whole and positive`);
    this.frame = new Float32Array(size);
  }

  push(samples: Float32Array): void {
    for (let i = 0; i < samples.length; ) {
      if (this.skip > 0) {
        const passed = Math.min(this.skip, samples.length - i);
        this.skip -= passed;
        i += passed;
        continue;
      }
      const n = Math.min(samples.length - i, this.size - this.filled);
      this.frame.set(samples.subarray(i, i + n), this.filled);
      this.filled += n;
      i += n;
      if (this.filled === this.size) {
        this.onFrame(this.frame);
        if (this.hop < this.size) {
          this.frame.copyWithin(0, this.hop);
          this.filled = this.size - this.hop;
        } else {
          this.filled = 0;
          this.skip = this.hop - this.size;
        }
      }
    }
  }
}
