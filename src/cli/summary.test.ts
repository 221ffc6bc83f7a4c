import { describe, expect, it } from 'vitest';
import { WriteMetrics } from '../db/metrics.js';
import { emptyCounts, type ImportCounts, type ImportSummary } from '../import/events.js';
import { formatSummary } from './summary.js';

function summary(counts: Partial<ImportCounts>, fields: Partial<Omit<ImportSummary, 'counts'>> = {}): ImportSummary {
  return {
    sessionId: 's', state: 'COMPLETED', rootFolder: '/music', folder: '', database: '/music/wkmp.db', durationMs: 2000, filesPerSecond: 50,
    write: new WriteMetrics().summary(), errors: [], ...fields, counts: { ...emptyCounts(), ...counts },
  };
}

const lineOf = (text: string, label: string): string | undefined => text.split('\n').find((line) => line.startsWith(`  ${label}`));

describe('formatSummary', () => {
  it('after a rescan where nothing was analysed: no per-file line, no audio line', () => {
    const text = formatSummary(summary({ unchanged: 100, classes: { audio: 100, image: 0, video: 0, other: 0 } }));
    expect(text).not.toMatch(/1 in 0|minutes analysed|realtime/);
    expect(text.split('\n').slice(1).map((line) => line.slice(0, 13).trim())).toEqual(['files', 'found', 'recorded', 'write path', 'time']);
  });

  it('after a tags pass: the passages per file, and no audio line (nothing was decoded)', () => {
    const text = formatSummary(summary({ new: 3, recorded: 3, passages: 3, passagesPerFile: { one: 3, twoToFive: 0, moreThanFive: 0 }, shortestPassageSeconds: 2 }));
    expect(lineOf(text, 'passages')).toBe('  passages   per file: 1 in 3, 2-5 in 0, more than 5 in 0; shortest 2.0 s');
    expect(text).not.toMatch(/minutes analysed|realtime/);
  });

  it('after a full import: the audio decoded and how many times real time', () => {
    const text = formatSummary(summary({ new: 1, recorded: 1, passages: 1, audioSeconds: 120, passagesPerFile: { one: 1, twoToFive: 0, moreThanFive: 0 } }));
    expect(lineOf(text, 'audio')).toBe('  audio      2.0 minutes analysed, 60.0x realtime');
  });
});
