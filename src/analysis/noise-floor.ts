/**
 * The noise floor of an analogue rip (vinyl, cassette, a live desk): the level its quiet stretches
 * settle at when the gaps between songs hold surface noise or hiss instead of digital silence.
 * Noise is steady: over a second its window peaks stay within a few dB, where the tail of a note
 * keeps falling. The floor is the quietest steady stretch of the file, and only counts when it is
 * quiet enough to be noise, music stands well above it, and the file comes back to it: noise lies
 * under the whole recording (its lead-in, its gaps, its run-out), where a quiet note held at the
 * end of a song is met once (two real songs ended so, and their tails were cut as "noise").
 */
import { dbfsOf, type PeakEnvelope } from './silence.js';

export interface NoiseFloorRules {
  /** A steady stretch lasts this many windows (1 s of 100 ms windows). */
  stretchWindows: number;
  /** Windows within ± this many dB of the stretch's median are steady… */
  bandDb: number;
  /** …and this share of the stretch's windows must be. */
  steadyShare: number;
  /** Louder than this (window peak, dBFS) is not noise: a sustained quiet note, not a floor. */
  loudestFloorDbfs: number;
  /** The file's loudest window must stand this far above the floor (a steady tone is not noise under music). */
  minHeadroomDb: number;
  /** Steady stretches at the floor must be found at least this many windows apart (10 s). */
  minSpreadWindows: number;
}

export const defaultNoiseFloorRules: Readonly<NoiseFloorRules> = Object.freeze({
  stretchWindows: 10,
  bandDb: 3,
  steadyShare: 0.8,
  loudestFloorDbfs: -36,
  minHeadroomDb: 20,
  minSpreadWindows: 100,
});

/** The floor in dBFS (window peaks), or null when the file has none (digital silence, or no steady quiet). */
export function measureNoiseFloor(envelope: Pick<PeakEnvelope, 'peak'>, rules: NoiseFloorRules = defaultNoiseFloorRules): number | null {
  const levels = Array.from(envelope.peak, dbfsOf);
  const steady = steadyStretches(levels, rules);
  if (steady.length === 0) return null;
  const floor = steady.reduce((min, stretch) => Math.min(min, stretch.median), Number.POSITIVE_INFINITY);
  const atFloor = steady.filter((stretch) => stretch.median <= floor + rules.bandDb).map((stretch) => stretch.start);
  if (atFloor.at(-1)! - atFloor[0]! < rules.minSpreadWindows) return null;
  const loudest = levels.reduce((max, level) => (level > max ? level : max), Number.NEGATIVE_INFINITY);
  return loudest - floor >= rules.minHeadroomDb ? floor : null;
}

/** Every stretch of `stretchWindows` whose levels hold steady around a median quiet enough to be noise, in order. */
function steadyStretches(levels: readonly number[], rules: NoiseFloorRules): { start: number; median: number }[] {
  const n = rules.stretchWindows;
  const needed = Math.ceil(rules.steadyShare * n);
  const stretch = new Float64Array(n);
  const found: { start: number; median: number }[] = [];
  for (let start = 0; start + n <= levels.length; start++) {
    for (let k = 0; k < n; k++) stretch[k] = levels[start + k]!;
    stretch.sort();
    const median = stretch[n >> 1]!;
    if (!Number.isFinite(median) || median > rules.loudestFloorDbfs) continue;
    let inBand = 0;
    for (const level of stretch) if (Math.abs(level - median) <= rules.bandDb) inBand++;
    if (inBand >= needed) found.push({ start, median });
  }
  return found;
}
