import { describe, expect, it } from 'vitest';
import { measureNoiseFloor } from './noise-floor.js';
import { envelopeOf, overNoise, type Piece } from './signal-test-support.js';

const song = (seconds: number): Piece => ({ kind: 'song', seconds });
const silence = (seconds: number): Piece => ({ kind: 'silence', seconds });
/** −50 dBFS RMS: the surface noise of a vinyl rip. */
const vinylNoise = 10 ** (-50 / 20);

describe('measureNoiseFloor', () => {
  it('finds the hiss under an analogue rip, a few dB above its RMS in window peaks', () => {
    const floor = measureNoiseFloor(envelopeOf(overNoise([silence(1), song(20), silence(2), song(20), silence(1)], vinylNoise)));
    expect(floor).not.toBeNull();
    expect(floor!).toBeGreaterThan(-50);
    expect(floor!).toBeLessThan(-38);
  });

  it('finds none where the gaps are digital silence', () => {
    expect(measureNoiseFloor(envelopeOf([silence(1), song(20), silence(2), song(20)]))).toBeNull();
  });

  it('takes no falling tail of a note for a floor: it never holds steady for a second', () => {
    expect(measureNoiseFloor(envelopeOf([song(20), { kind: 'decay', from: 0.3, halfLifeSeconds: 0.15, seconds: 4 }]))).toBeNull();
  });

  it('takes no steady sound for a floor when nothing stands well above it', () => {
    expect(measureNoiseFloor(envelopeOf([{ kind: 'tone', amplitude: 0.004, seconds: 5 }]))).toBeNull();
  });

  it('takes no sustained quiet note louder than noise for a floor', () => {
    expect(measureNoiseFloor(envelopeOf([song(20), { kind: 'tone', amplitude: 0.05, seconds: 3 }, song(20)]))).toBeNull();
  });
});
