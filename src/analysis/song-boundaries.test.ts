import { describe, expect, it } from 'vitest';
import { envelopeOf, overNoise, type Piece } from './signal-test-support.js';
import { segmentSongs, type SegmentationOptions, type TaggedAs } from './song-boundaries.js';

const options: SegmentationOptions = { silenceThresholdDb: 70, minGapSeconds: 0.5, minSongSeconds: 15 };
const song = (seconds: number): Piece => ({ kind: 'song', seconds });
const silence = (seconds: number): Piece => ({ kind: 'silence', seconds });
const vinylNoise = 10 ** (-50 / 20);

/** The passages in seconds, and the verdict on every candidate gap. */
function segment(pieces: Piece[], taggedAs: TaggedAs = 'untagged', opts = options) {
  const envelope = envelopeOf(pieces);
  const result = segmentSongs(envelope, opts, taggedAs);
  const seconds = (window: number) => Math.min(window * envelope.windowSeconds, envelope.sampleCount / 11025);
  return {
    ...result,
    spans: result.passages.map((p) => [seconds(p.startWindow), seconds(p.endWindow)] as [number, number]),
    verdicts: result.gaps.map((gap) => gap.verdict),
  };
}

function expectSpans(actual: [number, number][], expected: [number, number][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach(([start, end], i) => {
    expect(Math.abs(start - expected[i]![0])).toBeLessThan(0.1);
    expect(Math.abs(end - expected[i]![1])).toBeLessThan(0.1);
  });
}

describe('segmentSongs', () => {
  it('gives one passage for one song, with its leading and trailing silence outside', () => {
    const result = segment([silence(2), song(40), silence(3)]);
    expectSpans(result.spans, [[2, 42]]);
    expect(result.gaps).toEqual([]);
    expect(result.thresholdDbfs).toBe(-70);
    expect(result.noiseFloorDbfs).toBeNull();
  });

  it('gives one passage per song for songs separated by 2 s of digital silence', () => {
    const result = segment([song(20), silence(2), song(25), silence(2), song(30)]);
    expectSpans(result.spans, [[0, 20], [22, 47], [49, 79]]);
    expect(result.verdicts).toEqual(['boundary', 'boundary']);
  });

  it('keeps a gapless file whole', () => {
    expectSpans(segment([song(60), song(60)]).spans, [[0, 120]]);
  });

  it('measures gaps in whole windows: 0.6 s of silence always covers the five a 0.5 s gap needs, 0.45 s never does', () => {
    expect(segment([song(20), silence(0.6), song(20)]).spans).toHaveLength(2);
    expect(segment([song(20.03), silence(0.6), song(20)]).spans).toHaveLength(2);
    expect(segment([song(20), silence(0.45), song(20)]).spans).toHaveLength(1);
  });

  it('never lets a fragment shorter than a song stand alone: it joins the neighbour across the shorter gap', () => {
    const result = segment([song(40), silence(2), song(5), silence(0.8), song(40)]);
    expectSpans(result.spans, [[0, 40], [42, 87.8]]);
    expect(result.verdicts).toEqual(['boundary', 'beside a short fragment']);
  });

  it('joins a fragment at the edge of the file to its only neighbour', () => {
    expectSpans(segment([song(4), silence(1), song(40)]).spans, [[0, 45]]);
    expectSpans(segment([song(40), silence(1), song(4)]).spans, [[0, 45]]);
  });

  it('keeps a file shorter than a song as one passage', () => {
    const result = segment([song(3), silence(1), song(3)]);
    expectSpans(result.spans, [[0, 7]]);
    expect(result.verdicts).toEqual(['beside a short fragment']);
  });

  it('honours the minimum song length setting', () => {
    expect(segment([song(10), silence(2), song(10)], 'untagged', { ...options, minSongSeconds: 5 }).spans).toHaveLength(2);
  });

  describe('a file tagged as one track', () => {
    it('splits off a hidden track after tens of seconds of silence', () => {
      const result = segment([song(45), silence(30), song(35)], 'track');
      expect(result.oneTrack).toBe(true);
      expectSpans(result.spans, [[0, 45], [75, 110]]);
    });

    it('stays one passage across a full stop of 1 s of digital silence', () => {
      const result = segment([song(60), silence(1), song(60)], 'track');
      expectSpans(result.spans, [[0, 121]]);
      expect(result.verdicts).toEqual(['short for one track']);
    });

    it('splits at the same full stop when nothing says it is one track', () => {
      expect(segment([song(60), silence(1), song(60)]).spans).toHaveLength(2);
    });

    it('needs a song of twice the minimum on each side of a gap', () => {
      expect(segment([song(25), silence(2), song(60)], 'track').spans).toHaveLength(1);
      expect(segment([song(25), silence(2), song(60)]).spans).toHaveLength(2);
    });

    it('takes a title alone for one track only up to a long song', () => {
      expect(segment([song(60), silence(1), song(60)], 'title').oneTrack).toBe(true);
      const loud = (seconds: number): Piece => ({ kind: 'tone', amplitude: 0.5, seconds });
      const side = segment([loud(460), silence(1), loud(460)], 'title');
      expect(side.oneTrack).toBe(false);
      expect(side.spans).toHaveLength(2);
    });

    it('does not merge songs separated by real gaps because a record side is titled', () => {
      expect(segment([song(60), silence(2), song(60), silence(2), song(60)], 'title').spans).toHaveLength(3);
    });
  });

  describe('an analogue rip', () => {
    it('raises the threshold above the noise floor and splits at the noise-filled gaps', () => {
      const result = segment(overNoise([silence(1), song(30), silence(2), song(30), silence(2), song(30), silence(1)], vinylNoise));
      expect(result.noiseFloorDbfs).not.toBeNull();
      expect(result.thresholdDbfs).toBeCloseTo(result.noiseFloorDbfs! + 4, 9);
      expectSpans(result.spans, [[1, 31], [33, 63], [65, 95]]);
    });

    it('takes a pause of 0.6 s sunk to the floor for a rest in the music, not a gap', () => {
      expect(segment(overNoise([silence(1), song(30), silence(0.6), song(30), silence(1)], vinylNoise)).spans).toHaveLength(1);
    });
  });

  it('finds no passage and no sound in digital silence', () => {
    const result = segment([silence(5)]);
    expect(result.passages).toEqual([]);
    expect(result.soundSeconds).toBe(0);
  });
});
