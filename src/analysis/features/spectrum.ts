/**
 * Magnitude spectra of Hann-windowed frames, through fft.js (MIT). One instance per frame size:
 * the window, the transform's tables and the output are made once and reused for every frame.
 */
import FFT from 'fft.js';

export class MagnitudeSpectrum {
  /** |X(k)| for k = 0 … size/2: bin k is k × sampleRate / size Hz. Overwritten by every `of`. */
  readonly magnitudes: Float32Array;
  private readonly fft: FFT;
  private readonly window: Float32Array;
  private readonly windowed: Float32Array;
  private readonly out: number[];

  constructor(readonly size: number) {
    this.fft = new FFT(size);
    this.window = Float32Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
    this.windowed = new Float32Array(size);
    this.out = this.fft.createComplexArray();
    this.magnitudes = new Float32Array(size / 2 + 1);
  }

  of(frame: Float32Array): Float32Array {
    const window = this.window;
    for (let i = 0; i < this.size; i++) this.windowed[i] = frame[i]! * window[i]!;
    this.fft.realTransform(this.out, this.windowed);
    for (let k = 0; k < this.magnitudes.length; k++) { const re = this.out[2 * k]!, im = this.out[2 * k + 1]!; this.magnitudes[k] = Math.sqrt(re * re + im * im); }
    return this.magnitudes;
  }
}
