/**
 * Song boundaries: WKMP plays passages, so a passage must be a song, never a quiet bar inside one
 * (docs/adr/0003-song-boundaries.md). Silent gaps are only candidates; each is judged:
 *
 * 1. Silence is a window peak below −`silenceThresholdDb` dBFS, raised to just above the file's
 *    noise floor when it has one (an analogue rip's gaps hold surface noise, not digital silence).
 * 2. A silent run of at least `minGapSeconds` inside the sound is a candidate; twice that over a
 *    noise floor, where a pause in the music sinks to the floor too (a 0.5 s rest inside a song
 *    recorded over hiss was measured as exactly that) while the gaps of a rip last seconds.
 * 3. A file whose tags say it is one track (a track number, or a title and no more than a long
 *    song's length of sound) splits only at gaps three times as long, with a song of twice the
 *    minimum on each side: a hidden track after a long silence still splits off, a full stop of a
 *    second inside the song does not. Tags alone never merge songs separated by real gaps: a rip
 *    of a record side is often tagged with the side's title.
 * 4. A fragment shorter than the minimum song length never stands alone: the shortest joins the
 *    neighbour across the shorter gap, until every passage is a song's length or the file is one.
 */
import { measureNoiseFloor } from './noise-floor.js';
import { mapSound, windowsFor, type PeakEnvelope, type WindowSpan } from './silence.js';

export interface SegmentationOptions {
  /** Silent below −this dBFS (window peak): 70. */
  silenceThresholdDb: number;
  /** The shortest silence that may separate two songs: 0.5 s. */
  minGapSeconds: number;
  /** The shortest passage that stands alone: 15 s. */
  minSongSeconds: number;
}

/** What the file's tags say it is: one numbered track, something with a title, or nothing. */
export type TaggedAs = 'track' | 'title' | 'untagged';

/** Why a candidate gap was or was not made a boundary. */
export type GapVerdict = 'boundary' | 'short for one track' | 'beside a short fragment';

export interface JudgedGap extends WindowSpan {
  verdict: GapVerdict;
}

export interface Segmentation {
  /** The silence threshold used: the setting, or the noise floor plus a margin. */
  thresholdDbfs: number;
  noiseFloorDbfs: number | null;
  /** The tags said one track, so the stricter rule applied. */
  oneTrack: boolean;
  soundSeconds: number;
  /** The songs, in order; empty when nothing sounds. */
  passages: WindowSpan[];
  /** Every candidate gap with its verdict, in order. */
  gaps: JudgedGap[];
}

/** A title alone says "one track" only for up to this much sound; a longer file is likely a side or a set. */
const longestTitledTrackSeconds = 15 * 60;
/** In a file tagged as one track, a gap must be this many times the minimum gap… */
const oneTrackGapFactor = 3;
/** …with a song this many times the minimum song length on each side. */
const oneTrackSongFactor = 2;
/** The silence threshold sits this far above a measured noise floor… */
const noiseFloorMarginDb = 4;
/** …and a gap over it must last this many times the minimum gap. */
const noiseFloorGapFactor = 2;

export function segmentSongs(envelope: PeakEnvelope, options: SegmentationOptions, taggedAs: TaggedAs): Segmentation {
  const noiseFloorDbfs = measureNoiseFloor(envelope);
  const overNoise = noiseFloorDbfs !== null && noiseFloorDbfs + noiseFloorMarginDb > -options.silenceThresholdDb;
  const thresholdDbfs = overNoise ? noiseFloorDbfs + noiseFloorMarginDb : -options.silenceThresholdDb;
  const minGapSeconds = options.minGapSeconds * (overNoise ? noiseFloorGapFactor : 1);
  const minGapWindows = windowsFor(minGapSeconds, envelope.windowSeconds);
  const sound = mapSound(envelope, thresholdDbfs, minGapWindows);
  const base = { thresholdDbfs, noiseFloorDbfs, soundSeconds: sound.soundSeconds };
  if (sound.extent === null) return { ...base, oneTrack: false, passages: [], gaps: [] };
  const extentSeconds = (sound.extent.endWindow - sound.extent.startWindow) * envelope.windowSeconds;
  const oneTrack = taggedAs === 'track' || (taggedAs === 'title' && extentSeconds <= longestTitledTrackSeconds);
  const rules = {
    minGapWindows: oneTrack ? windowsFor(minGapSeconds * oneTrackGapFactor, envelope.windowSeconds) : minGapWindows,
    minSongWindows: windowsFor(options.minSongSeconds * (oneTrack ? oneTrackSongFactor : 1), envelope.windowSeconds),
  };
  return { ...base, oneTrack, ...judgeGaps(sound.extent, sound.gaps, rules) };
}

interface BoundaryRules {
  minGapWindows: number;
  minSongWindows: number;
}

function judgeGaps(extent: WindowSpan, candidates: readonly WindowSpan[], rules: BoundaryRules): Pick<Segmentation, 'passages' | 'gaps'> {
  const gaps: JudgedGap[] = candidates.map((gap) => ({
    ...gap,
    verdict: gap.endWindow - gap.startWindow >= rules.minGapWindows ? 'boundary' : 'short for one track',
  }));
  const boundaries = gaps.filter((gap) => gap.verdict === 'boundary');
  const passages: WindowSpan[] = [];
  let start = extent.startWindow;
  for (const gap of boundaries) {
    passages.push({ startWindow: start, endWindow: gap.startWindow });
    start = gap.endWindow;
  }
  passages.push({ startWindow: start, endWindow: extent.endWindow });
  // passages[i] and passages[i + 1] are separated by boundaries[i].
  for (;;) {
    const shortest = shortestFragment(passages, rules.minSongWindows);
    if (shortest < 0 || passages.length === 1) break;
    const across = mergeSide(passages, boundaries, shortest);
    const gapIndex = across === 'previous' ? shortest - 1 : shortest;
    const [gap] = boundaries.splice(gapIndex, 1);
    gap!.verdict = 'beside a short fragment';
    const [left, right] = passages.splice(gapIndex, 2) as [WindowSpan, WindowSpan];
    passages.splice(gapIndex, 0, { startWindow: left.startWindow, endWindow: right.endWindow });
  }
  return { passages, gaps };
}

function lengthOf(span: WindowSpan): number {
  return span.endWindow - span.startWindow;
}

/** The index of the shortest passage under the minimum, or −1 when none is. */
function shortestFragment(passages: readonly WindowSpan[], minSongWindows: number): number {
  let found = -1;
  passages.forEach((passage, i) => {
    if (lengthOf(passage) < minSongWindows && (found < 0 || lengthOf(passage) < lengthOf(passages[found]!))) found = i;
  });
  return found;
}

/** A fragment joins its neighbour across the shorter gap; on a tie, the shorter neighbour. */
function mergeSide(passages: readonly WindowSpan[], boundaries: readonly WindowSpan[], i: number): 'previous' | 'next' {
  if (i === 0) return 'next';
  if (i === passages.length - 1) return 'previous';
  const before = lengthOf(boundaries[i - 1]!);
  const after = lengthOf(boundaries[i]!);
  if (before !== after) return before < after ? 'previous' : 'next';
  return lengthOf(passages[i - 1]!) <= lengthOf(passages[i + 1]!) ? 'previous' : 'next';
}
