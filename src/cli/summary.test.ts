import { describe, expect, it } from 'vitest';
import { WriteMetrics } from '../db/metrics.js';
import { emptyCounts, type ImportCounts, type ImportSummary } from '../import/events.js';
import { formatSummary } from './summary.js';

function summary(counts: Partial<ImportCounts>, fields: Partial<Omit<ImportSummary, 'counts'>> = {}): ImportSummary {
  return {
    sessionId: 's', state: 'COMPLETED', rootFolder: '/music', folder: '', database: '/music/wkmp.db', durationMs: 2000, filesPerSecond: 50,
    write: new WriteMetrics().summary(), errors: [], errorsTotal: fields.errors?.length ?? 0, ...fields, counts: { ...emptyCounts(), ...counts },
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
    expect(lineOf(text, 'no passage')).toBeUndefined();
  });

  it('after a full import: the audio decoded and how many times real time', () => {
    const text = formatSummary(summary({ new: 1, recorded: 1, passages: 1, audioSeconds: 120, passagesPerFile: { one: 1, twoToFive: 0, moreThanFive: 0 } }));
    expect(lineOf(text, 'audio')).toBe('  audio      2.0 minutes analysed, 60.0x realtime');
  });

  it('counts the files recorded without a passage, by reason', () => {
    const noPassage = (path: string, why: string) => ({
      path, phase: 'tags', code: 'NO_PASSAGE', message: `reading tags of ${path}: recorded without a passage until its audio is decoded: ${why}`,
    });
    const text = formatSummary(summary({ new: 3, recorded: 3 }, {
      errors: [
        noPassage('a.aac', 'its headers give no duration'),
        { path: 'c.mp3', phase: 'tags', code: 'TAGS_UNREADABLE', message: 'reading tags of c.mp3: bad frame; recorded without tags' },
        noPassage('b.aac', 'its headers give no duration'),
        noPassage('d.flac', 'none of its cue sheet\'s tracks starts within its 3.0 s'),
      ],
    }));
    expect(lineOf(text, 'no passage')).toBe(
      '  no passage 3 files recorded PENDING until a full import decodes them: its headers give no duration (2); none of its cue sheet\'s tracks starts within its 3.0 s (1)',
    );
    expect(lineOf(text, 'errors')).toBe('  errors (4):');
  });

  it('lists the first errors it holds and says how many more there are, and where', () => {
    const first = Array.from({ length: 3 }, (_, i) => ({ path: `${i}.mp3`, phase: 'classify', code: 'NOT_AUDIO', message: `${i}.mp3 is not audio` }));
    const text = formatSummary(summary({ new: 1500, failed: 1500 }, { errors: first, errorsTotal: 1500 }));
    const lines = text.split('\n');
    expect(lineOf(text, 'errors')).toBe('  errors (1500):');
    expect(lines.filter((line) => line.includes('NOT_AUDIO'))).toHaveLength(3);
    expect(lines.at(-1)).toBe('    … and 1497 more, in wkmp.db\'s import_errors (session s; the service pages them: GET /import/errors?session=s)');
  });

  it('says "it" of one file without a passage', () => {
    const text = formatSummary(summary({ new: 1, recorded: 1 }, {
      errors: [{ path: 'a.aac', phase: 'tags', code: 'NO_PASSAGE', message: 'reading tags of a.aac: recorded without a passage until its audio is decoded: its headers give no duration' }],
    }));
    expect(lineOf(text, 'no passage')).toBe('  no passage 1 file recorded PENDING until a full import decodes it: its headers give no duration (1)');
  });

  it('says what became of known files that moved, were retagged or re-encoded, matched two missing files, or are offline', () => {
    const text = formatSummary(summary({ moved: 10_000, retagged: 3, reencoded: 1, ambiguous: 1, offline: 40 }));
    expect(lineOf(text, 'kept')).toBe('  kept       moved 10000, retagged 3, re-encoded 1, ambiguous 1 (matching two missing files: nothing taken over), offline 40 (a drive or share not there: not marked missing)');
    expect(lineOf(formatSummary(summary({ moved: 2 })), 'kept')).toBe('  kept       moved 2');
  });
});
