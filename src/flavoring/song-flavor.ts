/**
 * A song's flavor as `songs` holds it (WKMP's SPEC003): its recording's flavor from AcousticBrainz's
 * high-level documents (flavor/acousticbrainz.ts), `["AcousticBrainz"]` as its source, and its
 * status: FLAVOR READY, or FLAVORING FAILED when AcousticBrainz has nothing for the recording
 * (it does not know it, or none of its documents holds a classifier).
 */
import type { SongFlavor } from '../db/queries/acousticbrainz.js';
import type { DocumentsByOffset } from '../db/record-acousticbrainz.js';
import { recordingFlavor } from '../flavor/acousticbrainz.js';
import { flavorSources } from '../flavor/compose.js';
import { rounded } from '../flavor/flavor.js';

export function songFlavorOf(documents: DocumentsByOffset): SongFlavor {
  const known = recordingFlavor(Object.values(documents));
  if (known === null) return { vector: null, sources: null, status: 'FLAVORING FAILED' };
  return { vector: JSON.stringify(rounded(known.flavor)), sources: JSON.stringify([flavorSources.acousticBrainz]), status: 'FLAVOR READY' };
}
