/**
 * Overlapping frames of a stream of samples: every `hop` samples, the last `size` of them, to a
 * callback. The first frame is emitted once `size` samples have come; a stream shorter than one
 * frame gives none. The frame handed over is reused: copy what must outlive the callback.
 */
export class Framer {
  private readonly frame: Float32Array;
  private filled = 0;

  constructor(readonly size: number, readonly hop: number, private readonly onFrame: (frame: Float32Array) => void) {
    if (!Number.isInteger(size) || !Number.isInteger(hop) || hop < 1 || hop > size) throw new RangeError(`frames of ${size} samples every ${hop}: the hop must be 1 to the size`);
    this.frame = new Float32Array(size);
  }

  push(samples: Float32Array): void {
    for (let i = 0; i < samples.length; ) {
      const n = Math.min(samples.length - i, this.size - this.filled);
      this.frame.set(samples.subarray(i, i + n), this.filled);
      this.filled += n;
      i += n;
      if (this.filled === this.size) {
        this.onFrame(this.frame);
        if (this.hop < this.size) this.frame.copyWithin(0, this.hop);
        this.filled = this.size - this.hop;
      }
    }
  }
}
