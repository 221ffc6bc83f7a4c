/**
 * Passage segmentation on a plain RMS envelope (WKMP.md "Passage segmentation (silence)"): a
 * window is silent below the threshold, a silent run counts when it lasts at least the minimum,
 * and passages are the sounding regions between counted runs. Leading and trailing silence, of
 * any length, lie outside the passages; a shorter silent run inside sound splits nothing.
 */
import { TICKS_PER_SECOND } from '../file-record.js';

export interface SilenceOptions {
  /** Silent means an RMS below −thresholdDb dBFS: 35 → below −35 dBFS. */
  thresholdDb: number;
  /** A silent run splits passages when it spans at least this many windows. */
  minSilenceWindows: number;
}

/** Windows [startWindow, endWindow) of the envelope. */
export interface PassageWindows {
  startWindow: number;
  endWindow: number;
}

/** The RMS at the threshold: a window is silent when its RMS is strictly below this. */
function silentBelowRms(thresholdDb: number): number {
  return 10 ** (-thresholdDb / 20);
}

export function detectPassages(rms: Float32Array, opts: SilenceOptions): PassageWindows[] {
  const limit = silentBelowRms(opts.thresholdDb);
  const passages: PassageWindows[] = [];
  let start = -1; // first sounding window of the passage being built, −1 before any sound
  let lastSounding = -1;
  for (let i = 0; i < rms.length; i++) {
    if (rms[i]! < limit) continue;
    if (start < 0) {
      start = i;
    } else if (i - lastSounding - 1 >= opts.minSilenceWindows) {
      passages.push({ startWindow: start, endWindow: lastSounding + 1 });
      start = i;
    }
    lastSounding = i;
  }
  if (start >= 0) passages.push({ startWindow: start, endWindow: lastSounding + 1 });
  return passages;
}

/** How many windows are not silent: for the NO AUDIO rule (too little sound → no passages). */
export function soundingWindows(rms: Float32Array, thresholdDb: number): number {
  const limit = silentBelowRms(thresholdDb);
  let count = 0;
  for (const value of rms) if (value >= limit) count++;
  return count;
}

export interface SilenceSettings {
  thresholdDb: number;
  minSilenceTicks: number;
}

/**
 * Settings to window counts: minSilenceWindows = ceil(minimum silence / window length), at least
 * 1. The ratio is nudged down by 1e-9 first so that float noise cannot add a window (270 ms over
 * 30 ms windows computes as 9.000000000000002).
 */
export function silenceOptionsFromSettings(settings: SilenceSettings, windowSeconds: number): SilenceOptions {
  const minSilenceSeconds = settings.minSilenceTicks / TICKS_PER_SECOND;
  return {
    thresholdDb: settings.thresholdDb,
    minSilenceWindows: Math.max(1, Math.ceil(minSilenceSeconds / windowSeconds - 1e-9)),
  };
}
