/** Each JSON column wkmp-ai reads back, as it writes it, as older releases wrote it, and damaged. */
import { describe, expect, it } from 'vitest';
import { parseAdditionalMetadata } from './additional-metadata.js';
import { parseCandidates } from './candidates.js';
import { parseReleasePlanSheet, type FileCueSheet } from './file-cue-sheet.js';
import { parseImportMetadata, type ImportMetadata } from './import-metadata.js';
import { parseSessionParameters } from './session-parameters.js';

const fullAnalysis: ImportMetadata = {
  analysis: 'full', analysisVersion: 3, passage: { number: 2, of: 3 },
  boundaries: { source: 'silence', thresholdDbfs: -70, noiseFloorDbfs: null, oneTrack: false, rejectedGaps: [{ startTicks: 10, endTicks: 20, verdict: 'short for one track' }] },
  decoder: 'ffmpeg', sampleRate: 11_025, windowMs: 100,
  segmentation: { silenceThresholdDb: 70, minGapSeconds: 0.5, minSongSeconds: 15 },
  amplitude: { rmsWindowMs: 100, leadInThresholdDb: -12, applyAWeighting: true },
  leadIn: { seconds: 0.4, quickRamp: false, peak: 0.3, thresholdRms: 0.07 },
  leadOut: { seconds: 2.1, quickRamp: false, peak: 0.3, thresholdRms: 0.07 },
};

describe('passages.import_metadata', () => {
  it.each<[string, ImportMetadata]>([
    ['a full analysis', fullAnalysis],
    ['a tags pass', { analysis: 'tags', analysisVersion: 3, passage: { number: 1, of: 1 }, boundaries: { source: 'container duration' } }],
    ['a cue sheet\'s track', {
      analysis: 'tags', analysisVersion: 3, passage: { number: 1, of: 2 },
      boundaries: { source: 'cue sheet', sheet: 'Album/album.cue', track: 1, album: { title: 'Album', performer: null, date: '1999', genre: null } },
    }],
  ])('reads back what %s writes', (_, written) => {
    expect(parseImportMetadata(JSON.stringify(written))).toEqual({ readable: true, value: written });
  });

  it('finds unreadable what analysis version 1 wrote (the boundaries named by a word), or another service', () => {
    expect(parseImportMetadata('{"analysis":"full","boundaries":"silence","decoder":"ffmpeg"}'))
      .toEqual({ readable: false, problem: 'passages.import_metadata: analysisVersion must be a number, got nothing' });
    expect(parseImportMetadata('{"method":"manual"}')).toMatchObject({ readable: false, problem: /^passages\.import_metadata: analysis must be one of/ });
  });

  it('names the rejected gap that is wrong', () => {
    const damaged = { ...fullAnalysis, boundaries: { ...fullAnalysis.boundaries, rejectedGaps: [{ startTicks: 1, endTicks: '2', verdict: 'boundary' }] } };
    expect(parseImportMetadata(JSON.stringify(damaged)))
      .toEqual({ readable: false, problem: 'passages.import_metadata: boundaries.rejectedGaps[0].endTicks must be a number, got "2"' });
  });
});

describe('passages.additional_metadata', () => {
  it('reads back a fingerprint, and a passage without one', () => {
    expect(parseAdditionalMetadata('{"chromaprint":{"fingerprint":"AQAD","durationSeconds":120}}'))
      .toEqual({ readable: true, value: { chromaprint: { fingerprint: 'AQAD', durationSeconds: 120 } } });
    expect(parseAdditionalMetadata('{}')).toEqual({ readable: true, value: {} });
  });

  it('says what is wrong with a damaged one', () => {
    expect(parseAdditionalMetadata('{"chromaprint":{"fingerprint":42}}'))
      .toEqual({ readable: false, problem: 'passages.additional_metadata: chromaprint.fingerprint must be a string, got 42' });
    expect(parseAdditionalMetadata('garbage')).toMatchObject({ readable: false, problem: /^passages\.additional_metadata is not JSON/ });
  });
});

describe('wkmp_ai_release_plans.sheet', () => {
  const sheet: FileCueSheet = {
    source: 'MusicBrainz release 5b11f4ce-a62d-471e-81fc-a69a8278c7da',
    album: { title: 'Album', performer: 'Artist', date: '1999-03-01', genre: null, releaseMbid: '5b11f4ce-a62d-471e-81fc-a69a8278c7da', catalog: null, discId: null, comment: null },
    tracks: [{ number: 1, kind: 'audio', startTicks: 0, endTicks: 28_224_000, title: 'One', performer: 'Artist', recordingMbid: null, artistMbids: [], isrc: null, flags: [] }],
  };

  it('reads back the sheet identification stores, and names the column when it cannot', () => {
    expect(parseReleasePlanSheet(JSON.stringify(sheet))).toEqual({ readable: true, value: sheet });
    expect(parseReleasePlanSheet(JSON.stringify({ ...sheet, tracks: [{ ...sheet.tracks[0], startTicks: null }] })))
      .toEqual({ readable: false, problem: 'wkmp_ai_release_plans.sheet: tracks[0].startTicks must be a number, got null' });
  });
});

describe('wkmp_ai_identification_jobs.candidates', () => {
  it('reads back the candidates kept for review, and names the column when it cannot', () => {
    const candidates = [{ recordingMbid: 'r', title: null, artist: 'A & B', score: 0.7, confidence: 0.63, album: 'Album' }];
    expect(parseCandidates(JSON.stringify(candidates))).toEqual({ readable: true, value: candidates });
    expect(parseCandidates('{"recordingMbid":"r"}')).toEqual({ readable: false, problem: 'wkmp_ai_identification_jobs.candidates: the value must be an array, got {"recordingMbid":"r"}' });
  });
});

describe('import_sessions.parameters', () => {
  it('reads back who ran the import, and finds none in what older releases or other importers wrote', () => {
    expect(parseSessionParameters('{"jobs":2,"origin":"cli"}')).toEqual({ readable: true, value: { jobs: 2, origin: 'cli' } });
    expect(parseSessionParameters('{"jobs":2,"origin":"watch"}')).toEqual({ readable: true, value: { jobs: 2, origin: 'watch' } });
    expect(parseSessionParameters('{"jobs":2}')).toEqual({ readable: true, value: { jobs: 2 } });
    expect(parseSessionParameters('{"jobs":2,"origin":"elsewhere"}'))
      .toEqual({ readable: false, problem: 'import_sessions.parameters: origin must be one of "cli", "service", "watch", got "elsewhere"' });
    expect(parseSessionParameters('not json')).toMatchObject({ readable: false, problem: /^import_sessions\.parameters is not JSON/ });
  });
});
