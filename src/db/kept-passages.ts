/**
 * A file analysed again (changed on disk, or analysed under older rules) gets new passages; one
 * whose edges match an old passage's within 0.1 s is that passage and keeps its guid, so what the
 * other WKMP services hold against it (queue, play history, a user's title or fades) survives.
 */
import { secondsToTicks, type PassageRecord } from '../file-record.js';
import { compareFingerprints, decompressFingerprint } from '../stored/fingerprint-match.js';
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

/** A passage of a missing file, as read before a batch: what a new file's passages may take over. */
export interface AbsentPassage extends StoredPassageSpan {
  /** Its stored Chromaprint fingerprint (compressed); null when it has none. */
  fingerprint: string | null;
}

/** Edges of another encoding of one recording lie within this of the old passage's (the 0.5 s). */
export const upgradeEdgesWithinTicks = secondsToTicks(0.5);
/** Two encodings of one master differ in well under 10 % of their fingerprints' bits (~0.1-1 % measured); unrelated audio in ~50 %. */
const maxBitErrorRate = 0.1;
/** Edges within 0.5 s: the fingerprints are slid at most ±8 sub-fingerprints (~1 s) against each other. */
const maxOffset = 8;
/**
 * A fingerprint of few distinct values (a drone, steady noise, near silence) matches any other such
 * by bit error rate alone: those are never taken for another encoding.
 */
const minDistinctShare = 0.3;

export type Takeover =
  | { kind: 'none' }
  /** Every matched passage belongs to one missing file: `byNewGuid` maps the new passages' guids to the old ones. */
  | { kind: 'takeover'; fileGuid: string; byNewGuid: Map<string, string> }
  /** Passages matched in two or more missing files: nothing is taken, the files are named. */
  | { kind: 'ambiguous'; fileGuids: string[] };

function unpacked(compressed: string | null | undefined): Uint32Array | null {
  if (!compressed) return null;
  const fingerprint = decompressFingerprint(compressed);
  if (fingerprint === null || fingerprint.raw.length === 0) return null;
  return new Set(fingerprint.raw).size >= fingerprint.raw.length * minDistinctShare ? fingerprint.raw : null;
}

/**
 * Whether a new file is another encoding of a missing one (an MP3 replaced by a FLAC of the same
 * master): a passage with the same edges within 0.5 s whose fingerprint matches within a small
 * bit error is that passage, and takes its guid, so that history, a user's edits and links
 * survive. Passages matching in two missing files are not guessed at.
 */
export function takeOverPassages(fresh: readonly PassageRecord[], absent: readonly AbsentPassage[]): Takeover {
  const byNewGuid = new Map<string, string>();
  const files = new Set<string>();
  const taken = new Set<string>();
  // Unpacked only for passages whose edges match, once each.
  const theirs = new Map<string, Uint32Array | null>();
  const fingerprintOf = (old: AbsentPassage): Uint32Array | null => {
    if (!theirs.has(old.guid)) theirs.set(old.guid, unpacked(old.fingerprint));
    return theirs.get(old.guid)!;
  };
  for (const passage of fresh) {
    const mine = unpacked(passage.additionalMetadata?.chromaprint?.fingerprint);
    if (mine === null) continue;
    const matches = absent.filter((old) => !taken.has(old.guid)
      && Math.abs(old.startTicks - passage.startTicks) <= upgradeEdgesWithinTicks
      && Math.abs(old.endTicks - passage.endTicks) <= upgradeEdgesWithinTicks
      && isSameRecording(mine, fingerprintOf(old)));
    for (const match of matches) files.add(match.fileGuid);
    if (matches.length === 1) {
      byNewGuid.set(passage.guid, matches[0]!.guid);
      taken.add(matches[0]!.guid);
    }
  }
  if (files.size > 1) return { kind: 'ambiguous', fileGuids: [...files].sort() };
  if (byNewGuid.size === 0) return { kind: 'none' };
  return { kind: 'takeover', fileGuid: [...files][0]!, byNewGuid };
}

function isSameRecording(mine: Uint32Array, theirs: Uint32Array | null): boolean {
  return theirs !== null && compareFingerprints(mine, theirs, { maxOffset }).bitErrorRate <= maxBitErrorRate;
}
