import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realMusicDir } from '../../test/real-music.js';
import { ANALYSIS_VERSION, secondsToTicks, type PassageRecord } from '../file-record.js';
import { takeOverPassages, type AbsentPassage } from './kept-passages.js';

/** What fpcalc (the reference Chromaprint) gives a file: the compressed fingerprint passages store. */
function fingerprintOf(path: string): string {
  const run = spawnSync('fpcalc', ['-plain', path], { encoding: 'utf8' });
  const fingerprint = run.stdout.trim().split('\n')[0] ?? '';
  if (!/^[A-Za-z0-9_-]{20,}$/.test(fingerprint)) throw new Error(`fpcalc ${path}: ${run.stderr}`);
  return fingerprint;
}

function toneFingerprint(frequency: number): string {
  const path = join(realMusicDir(), '..', `tone-${frequency}.wav`);
  spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${frequency}:duration=30`, path]);
  return fingerprintOf(path);
}

const song = (name: string) => fingerprintOf(join(realMusicDir(), 'singles', name));

function fresh(guid: string, fingerprint: string, start = 0, end = 39.23): PassageRecord {
  return {
    guid, startTicks: secondsToTicks(start), endTicks: secondsToTicks(end), leadInStartTicks: null, leadOutStartTicks: null,
    title: null, artist: null, album: null,
    importMetadata: { analysis: 'full', analysisVersion: ANALYSIS_VERSION, passage: { number: 1, of: 1 }, boundaries: { source: 'silence', rejectedGaps: [] } },
    additionalMetadata: { chromaprint: { fingerprint, durationSeconds: end - start } }, flavor: null, recording: null, release: null,
  };
}

function absent(guid: string, fileGuid: string, fingerprint: string | null, start = 0, end = 39.23): AbsentPassage {
  return { guid, fileGuid, startTicks: secondsToTicks(start), endTicks: secondsToTicks(end), fingerprint };
}

describe('takeOverPassages', () => {
  // The same song from the real-music fixtures in Ogg Vorbis and MP3; another song; two steady tones.
  const ogg = song('track31.ogg');
  const mp3 = song('track31.mp3');
  const other = song('track29.ogg');

  it('gives a passage of another encoding of the same recording, edges within 0.5 s, the old passage\'s guid', () => {
    const takeover = takeOverPassages([fresh('new', ogg, 0.3, 39.5)], [absent('old', 'mp3-file', mp3)]);
    expect(takeover).toEqual({ kind: 'takeover', fileGuid: 'mp3-file', byNewGuid: new Map([['new', 'old']]) });
  });

  it('takes nothing whose edges lie further than 0.5 s off, or whose music differs, or that has no fingerprint', () => {
    expect(takeOverPassages([fresh('new', ogg, 0.8)], [absent('old', 'mp3-file', mp3)])).toEqual({ kind: 'none' });
    expect(takeOverPassages([fresh('new', other)], [absent('old', 'mp3-file', mp3)])).toEqual({ kind: 'none' });
    expect(takeOverPassages([fresh('new', ogg)], [absent('old', 'mp3-file', null)])).toEqual({ kind: 'none' });
  });

  it('never takes a steady tone for another: fingerprints of few distinct values match anything like them', () => {
    expect(takeOverPassages([fresh('new', toneFingerprint(440), 0, 30)], [absent('old', 'tone-file', toneFingerprint(523), 0, 30)])).toEqual({ kind: 'none' });
  });

  it('does not guess between two missing files that both match: it names both and takes none', () => {
    const takeover = takeOverPassages([fresh('new', ogg)], [absent('old-a', 'mp3-file', mp3), absent('old-b', 'ogg-file', ogg)]);
    expect(takeover).toEqual({ kind: 'ambiguous', fileGuids: ['mp3-file', 'ogg-file'] });
  });
});
