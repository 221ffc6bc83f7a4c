/**
 * Synthetic signals for the unit tests of silence, noise floor and song boundaries: a timeline of
 * pieces rendered to mono PCM, streamed through an EnvelopeBuilder in uneven chunks. Real music
 * is in test/integration; these prove the arithmetic.
 */
import { EnvelopeBuilder, type Envelope } from './envelope.js';

/**
 * A piece of the signal: a "song" (a chord whose notes change every half second, at −12 dBFS
 * RMS), digital silence, uniform noise at an RMS, or a steady sine at a peak amplitude. `noise`
 * adds seeded noise at that RMS under the piece, as an analogue rip has under everything.
 */
export type Piece = { seconds: number; noiseRms?: number } & (
  | { kind: 'song' }
  | { kind: 'silence' }
  | { kind: 'noise'; rms: number }
  | { kind: 'tone'; amplitude: number }
  | { kind: 'decay'; from: number; halfLifeSeconds: number }
);

export function render(pieces: readonly Piece[], sampleRate: number): Float32Array {
  const total = pieces.reduce((sum, piece) => sum + Math.round(piece.seconds * sampleRate), 0);
  const samples = new Float32Array(total);
  let at = 0;
  let seed = 1;
  const uniform = () => {
    seed = (seed * 16807) % 2147483647; // Park–Miller
    return 2 * (seed / 2147483647) - 1;
  };
  for (const piece of pieces) {
    const length = Math.round(piece.seconds * sampleRate);
    for (let i = 0; i < length; i++) {
      const t = (at + i) / sampleRate;
      let x = 0;
      if (piece.kind === 'song') {
        const step = Math.floor(t * 2);
        for (const ratio of [1, 1.25, 1.5]) x += 0.2051 * Math.sin(2 * Math.PI * (220 + 55 * (step % 7)) * ratio * t);
      } else if (piece.kind === 'noise') x = piece.rms * Math.sqrt(3) * uniform();
      else if (piece.kind === 'tone') x = piece.amplitude * Math.sin(2 * Math.PI * 440 * t);
      else if (piece.kind === 'decay') x = piece.from * 0.5 ** (i / sampleRate / piece.halfLifeSeconds) * Math.sin(2 * Math.PI * 330 * t);
      if (piece.noiseRms) x += piece.noiseRms * Math.sqrt(3) * uniform();
      samples[at + i] = x;
    }
    at += length;
  }
  return samples;
}

/** The envelope of the rendered timeline, pushed in uneven chunks as a decoder hands them over. */
export function envelopeOf(pieces: readonly Piece[], sampleRate = 11025): Envelope {
  const samples = render(pieces, sampleRate);
  const builder = new EnvelopeBuilder({ sampleRate, windowMs: 100 });
  for (let at = 0, size = 1000; at < samples.length; at += size, size = 1000 + ((size * 31) % 9000)) {
    builder.push(samples.subarray(at, at + size));
  }
  return builder.finish();
}

/** Adds `noiseRms` to every piece: the same timeline recorded over hiss. */
export function overNoise(pieces: readonly Piece[], noiseRms: number): Piece[] {
  return pieces.map((piece) => ({ ...piece, noiseRms }));
}
