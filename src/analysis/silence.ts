/**
 * Silence on a peak envelope: a window is silent when its largest sample lies below the threshold.
 * The peak, not the RMS, because a quiet bar of acoustic music has an RMS far below its peaks: on
 * 34 real orchestral songs, runs of ≥ 0.5 s under −60 dBFS RMS were found inside one song (three
 * of them), runs under a −60 dBFS peak inside none, while the digital silence between songs is
 * silent either way (docs/adr/0003-song-boundaries.md). Leading and trailing silence, of any
 * length, lie outside the sound; a silent run inside it is a gap when it lasts long enough,
 * counted in whole windows: a silence must cover the minimum's worth of whole windows, so it
 * counts for sure from one window past the minimum (0.6 s for 0.5 s).
 */
import type { Envelope } from './envelope.js';

/** Windows [startWindow, endWindow) of an envelope. */
export interface WindowSpan {
  startWindow: number;
  endWindow: number;
}

export interface SoundMap {
  /** From the first to the end of the last sounding window; null when no window sounds. */
  extent: WindowSpan | null;
  /** Silent runs of at least `minGapWindows` inside the extent, in order: candidate song boundaries. */
  gaps: WindowSpan[];
  /** Sounding time, each window counted by the samples it holds (a last partial window is short). */
  soundSeconds: number;
}

export type PeakEnvelope = Pick<Envelope, 'peak' | 'windowSamples' | 'windowSeconds' | 'sampleCount'>;

/** The linear peak at a level in dBFS: −60 → 0.001. */
export function levelAt(dbfs: number): number {
  return 10 ** (dbfs / 20);
}

/** dBFS of a linear level; −Infinity for digital silence. */
export function dbfsOf(level: number): number {
  return 20 * Math.log10(level);
}

/** Where the envelope sounds (peak at or above `thresholdDbfs`) and where its long silences are. */
export function mapSound(envelope: PeakEnvelope, thresholdDbfs: number, minGapWindows: number): SoundMap {
  const { peak, windowSamples, windowSeconds, sampleCount } = envelope;
  const limit = levelAt(thresholdDbfs);
  const gaps: WindowSpan[] = [];
  let first = -1;
  let lastSounding = -1;
  let soundingWindows = 0;
  for (let i = 0; i < peak.length; i++) {
    if (peak[i]! < limit) continue;
    soundingWindows += 1;
    if (first < 0) first = i;
    else if (i - lastSounding - 1 >= minGapWindows) gaps.push({ startWindow: lastSounding + 1, endWindow: i });
    lastSounding = i;
  }
  if (first < 0) return { extent: null, gaps, soundSeconds: 0 };
  // Every window holds windowSamples samples but the last, which holds what was left.
  const lastWindowSamples = sampleCount - (peak.length - 1) * windowSamples;
  const shortfall = lastSounding === peak.length - 1 ? windowSamples - lastWindowSamples : 0;
  const soundSeconds = (soundingWindows * windowSamples - shortfall) * (windowSeconds / windowSamples);
  return { extent: { startWindow: first, endWindow: lastSounding + 1 }, gaps, soundSeconds };
}

/** Whole windows a duration needs: ceil(seconds / window), nudged so float noise cannot add one, at least 1. */
export function windowsFor(seconds: number, windowSeconds: number): number {
  return Math.max(1, Math.ceil(seconds / windowSeconds - 1e-9));
}
