/** The services' JSON read without trusting its shape: what is missing or mistyped is absent, never a crash. */
import { describe, expect, it } from 'vitest';
import { parseResults } from './acoustid.js';
import { parseRecording, parseRelease } from './musicbrainz.js';

describe('parseResults (AcoustID)', () => {
  it('drops results, recordings, groups and releases without ids, and reads what the others have', () => {
    expect(parseResults('not a list')).toEqual([]);
    expect(parseResults([{ score: 0.9 }, { id: 'no score' }, null])).toEqual([]);
    const [result] = parseResults([{
      id: 'a1', score: 0.8, recordings: [
        { title: 'no id' },
        {
          id: 'r1', title: '', duration: 'long', artists: [{ name: 'no id' }, { id: 'x1' }],
          releasegroups: [
            { title: 'no id' },
            { id: 'g1', type: 7, secondarytypes: ['Live', 3], releases: [
              { title: 'no id' },
              { id: 'rel1', date: { year: 1999, month: 5 }, mediums: [{ tracks: [{ position: 4 }, { title: 'no position' }] }, 'junk'] },
              { id: 'rel2', date: { month: 5 }, country: 'GB' },
            ] },
          ],
        },
      ],
    }]);
    expect(result).toEqual({
      acoustId: 'a1', score: 0.8, recordings: [{
        mbid: 'r1', title: null, durationSeconds: null, sources: 1, artists: [{ mbid: 'x1', name: 'Unknown artist', joinphrase: '' }],
        releaseGroups: [{
          mbid: 'g1', title: null, primaryType: null, secondaryTypes: ['Live'], releases: [
            { mbid: 'rel1', title: null, date: '1999-05', country: null, trackCount: null, positions: [{ medium: 1, track: 4 }] },
            { mbid: 'rel2', title: null, date: null, country: 'GB', trackCount: null, positions: [] },
          ],
        }],
      }],
    });
  });
});

describe('parseRelease and parseRecording (MusicBrainz)', () => {
  it('reads a release whose tracks lack some fields, and keeps only performance relations to works', () => {
    const release = parseRelease({
      id: 'rel1', title: 'Album', date: '2001', status: 'Official', 'release-group': { title: 'no id' },
      'artist-credit': [{ artist: { id: 'a1', name: 'Band' } }, { name: 'no artist' }],
      media: [{ tracks: [
        { position: 1, recording: { id: 'r1', length: 200_000, relations: [
          { 'target-type': 'work', type: 'performance', work: { id: 'w1' } },
          { 'target-type': 'work', type: 'medley', work: { id: 'w2', title: 'Medley' } },
          { 'target-type': 'url', type: 'performance' },
          { 'target-type': 'work', type: 'performance', work: {} },
        ] } },
        { position: 2 },
        { recording: { id: 'r3' } },
      ] }, { position: 2, tracks: 'none' }],
    });
    expect(release).toEqual({
      mbid: 'rel1', title: 'Album', date: '2001', status: 'Official', releaseGroup: null, artists: [{ mbid: 'a1', name: 'Band', joinphrase: '' }],
      tracks: [{ medium: 1, position: 1, lengthMs: 200_000, recording: { mbid: 'r1', title: 'Unknown title', lengthMs: 200_000, artists: [], works: [{ mbid: 'w1', title: 'Unknown work' }] } }],
    });
  });

  it('reads a recording lookup, releases without ids left out', () => {
    expect(parseRecording({ id: 'r1', title: 'Song', releases: [{ id: 'rel1' }, { title: 'no id' }] })).toEqual({
      recording: { mbid: 'r1', title: 'Song', lengthMs: null, artists: [], works: [] },
      releases: [{ mbid: 'rel1', title: 'Unknown album', date: null, status: null, releaseGroup: null }],
    });
  });
});
