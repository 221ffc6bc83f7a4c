import { describe, expect, it } from 'vitest';
import { ANALYSIS_VERSION } from '../file-record.js';
import { PlanSpill } from './plan-spill.js';
import type { KnownFileIdentity } from './queries/files.js';

function absentFile(guid: string, inode: number, sizeBytes: number, hash = `hash ${guid}`): KnownFileIdentity {
  return {
    fileClass: 'audio', guid, path: `A/${guid}.mp3`, sizeBytes, modificationMs: 1, missingSince: null, analysis: 'full',
    analysisVersion: ANALYSIS_VERSION, cueSignature: null, hash, audioHash: null, deviceId: 1, inode,
  };
}

const values = (rows: readonly { value: string }[]): string[] => rows.map((row) => row.value);

describe('PlanSpill', () => {
  it('keeps small plans in the heap and moves everything to disk past its bound, with cursors, order and marks kept', () => {
    const spill = new PlanSpill<string>(6);
    try {
      spill.add([{ value: 'a', unknown: true }, { value: 'b', unknown: false }, { value: 'c', unknown: true }]);
      spill.addAbsent([absentFile('g1', 11, 100), absentFile('g2', 12, 100), absentFile('g3', 13, 100, '')], 'here');
      spill.take('g1', true);
      const first = spill.page(0, 2);
      spill.settle([{ seq: first[0]!.seq, value: 'a paired' }]);
      expect(spill.spilled).toBe(false);
      spill.addPresence('restored', ['r1']);
      expect(spill.spilled).toBe(true);

      expect(values(spill.page(0, 10))).toEqual(['a paired', 'b', 'c']);
      expect(values(spill.page(first.at(-1)!.seq, 10))).toEqual(['c']);
      expect(values(spill.unknownPage(0, 10))).toEqual(['c']);
      // g1 was taken (moved here) before the move to disk; g3 has no hash to compare by size.
      expect(spill.absentAt(1, 11)).toBeUndefined();
      expect(spill.absentAt(1, 12)?.guid).toBe('g2');
      expect(spill.absentOfSize(100, 4).map((file) => file.guid)).toEqual(['g2']);
      expect(spill.notMovedPage(0, 10).map((row) => [row.value.guid, row.taken])).toEqual([['g2', false], ['g3', false]]);
      expect(spill.presencePage('restored', 0, 10).map((row) => row.key)).toEqual(['r1']);
      spill.settle([{ seq: spill.page(0, 1)[0]!.seq, value: null }]);
      expect(values(spill.page(0, 10))).toEqual(['b', 'c']);
    } finally {
      spill.close();
    }
  });

  it('keeps an absent file once, as first added (absent here and marked missing before), whether in the heap or on disk', () => {
    for (const held of [100, 0]) {
      const spill = new PlanSpill<string>(held);
      try {
        spill.addAbsent([absentFile('g1', 11, 100)], 'here');
        spill.addAbsent([absentFile('g1', 11, 100), absentFile('g2', 12, 200)], 'elsewhere');
        // Only files absent here are marked missing: g2 was missing before, elsewhere.
        expect(spill.notMovedPage(0, 10).map((row) => row.value.guid)).toEqual(['g1']);
        spill.take('g1', false);
        expect(spill.absentOfSize(100, 4)).toEqual([]);
        expect(spill.notMovedPage(0, 10).map((row) => [row.value.guid, row.taken])).toEqual([['g1', true]]);
      } finally {
        spill.close();
      }
    }
  });
});
