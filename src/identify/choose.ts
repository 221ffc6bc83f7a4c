/**
 * Which recording a passage plays, and which release an album's passages share, decided locally
 * from AcoustID's answers so that MusicBrainz is asked once per album (docs/identification.md):
 *
 * - a candidate is a recording AcoustID links to the passage's fingerprint with a score of 0.5 or
 *   more; its confidence is that score times a duration factor (1 within ±10 s of the passage, then
 *   falling linearly to 0 at ±30 s; 0.9 when AcoustID gives no duration);
 * - candidates rank by confidence, then by `sources` (how many submissions link them);
 * - an album's passages share the release that more than 60 % of those with a candidate have one
 *   on: non-compilations first, then albums, then the earliest, and an official one before one
 *   MusicBrainz calls otherwise (a bootleg, a promotion); each passage then takes its
 *   candidate on that release even when another ranks first, and gains 0.05 for the agreement;
 * - WKMP's bands: High ≥ 0.85 and Medium ≥ 0.70 are written, Low ≥ 0.60 and below are kept as
 *   candidates for review;
 * - adjacent passages of one file whose fingerprints name the same recording, which fits their
 *   joined length (written) better than any of them fits alone, are one song a silence split:
 *   they are joined into one passage.
 */
import type { AcoustIdResult, Credit } from './acoustid.js';

export const leastScore = 0.5;
export const sharedReleaseShare = 0.6;
/** What the album's agreement adds to a passage's confidence. */
export const agreementBonus = 0.05;

export type Band = 'high' | 'medium' | 'low' | 'none';

export function bandOf(confidence: number): Band {
  if (confidence >= 0.85) return 'high';
  if (confidence >= 0.7) return 'medium';
  if (confidence >= 0.6) return 'low';
  return 'none';
}

/** Whether a band is good enough to write the song. */
export function isWritten(band: Band): boolean {
  return band === 'high' || band === 'medium';
}

export interface CandidateRelease {
  mbid: string;
  groupMbid: string;
  title: string | null;
  date: string | null;
  primaryType: string | null;
  secondaryTypes: string[];
  /** Where the recording is on it. */
  positions: { medium: number; track: number }[];
}

export interface Candidate {
  recordingMbid: string;
  acoustId: string;
  title: string | null;
  artists: Credit[];
  durationSeconds: number | null;
  sources: number;
  /** AcoustID's. */
  score: number;
  /** Ours: the score weighed by the duration (and, once chosen, the album's agreement). */
  confidence: number;
  releases: CandidateRelease[];
}

/** 1 within ±10 s, 0 from ±30 s, linear between; 0.9 when the recording's length is unknown. */
export function durationFactor(recordingSeconds: number | null, passageSeconds: number): number {
  if (recordingSeconds === null) return 0.9;
  const off = Math.abs(recordingSeconds - passageSeconds);
  if (off <= 10) return 1;
  if (off >= 30) return 0;
  return (30 - off) / 20;
}

function byRank(a: Candidate, b: Candidate): number {
  return b.confidence - a.confidence || b.sources - a.sources || a.recordingMbid.localeCompare(b.recordingMbid);
}

/** The passage's candidates, best first: one per recording, each with every release AcoustID lists it on. */
export function candidatesOf(results: readonly AcoustIdResult[], passageSeconds: number): Candidate[] {
  const byRecording = new Map<string, Candidate>();
  for (const result of results) {
    if (result.score < leastScore) continue;
    for (const recording of result.recordings) {
      const candidate: Candidate = {
        recordingMbid: recording.mbid,
        acoustId: result.acoustId,
        title: recording.title,
        artists: recording.artists,
        durationSeconds: recording.durationSeconds,
        sources: recording.sources,
        score: result.score,
        confidence: result.score * durationFactor(recording.durationSeconds, passageSeconds),
        releases: recording.releaseGroups.flatMap((group) => group.releases.map((release) => ({
          mbid: release.mbid, groupMbid: group.mbid, title: release.title, date: release.date,
          primaryType: group.primaryType, secondaryTypes: group.secondaryTypes, positions: release.positions,
        }))),
      };
      const known = byRecording.get(recording.mbid);
      if (known === undefined || byRank(candidate, known) < 0) byRecording.set(recording.mbid, candidate);
    }
  }
  return [...byRecording.values()].sort(byRank);
}

/** The AcoustID track the best result names, kept even when it links no recording. */
export function bestAcoustId(results: readonly AcoustIdResult[]): string | null {
  const best = [...results].sort((a, b) => b.score - a.score)[0];
  return best !== undefined && best.score >= leastScore ? best.acoustId : null;
}

