/** fft.js 4 ships no types; the part of its API wkmp-ai uses. */
declare module 'fft.js' {
  export default class FFT {
    constructor(size: number);
    /** An interleaved [re, im, …] array of `size` complex values. */
    createComplexArray(): number[];
    /** The transform of a real input; fills the first size/2 + 1 complex values of `out`. */
    realTransform(out: number[], input: ArrayLike<number>): void;
  }
}
