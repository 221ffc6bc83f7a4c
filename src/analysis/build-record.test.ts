import { describe, expect, it } from 'vitest';
import { TICKS_PER_SECOND } from '../file-record.js';
import type { FileCueSheet } from '../stored/file-cue-sheet.js';
import { parseImportMetadata } from '../stored/import-metadata.js';
import { buildTagsRecord, creditArtists, type FileFacts } from './build-record.js';
import type { CueTrack } from '../stored/file-cue-sheet.js';
import type { TagReport } from './tags.js';

/** New ids are UUIDs of version 7: time-ordered, so that indexes grow at their right edge. */
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function artistMbid(n: number): string {
  return `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function report(overrides: Partial<Omit<TagReport, 'tags' | 'ids' | 'audio'>> & {
  tags?: Partial<TagReport['tags']>; ids?: Partial<TagReport['ids']>; audio?: Partial<TagReport['audio']>;
} = {}): TagReport {
  return {
    artistNames: overrides.artistNames ?? [],
    releaseDate: overrides.releaseDate ?? null,
    workTitle: overrides.workTitle ?? null,
    tags: { title: 'Song', artist: 'Someone', album: 'Record', trackNumber: 3, year: 1999, ...overrides.tags },
    ids: { recordingMbid: null, artistMbids: [], releaseMbid: null, workMbid: null, ...overrides.ids },
    audio: { format: 'flac', codec: 'flac', sampleRate: 44_100, channels: 2, durationSeconds: 2, ...overrides.audio },
    cueSheet: null,
  };
}

const facts: FileFacts = {
  path: 'Someone/Record/03 Song.flac', knownGuid: null, hash: 'ab'.repeat(32), sizeBytes: 12_345, modificationTime: '2024-05-01T12:00:00.250Z', cueSignature: null, warnings: [],
  audioHash: null, place: { device: 1, inode: 2 },
};

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

describe('creditArtists', () => {
  it.each([1, 2, 3, 7])('shares the credit of %i artists equally, weights summing to 1', (n) => {
    const ids = Array.from({ length: n }, (_, i) => artistMbid(i + 1));
    const names = ids.map((_, i) => `Artist ${i + 1}`);
    const credits = creditArtists(report({ ids: { artistMbids: ids }, artistNames: names }));
    expect(credits.map((credit) => credit.mbid)).toEqual(ids);
    for (const credit of credits) expect(credit.weight).toBeCloseTo(1 / n, 12);
    expect(sum(credits.map((credit) => credit.weight))).toBeCloseTo(1, 12);
    for (const credit of credits) expect(credit.weight).toBeLessThanOrEqual(1);
  });

  it('names each artist from the ARTISTS tag in credit order', () => {
    const credits = creditArtists(report({ ids: { artistMbids: [artistMbid(1), artistMbid(2), artistMbid(3)] }, artistNames: ['Ann', 'Bob', 'Cy'] }));
    expect(credits.map((credit) => [credit.mbid, credit.name])).toEqual([
      [artistMbid(1), 'Ann'], [artistMbid(2), 'Bob'], [artistMbid(3), 'Cy'],
    ]);
  });

  it('credits an artist id given twice once, with the whole share, and still names artists by order', () => {
    // music-metadata already removes repeated names from ARTISTS; repeated ids are removed here.
    const credits = creditArtists(report({
      ids: { artistMbids: [artistMbid(1), artistMbid(2), artistMbid(1)] }, artistNames: ['Ann', 'Bob'],
    }));
    expect(credits.map((credit) => [credit.mbid, credit.name, credit.weight])).toEqual([
      [artistMbid(1), 'Ann', 0.5], [artistMbid(2), 'Bob', 0.5],
    ]);
  });

  it('names a single credited artist from the ARTIST tag when there is no ARTISTS tag', () => {
    const credits = creditArtists(report({ ids: { artistMbids: [artistMbid(1)] }, tags: { artist: 'Ann' } }));
    expect(credits.map((credit) => [credit.name, credit.weight])).toEqual([['Ann', 1]]);
  });

  it('gives every credit a fresh guid and a name even when no name tag says who it is', () => {
    const credits = creditArtists(report({ ids: { artistMbids: [artistMbid(1), artistMbid(2)] }, tags: { artist: null } }));
    for (const credit of credits) {
      expect(credit.guid).toMatch(uuidPattern);
      expect(credit.name).not.toBe('');
    }
    expect(new Set(credits.map((credit) => credit.guid)).size).toBe(2);
  });

  it('credits no one when the file carries no artist ids', () => {
    expect(creditArtists(report({ artistNames: ['Ann'] }))).toEqual([]);
  });
});

describe('buildTagsRecord', () => {
  it('records one passage over the whole file, from 0 to the duration in ticks', () => {
    const record = buildTagsRecord(facts, report({ audio: { durationSeconds: 2.5 } }));
    const duration = Math.round(2.5 * TICKS_PER_SECOND);
    expect(record.durationTicks).toBe(duration);
    expect(record.status).toBe('INGEST COMPLETE');
    expect(record.passages).toHaveLength(1);
    expect(record.passages[0]).toMatchObject({ startTicks: 0, endTicks: duration, title: 'Song', artist: 'Someone', album: 'Record' });
  });

  it('copies the file facts, the audio format and the tags onto the record', () => {
    const record = buildTagsRecord(facts, report());
    expect(record).toMatchObject({
      kind: 'record', path: facts.path, hash: facts.hash, sizeBytes: facts.sizeBytes, modificationTime: facts.modificationTime,
      format: 'flac', sampleRate: 44_100, channels: 2,
      tags: { title: 'Song', artist: 'Someone', album: 'Record', trackNumber: 3, year: 1999 },
    });
    expect(record.guid).toMatch(uuidPattern);
  });

  it.each([null, 0])('records a file without a trustworthy duration (%s) as PENDING with no passage, and a warning saying why', (durationSeconds) => {
    const record = buildTagsRecord(facts, report({ audio: { durationSeconds }, ids: { recordingMbid: '11111111-1111-4111-8111-111111111111' } }));
    expect(record.status).toBe('PENDING');
    expect(record.passages).toEqual([]);
    expect(record.durationTicks).toBeNull();
    expect(record.warnings).toEqual([{
      phase: 'tags', code: 'NO_PASSAGE',
      message: 'reading tags of Someone/Record/03 Song.flac: recorded without a passage until its audio is decoded: its headers give no duration',
    }]);
  });

  it('says why a file whose cue sheet\'s tracks all start past its end has no passage', () => {
    const track = (number: number, startSeconds: number): CueTrack => ({
      number, kind: 'audio', startTicks: startSeconds * TICKS_PER_SECOND, endTicks: null, title: null, performer: null, recordingMbid: null, artistMbids: [], isrc: null, flags: [],
    });
    const album = { title: null, performer: null, date: null, genre: null, releaseMbid: null, catalog: null, discId: null, comment: null };
    const record = buildTagsRecord(facts, report(), { source: 'Record.cue', album, tracks: [track(1, 5), track(2, 60)] });
    expect(record).toMatchObject({ status: 'PENDING', passages: [] });
    expect(record.warnings.map((warning) => warning.message)).toEqual([
      'reading tags of Someone/Record/03 Song.flac: recorded without a passage until its audio is decoded: none of its cue sheet\'s tracks starts within its 2.0 s',
    ]);
  });

  it('adds no warning to a file that has its passage', () => {
    expect(buildTagsRecord(facts, report()).warnings).toEqual([]);
  });

  it('leaves the passage unidentified without a recording id, keeping the tag title, artist and album', () => {
    const record = buildTagsRecord(facts, report({ ids: { artistMbids: [artistMbid(1)], releaseMbid: null } }));
    const passage = record.passages[0]!;
    expect(passage.recording).toBeNull();
    expect(passage).toMatchObject({ title: 'Song', artist: 'Someone', album: 'Record' });
  });

  it('links the passage to its recording, credited artists, work and release from the embedded ids', () => {
    const record = buildTagsRecord(facts, report({
      ids: {
        recordingMbid: '11111111-1111-4111-8111-111111111111', artistMbids: [artistMbid(1)],
        releaseMbid: 'bbbbbbbb-0000-4000-8000-00000000000b', workMbid: 'cccccccc-0000-4000-8000-00000000000c',
      },
      artistNames: ['Someone'], releaseDate: '1999-03-01', workTitle: 'The Work',
    }));
    const passage = record.passages[0]!;
    expect(passage.recording).toMatchObject({
      recordingMbid: '11111111-1111-4111-8111-111111111111', title: 'Song',
      artists: [{ mbid: artistMbid(1), name: 'Someone', weight: 1 }],
      works: [{ mbid: 'cccccccc-0000-4000-8000-00000000000c', title: 'The Work' }],
    });
    expect(passage.release).toMatchObject({ mbid: 'bbbbbbbb-0000-4000-8000-00000000000b', title: 'Record', releaseDate: '1999-03-01' });
  });

  it('writes an import_metadata that reads back as stored/import-metadata.ts declares it, from the container or a cue sheet', () => {
    const sheet: FileCueSheet = {
      source: 'Someone/Record/record.cue',
      album: { title: 'Record', performer: 'Someone', date: '1999', genre: 'Rock', releaseMbid: null, catalog: null, discId: null, comment: null },
      tracks: [{ number: 1, kind: 'audio', startTicks: 0, endTicks: TICKS_PER_SECOND, title: 'One', performer: null, recordingMbid: null, artistMbids: [], isrc: null, flags: [] }],
    };
    for (const record of [buildTagsRecord(facts, report()), buildTagsRecord(facts, report(), sheet)]) {
      const written = record.passages[0]!.importMetadata;
      expect(parseImportMetadata(JSON.stringify(written))).toEqual({ readable: true, value: written });
    }
  });

  it('keeps the guid the database already knows for the file', () => {
    const knownGuid = '0f0f0f0f-0000-4000-8000-000000000001';
    expect(buildTagsRecord({ ...facts, knownGuid }, report()).guid).toBe(knownGuid);
  });

  it('gives a new file a fresh guid each time', () => {
    expect(buildTagsRecord(facts, report()).guid).not.toBe(buildTagsRecord(facts, report()).guid);
  });
});

describe('new ids', () => {
  it('sort in the order the records were built, so rows created one after another sit together in an index', () => {
    const facts: FileFacts = { path: 'a.flac', knownGuid: null, hash: 'h', sizeBytes: 1, modificationTime: '2024-01-01T00:00:00.000Z', cueSignature: null, warnings: [], audioHash: null, place: { device: 1, inode: 2 } };
    const guids = Array.from({ length: 50 }, () => buildTagsRecord(facts, report({ audio: { durationSeconds: 1 } })).guid);
    expect([...guids].sort()).toEqual(guids);
    expect(new Set(guids).size).toBe(50);
  });
});
