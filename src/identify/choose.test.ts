import { describe, expect, it } from 'vitest';
import { parseResults, type AcoustIdResult } from './acoustid.js';
import { bandOf, candidatesOf, durationFactor, joinedParts, pick, sharedRelease } from './choose.js';

/** AcoustID's compressed reply for one fingerprint: release titles and artists left out where they equal the parent's. */
function reply(recordings: { id: string; duration?: number; sources?: number; releases: { id: string; group: string; date?: number; compilation?: boolean; track?: number }[] }[], score = 0.9): unknown {
  return [{
    id: 'acoustid-1', score,
    recordings: recordings.map((r) => ({
      id: r.id, title: `Song ${r.id}`, ...(r.duration === undefined ? {} : { duration: r.duration }), sources: r.sources ?? 5,
      artists: [{ id: 'artist-1', name: 'Band' }],
      releasegroups: r.releases.map((release) => ({
        id: release.group, title: `Album ${release.group}`, type: 'Album', ...(release.compilation ? { secondarytypes: ['Compilation'] } : {}),
        releases: [{ id: release.id, ...(release.date === undefined ? {} : { date: { year: release.date } }), track_count: 12, mediums: [{ position: 1, track_count: 12, tracks: [{ position: release.track ?? 1 }] }] }],
      })),
    })),
  }];
}

describe('candidatesOf', () => {
  it('puts back what compress leaves out and reads the date and position', () => {
    const [result] = parseResults(reply([{ id: 'r1', duration: 200, releases: [{ id: 'rel1', group: 'g1', date: 1999, track: 3 }] }]));
    const release = result!.recordings[0]!.releaseGroups[0]!.releases[0]!;
    expect(release).toEqual({ mbid: 'rel1', title: 'Album g1', date: '1999', country: null, trackCount: 12, positions: [{ medium: 1, track: 3 }] });
  });

  it('weighs the score by how far the recording\'s length is from the passage\'s', () => {
    expect(durationFactor(200, 205)).toBe(1);
    expect(durationFactor(200, 220)).toBeCloseTo(0.5);
    expect(durationFactor(200, 240)).toBe(0);
    expect(durationFactor(null, 240)).toBe(0.9);
    const candidates = candidatesOf(parseResults(reply([
      { id: 'far', duration: 260, releases: [] },
      { id: 'near', duration: 201, releases: [] },
    ])), 200);
    expect(candidates.map((c) => [c.recordingMbid, c.confidence])).toEqual([['near', 0.9], ['far', 0]]);
  });

  it('ignores results scored under 0.5, and ranks equal confidence by sources', () => {
    expect(candidatesOf(parseResults(reply([{ id: 'r1', duration: 200, releases: [] }], 0.49)), 200)).toEqual([]);
    const ranked = candidatesOf(parseResults(reply([
      { id: 'few', duration: 200, sources: 2, releases: [] },
      { id: 'many', duration: 200, sources: 40, releases: [] },
    ])), 200);
    expect(ranked.map((c) => c.recordingMbid)).toEqual(['many', 'few']);
  });

  it('keeps a recording AcoustID sends with only its id', () => {
    const results: AcoustIdResult[] = parseResults([{ id: 'a', score: 0.95, recordings: [{ id: 'bare' }] }]);
    expect(candidatesOf(results, 180)).toMatchObject([{ recordingMbid: 'bare', title: null, confidence: 0.95 * 0.9, releases: [] }]);
  });
});

describe('sharedRelease and pick', () => {
  const album = (n: number, extra: { id: string; group: string; compilation?: boolean; date?: number }[] = []) => Array.from({ length: n }, (_, i) => candidatesOf(parseResults(reply([
    { id: `rec${i}`, duration: 200, releases: [{ id: 'original', group: 'g-original', date: 1990, track: i + 1 }, ...extra] },
  ])), 200));

  it('takes the release more than 60 % of the album shares, the original before a later compilation', () => {
    const passages = album(10, [{ id: 'best-of', group: 'g-best', compilation: true, date: 2005 }]);
    expect(sharedRelease(passages)).toMatchObject({ mbid: 'original', share: 1 });
  });

  it('finds none when no release reaches 60 %', () => {
    const mixed = [...album(1), ...album(1, []).map(() => candidatesOf(parseResults(reply([{ id: 'other', duration: 200, releases: [{ id: 'elsewhere', group: 'g2' }] }])), 200))];
    expect(sharedRelease(mixed)).toBeNull();
    expect(sharedRelease([[]])).toBeNull();
  });

  it('picks the candidate on the shared release though another ranks first, and counts the agreement', () => {
    const candidates = candidatesOf(parseResults(reply([
      { id: 'single-edit', duration: 200, sources: 50, releases: [{ id: 'single', group: 'g-single' }] },
      { id: 'album-take', duration: 200, sources: 3, releases: [{ id: 'original', group: 'g-original' }] },
    ])), 200);
    expect(candidates[0]!.recordingMbid).toBe('single-edit');
    const onRelease = pick(candidates, 'original');
    expect(onRelease).toMatchObject({ onRelease: true, candidate: { recordingMbid: 'album-take' } });
    expect(onRelease!.candidate.confidence).toBeCloseTo(0.95);
    expect(pick(candidates, null)).toMatchObject({ onRelease: false, candidate: { recordingMbid: 'single-edit', confidence: 0.9 } });
    expect(pick([], null)).toBeNull();
  });

  it('bands confidence as WKMP does', () => {
    expect([0.9, 0.85, 0.8, 0.7, 0.65, 0.6, 0.5].map(bandOf)).toEqual(['high', 'high', 'medium', 'medium', 'low', 'low', 'none']);
  });
});

describe('joinedParts', () => {
  const naming = (id: string, duration: number) => parseResults(reply([{ id, duration, releases: [] }]));

  it('joins adjacent passages of a file that name one recording fitting their joined length, and only those', () => {
    expect(joinedParts([
      { seconds: 180, results: naming('whole', 300), followsPrevious: false },
      { seconds: 120, results: naming('whole', 300), followsPrevious: true },
      { seconds: 200, results: naming('next', 200), followsPrevious: true },
      { seconds: 100, results: naming('next', 300), followsPrevious: false },
      { seconds: 200, results: naming('next', 300), followsPrevious: false },
    ])).toEqual([[0, 1], [2], [3], [4]]);
  });

  it('leaves apart two passages of the same recording that each fit it alone (a song played twice)', () => {
    expect(joinedParts([
      { seconds: 300, results: naming('twice', 300), followsPrevious: false },
      { seconds: 300, results: naming('twice', 300), followsPrevious: true },
    ])).toEqual([[0], [1]]);
  });

  it('joins three parts of one long song', () => {
    const parts = [100, 100, 100].map((seconds, i) => ({ seconds, results: naming('long', 300), followsPrevious: i > 0 }));
    expect(joinedParts(parts)).toEqual([[0, 1, 2]]);
  });
});
