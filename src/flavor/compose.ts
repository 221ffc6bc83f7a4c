/**
 * A passage's flavor, as `passages.musical_flavor_vector` and the three columns beside it hold it:
 * the runtime-weighted centroid of its recordings' AcousticBrainz flavors (SPEC003 MFL-MULT), and
 * its own characteristics measured from its audio (local.ts), side by side (their names never
 * collide). Either may be missing: a passage of an unidentified or unknown recording has the local
 * ones alone; a passage analysed only by a tags pass, the AcousticBrainz ones alone, or none.
 */
import { acousticBrainzCharacteristics } from './acousticbrainz.js';
import { weightedCentroid } from './centroid.js';
import { rounded, type Flavor } from './flavor.js';
import { localCharacteristics, localFlavor } from './local.js';
import type { AudioFeatures } from '../stored/additional-metadata.js';

/** The names `flavor_source_blend` gives the sources. */
export const flavorSources = { acousticBrainz: 'AcousticBrainz', local: 'wkmp-ai audio' } as const;
export type FlavorSource = (typeof flavorSources)[keyof typeof flavorSources];

export interface RecordingInPassage {
  /** The recording's AcousticBrainz flavor (songs.flavor_vector), and how sure each characteristic is. */
  flavor: Flavor;
  confidence: Readonly<Record<string, number>>;
  /** Its runtime within the passage, seconds (passage_songs). */
  seconds: number;
}

export interface PassageFlavor {
  /** passages.musical_flavor_vector */
  vector: Flavor;
  /** passages.flavor_source_blend: the sources used, AcousticBrainz first. */
  sources: FlavorSource[];
  /** passages.flavor_confidence_map: per characteristic, 0-1. */
  confidence: Record<string, number>;
  /** passages.flavor_completeness: the share of every characteristic both sources can give that it has, 0-1. */
  completeness: number;
}

/**
 * Every characteristic wkmp-ai writes. Any other in a stored vector is a user's or another
 * service's (SPEC003 MFL-UDEF): wkmp-ai keeps it when it writes a passage's flavor again
 * (db/queries/flavor-vector.ts).
 */
export const ownCharacteristics: readonly string[] = [...acousticBrainzCharacteristics, ...localCharacteristics];
const everyCharacteristic = ownCharacteristics.length;

/** Null when neither source gives anything. */
export function composePassageFlavor(input: { features: AudioFeatures | null; recordings: readonly RecordingInPassage[] }): PassageFlavor | null {
  const recordings = input.recordings.filter((r) => r.seconds > 0 && Object.keys(r.flavor).length > 0);
  const fromRecordings = weightedCentroid(recordings.map((r) => ({ flavor: r.flavor, weight: r.seconds })));
  const local = input.features === null ? null : localFlavor(input.features);
  const vector: Flavor = { ...fromRecordings, ...local?.flavor };
  const names = Object.keys(vector);
  if (names.length === 0) return null;
  const confidence: Record<string, number> = { ...local?.confidence };
  const totalSeconds = recordings.reduce((sum, r) => sum + r.seconds, 0);
  for (const name of Object.keys(fromRecordings)) {
    const weighted = recordings.filter((r) => r.confidence[name] !== undefined);
    const weight = weighted.reduce((sum, r) => sum + r.seconds, 0);
    if (weight > 0) confidence[name] = Math.round((weighted.reduce((sum, r) => sum + r.confidence[name]! * r.seconds, 0) / weight) * 1000) / 1000;
  }
  const sources: FlavorSource[] = [];
  if (totalSeconds > 0 && Object.keys(fromRecordings).length > 0) sources.push(flavorSources.acousticBrainz);
  if (local !== null && Object.keys(local.flavor).length > 0) sources.push(flavorSources.local);
  return { vector: rounded(vector), sources, confidence, completeness: Math.round((names.length / everyCharacteristic) * 1000) / 1000 };
}
