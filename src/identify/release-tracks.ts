/**
 * A whole release in one file, cut where its tracks end (docs/identification.md): once MusicBrainz
 * gives the release's track lengths, each boundary is the silence nearest to where the previous
 * track's length puts it, among those analysis found (the gaps between the file's passages and the
 * gaps it rejected inside them). Every boundary must find its silence, else nothing is cut: the
 * lengths do not describe this file.
 */
import { TICKS_PER_SECOND } from '../file-record.js';

export interface Gap {
  startTicks: number;
  endTicks: number;
}

export interface TrackSpan {
  startTicks: number;
  /** Null for the last: it runs to the end of the file's sound. */
  endTicks: number | null;
}

/** A boundary may be this far from where the lengths put it. */
export const boundaryToleranceTicks = 5 * TICKS_PER_SECOND;
/** The lengths must add up to the file's sound within this much. */
export const totalToleranceTicks = 10 * TICKS_PER_SECOND;

/**
 * The tracks' spans in a file whose sound runs from `startTicks` to `endTicks`, from the release's
 * track lengths (ms) and the silences found; null when the lengths do not fit the file.
 */
export function trackSpans(startTicks: number, endTicks: number, lengthsMs: readonly number[], gaps: readonly Gap[]): TrackSpan[] | null {
  if (lengthsMs.length < 2) return null;
  const ticks = lengthsMs.map((ms) => Math.round((ms / 1000) * TICKS_PER_SECOND));
  if (Math.abs(ticks.reduce((sum, t) => sum + t, 0) - (endTicks - startTicks)) > totalToleranceTicks) return null;
  const spans: TrackSpan[] = [];
  let trackStart = startTicks;
  for (const length of ticks.slice(0, -1)) {
    const expected = trackStart + length;
    const nearest = gaps
      .filter((gap) => gap.startTicks > trackStart)
      .map((gap) => ({ gap, off: Math.abs((gap.startTicks + gap.endTicks) / 2 - expected) }))
      .sort((a, b) => a.off - b.off)[0];
    if (nearest === undefined || nearest.off > boundaryToleranceTicks) return null;
    spans.push({ startTicks: trackStart, endTicks: nearest.gap.startTicks });
    trackStart = nearest.gap.endTicks;
  }
  spans.push({ startTicks: trackStart, endTicks: null });
  return spans;
}
