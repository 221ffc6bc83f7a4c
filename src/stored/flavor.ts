/**
 * The flavor columns (WKMP's SPEC003, src/flavor/): `passages.musical_flavor_vector` and
 * `songs.flavor_vector` hold `{characteristic: {class: probability}}`, `flavor_confidence_map`
 * `{characteristic: 0-1}`, `flavor_source_blend` the sources' names. Other WKMP services may
 * write them too: read back checked, never cast.
 */
import type { Flavor } from '../flavor/flavor.js';
import { arrayOf, number, readJsonColumn, recordOf, string, type Stored } from './check.js';

const flavor = recordOf(recordOf(number));

export function parseFlavor(column: string, text: string): Stored<Flavor> {
  return readJsonColumn(column, text, flavor);
}

export function parseConfidenceMap(column: string, text: string): Stored<Record<string, number>> {
  return readJsonColumn(column, text, recordOf(number));
}

export function parseSourceBlend(column: string, text: string): Stored<string[]> {
  return readJsonColumn(column, text, arrayOf(string));
}
