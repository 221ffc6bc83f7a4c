/**
 * The passages nearest a flavor by the SPEC003 distance, as WKMP's Program Director chooses by it:
 * one pass over every passage's flavor, the nearest kept in a small sorted list. The caller leaves
 * out the passage asked about: what a listener asks is "what else sounds like this".
 */
import type { ReadDb } from '../db/connection.js';
import { getPassageAdditionalMetadata, getPassageFlavor, listAllPassageFlavors, listPassageLabels, type PassageLabel } from '../db/queries/flavor.js';
import { parseAdditionalMetadata, type AudioFeatures } from '../stored/additional-metadata.js';
import { flavorDistanceParts } from '../flavor/distance.js';
import { unbalanced, type Flavor } from '../flavor/flavor.js';
import { parseConfidenceMap, parseFlavor, parseSourceBlend } from '../stored/flavor.js';

export interface PassageFlavorView {
  guid: string;
  flavor: Flavor;
  sources: string[];
  confidence: Record<string, number>;
  completeness: number | null;
}

/** A passage's flavor as stored, checked; null when it has none (or it cannot be read). */
export function readPassageFlavor(db: ReadDb, guid: string): PassageFlavorView | null {
  const row = getPassageFlavor(db, guid);
  if (row === undefined) return null;
  const flavor = parseFlavor('passages.musical_flavor_vector', row.vector);
  if (!flavor.readable) return null;
  const sources = row.sources === null ? null : parseSourceBlend('passages.flavor_source_blend', row.sources);
  const confidence = row.confidence === null ? null : parseConfidenceMap('passages.flavor_confidence_map', row.confidence);
  return {
    guid, flavor: flavor.value, sources: sources?.readable === true ? sources.value : [],
    confidence: confidence?.readable === true ? confidence.value : {}, completeness: row.completeness,
  };
}

export interface Neighbour {
  guid: string;
  distance: number;
  /** How many characteristics of each kind the distance compared (SPEC003: only shared ones count). */
  binaryShared: number;
  complexShared: number;
}

/** The `limit` passages nearest `flavor`, nearest first, leaving out `exclude`. */
export function nearestPassages(db: ReadDb, flavor: Flavor, limit: number, exclude: ReadonlySet<string> = new Set()): Neighbour[] {
  const nearest: Neighbour[] = [];
  for (const row of listAllPassageFlavors(db)) {
    if (exclude.has(row.guid)) continue;
    const other = parseFlavor('passages.musical_flavor_vector', row.vector);
    if (!other.readable) continue;
    const parts = flavorDistanceParts(flavor, other.value);
    if (nearest.length === limit && parts.distance >= nearest[limit - 1]!.distance) continue;
    const neighbour = { guid: row.guid, distance: parts.distance, binaryShared: parts.binaryShared, complexShared: parts.complexShared };
    const at = nearest.findIndex((n) => n.distance > neighbour.distance);
    nearest.splice(at === -1 ? nearest.length : at, 0, neighbour);
    if (nearest.length > limit) nearest.pop();
  }
  return nearest;
}

/** A passage's flavor and the audio descriptors it was made from, as the passage routes show them. */
export interface PassageFlavorReport extends PassageFlavorView {
  label: PassageLabel;
  features: AudioFeatures | null;
  /** One line for each characteristic whose classes do not sum to 1 (SPEC003 MFL-DEF-040: a user's, most likely). */
  warnings: string[];
}

function sumWarnings(flavor: Flavor): string[] {
  return unbalanced(flavor).map((name) => {
    const sum = Object.values(flavor[name]!).reduce((total, value) => total + value, 0);
    return `${name}: its classes sum to ${sum.toFixed(4)}, not 1 (SPEC003 MFL-DEF-040); the distance uses it as it is`;
  });
}

/** Null when there is no such passage, or it has no flavor yet. */
export function passageFlavorReport(db: ReadDb, guid: string): PassageFlavorReport | null {
  const view = readPassageFlavor(db, guid);
  const label = listPassageLabels(db, [guid]).get(guid);
  if (view === null || label === undefined) return null;
  const text = getPassageAdditionalMetadata(db, guid);
  const metadata = text === null || text === undefined ? null : parseAdditionalMetadata(text);
  return { ...view, label, features: metadata?.readable === true ? metadata.value.audio_features ?? null : null, warnings: sumWarnings(view.flavor) };
}

export interface SimilarPassage extends Neighbour {
  label: PassageLabel;
}

/** The `limit` passages nearest the passage `guid` by flavor, nearest first; null when it has no flavor. */
export function similarPassages(db: ReadDb, guid: string, limit: number): SimilarPassage[] | null {
  const view = readPassageFlavor(db, guid);
  if (view === null) return null;
  const nearest = nearestPassages(db, view.flavor, limit, new Set([guid]));
  const labels = listPassageLabels(db, nearest.map((n) => n.guid));
  return nearest.flatMap((n) => {
    const label = labels.get(n.guid);
    return label === undefined ? [] : [{ ...n, label }];
  });
}
