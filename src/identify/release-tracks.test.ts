import { describe, expect, it } from 'vitest';
import { secondsToTicks } from '../file-record.js';
import { trackSpans } from './release-tracks.js';

const s = secondsToTicks;
const gap = (from: number, to: number) => ({ startTicks: s(from), endTicks: s(to) });

describe('trackSpans', () => {
  // three-songs.mp3: sound from 1.0 s to 42.0 s, silences at 13.1–14.9 s and 29.1–30.9 s.
  const silences = [gap(13.1, 14.9), gap(29.1, 30.9)];

  it('cuts at the silence nearest to where each track\'s length ends it', () => {
    expect(trackSpans(s(1), s(42), [12_000, 14_500, 11_000], silences)).toEqual([
      { startTicks: s(1), endTicks: s(13.1) },
      { startTicks: s(14.9), endTicks: s(29.1) },
      { startTicks: s(30.9), endTicks: null },
    ]);
  });

  it('cuts nothing when a boundary finds no silence near it, or the lengths do not add up to the file', () => {
    expect(trackSpans(s(1), s(42), [6_000, 20_000, 15_000], silences)).toBeNull();
    expect(trackSpans(s(1), s(42), [12_000, 14_000, 40_000], silences)).toBeNull();
    expect(trackSpans(s(1), s(42), [41_000], silences)).toBeNull();
  });
});