function releaseRank(a: CandidateRelease & { share: number }, b: CandidateRelease & { share: number }): number {
  const compilation = (r: CandidateRelease): number => (r.secondaryTypes.includes('Compilation') ? 1 : 0);
  const album = (r: CandidateRelease): number => (r.primaryType === 'Album' ? 0 : 1);
  return b.share - a.share
    || compilation(a) - compilation(b)
    || album(a) - album(b)
    || (a.date ?? '9999').localeCompare(b.date ?? '9999')
    || a.mbid.localeCompare(b.mbid);
}

/**
 * The releases more than 60 % of an album's passages (those with a candidate) have a candidate on,
 * best first. AcoustID does not say which are official: MusicBrainz does, once one is asked for.
 */
export function sharedReleases(album: readonly (readonly Candidate[])[]): (CandidateRelease & { share: number })[] {
  const matched = album.filter((candidates) => candidates.length > 0);
  if (matched.length === 0) return [];
  const passagesOn = new Map<string, { release: CandidateRelease; passages: number }>();
  for (const candidates of matched) {
    const releases = new Map(candidates.flatMap((candidate) => candidate.releases.map((release) => [release.mbid, release] as const)));
    for (const [mbid, release] of releases) passagesOn.set(mbid, { release, passages: (passagesOn.get(mbid)?.passages ?? 0) + 1 });
  }
  const shared = [...passagesOn.values()]
    .map(({ release, passages }) => ({ ...release, share: passages / matched.length }))
    .filter((release) => release.share > sharedReleaseShare)
    .sort(releaseRank);
  return shared;
}

/** The best of `sharedReleases`; null when none. */
export function sharedRelease(album: readonly (readonly Candidate[])[]): (CandidateRelease & { share: number }) | null {
  return sharedReleases(album)[0] ?? null;
}

/** The passage's pick: its candidate on the album's release when it has one (with the agreement's bonus), else its best. */
export function pick(candidates: readonly Candidate[], releaseMbid: string | null): { candidate: Candidate; onRelease: boolean } | null {
  const onRelease = releaseMbid === null ? undefined : candidates.find((candidate) => candidate.releases.some((r) => r.mbid === releaseMbid));
  if (onRelease !== undefined) return { candidate: { ...onRelease, confidence: Math.min(1, onRelease.confidence + agreementBonus) }, onRelease: true };
  const best = candidates[0];
  return best === undefined ? null : { candidate: best, onRelease: false };
}

/** A passage as `joinedParts` sees it: its length, AcoustID's results, and whether it follows the previous one in its file. */
export interface Part {
  seconds: number;
  results: readonly AcoustIdResult[];
  followsPrevious: boolean;
}

function recordingsOf(part: Part): Map<string, number | null> {
  return new Map(candidatesOf(part.results, part.seconds).map((c) => [c.recordingMbid, c.durationSeconds]));
}

/** The recordings every part names, with their lengths. */
function sharedRecordings(parts: readonly Part[]): Map<string, number | null> {
  const [first, ...rest] = parts.map(recordingsOf);
  return new Map([...first!].filter(([mbid]) => rest.every((named) => named.has(mbid))));
}

function bestConfidence(candidates: readonly Candidate[], among?: ReadonlyMap<string, unknown>): number {
  return candidates.filter((c) => among === undefined || among.has(c.recordingMbid)).reduce((best, c) => Math.max(best, c.confidence), 0);
}

/** Whether the run's joined length fits a recording they all name well enough to be written, and better than any part alone. */
function isOneSong(parts: readonly Part[]): boolean {
  const seconds = parts.reduce((sum, part) => sum + part.seconds, 0);
  const joined = bestConfidence(candidatesOf(parts[0]!.results, seconds), sharedRecordings(parts));
  return isWritten(bandOf(joined)) && parts.every((part) => bestConfidence(candidatesOf(part.results, part.seconds)) < joined);
}

/**
 * The passages to join, as runs of consecutive indexes (a run of one is a passage left alone). A
 * passage extends the run before it while they all name a recording at least as long as the run
 * would be (less 10 s); a run of several is kept when it is one song (`isOneSong`), else undone.
 */
export function joinedParts(parts: readonly Part[]): number[][] {
  const runs: number[][] = [];
  const close = (run: number[]): void => {
    if (run.length === 1 || isOneSong(run.map((i) => parts[i]!))) runs.push(run);
    else runs.push(...run.map((i) => [i]));
  };
  let run: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (run.length > 0 && part.followsPrevious) {
      const seconds = [...run, index].reduce((sum, i) => sum + parts[i]!.seconds, 0);
      const lengths = [...sharedRecordings([...run, index].map((i) => parts[i]!)).values()];
      if (lengths.some((length) => length !== null && length >= seconds - 10)) {
        run.push(index);
        continue;
      }
    }
    if (run.length > 0) close(run);
    run = [index];
  }
  if (run.length > 0) close(run);
  return runs;
}
