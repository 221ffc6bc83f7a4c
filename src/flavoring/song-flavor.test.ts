import { describe, expect, it } from 'vitest';
import { songFlavorOf } from './song-flavor.js';

describe('a song\'s flavor from its recording\'s documents', () => {
  const model = (a: string, b: string, p: number) => ({ all: { [a]: p, [b]: 1 - p }, probability: Math.max(p, 1 - p), value: p >= 0.5 ? a : b });

  it('is the mean of its submissions\' classifiers, from AcousticBrainz, FLAVOR READY', () => {
    const song = songFlavorOf({ 0: { highlevel: { danceability: model('danceable', 'not_danceable', 0.8) } }, 1: { highlevel: { danceability: model('danceable', 'not_danceable', 0.4) } } });
    expect(song.status).toBe('FLAVOR READY');
    expect(JSON.parse(song.sources!)).toEqual(['AcousticBrainz']);
    expect(JSON.parse(song.vector!)).toEqual({ danceability: { danceable: 0.6, not_danceable: 0.4 } });
  });

  it('is none, FLAVORING FAILED, for a recording AcousticBrainz does not know or whose documents hold no classifier', () => {
    const failed = { vector: null, sources: null, status: 'FLAVORING FAILED' };
    expect(songFlavorOf({})).toEqual(failed);
    expect(songFlavorOf({ 0: { highlevel: {}, metadata: null } })).toEqual(failed);
  });
});
