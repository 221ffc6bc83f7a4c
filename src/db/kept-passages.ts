/**
 * A file analysed again (changed on disk, or analysed under older rules) gets new passages; one
 * whose edges match an old passage's within 0.1 s is that passage and keeps its guid, so what the
 * other WKMP services hold against it (queue, play history, a user's title or fades) survives.
 */
import { secondsToTicks, type PassageRecord } from '../file-record.js';
import type { StoredPassageSpan } from './queries/passages.js';

export const sameEdgesWithinTicks = secondsToTicks(0.1);

export interface KeptPassages {
  /** The new passages, those matching an old one under the old guid. */
  passages: PassageRecord[];
  /** The old guids kept. */
  kept: Set<string>;
}

export function keepPassageGuids(old: readonly StoredPassageSpan[], fresh: readonly PassageRecord[]): KeptPassages {
  const kept = new Set<string>();
  const passages = fresh.map((passage) => {
    const same = old.find((stored) => !kept.has(stored.guid)
      && Math.abs(stored.startTicks - passage.startTicks) <= sameEdgesWithinTicks
      && Math.abs(stored.endTicks - passage.endTicks) <= sameEdgesWithinTicks);
    if (!same) return passage;
    kept.add(same.guid);
    return { ...passage, guid: same.guid };
  });
  return { passages, kept };
}
