/**
 * Passages' flavors made again from what is now known: their own audio descriptors and their
 * recordings' AcousticBrainz documents (flavor/compose.ts). Run after AcousticBrainz's documents for
 * some recordings arrive (the queue, a dump), after identification linked passages to recordings,
 * and by whoever asks: reads before the transaction, one short write unit per chunk.
 */
import type { WkmpDatabase } from '../db/setup.js';
import { listPassageFlavorSources, listPassagesWithStaleFlavor, storePassageFlavors, type PassageFlavorSource } from '../db/queries/flavor.js';
import { recordingFlavor } from '../flavor/acousticbrainz.js';
import { composePassageFlavor, type PassageFlavor, type RecordingInPassage } from '../flavor/compose.js';
import { TICKS_PER_SECOND } from '../file-record.js';
import { parseAdditionalMetadata } from '../stored/additional-metadata.js';
import { anyJson, readJsonColumn, recordOf } from '../stored/check.js';

const chunkPassages = 500;
/** Passages written in one transaction: 500 held the lock for 15-20 ms (each row's vector merged with the stored one's in SQL). */
const passagesPerWrite = 100;

/** A recording's documents as the cache keeps them: `{offset: document}`. */
const documentsByOffset = recordOf(anyJson);

/** A passage's flavor from what it is made of; null when nothing is known of it. */
export function flavorOf(source: PassageFlavorSource): PassageFlavor | null {
  const metadata = source.additionalMetadata === null ? null : parseAdditionalMetadata(source.additionalMetadata);
  const features = metadata?.readable === true ? metadata.value.audio_features ?? null : null;
  const recordings: RecordingInPassage[] = source.recordings.flatMap((recording) => {
    if (recording.highLevelData === null) return [];
    const documents = readJsonColumn('acousticbrainz_cache.high_level_data', recording.highLevelData, documentsByOffset);
    const known = documents.readable ? recordingFlavor(Object.values(documents.value)) : null;
    return known === null ? [] : [{ flavor: known.flavor, confidence: known.confidence, seconds: (recording.endTicks - recording.startTicks) / TICKS_PER_SECOND }];
  });
  return composePassageFlavor({ features, recordings });
}

/** Makes these passages' flavors again; returns how many were stored. */
export async function recomposeFlavors(db: WkmpDatabase, guids: readonly string[]): Promise<number> {
  let stored = 0;
  for (let start = 0; start < guids.length; start += chunkPassages) {
    const flavors = listPassageFlavorSources(db.read, guids.slice(start, start + chunkPassages))
      .flatMap((source) => {
        const flavor = flavorOf(source);
        return flavor === null ? [] : [{ guid: source.guid, flavor }];
      });
    for (let at = 0; at < flavors.length; at += passagesPerWrite) stored += await db.recorder.write(storePassageFlavors(flavors.slice(at, at + passagesPerWrite)));
  }
  return stored;
}

/**
 * Makes again every passage's flavor that lacks what is known of its recordings; returns how many.
 * One pass in guid order: a passage whose recordings' documents give no flavor (none holds a
 * classifier) stays stale, and is passed, not read again.
 */
export async function recomposeStaleFlavors(db: WkmpDatabase, signal?: AbortSignal): Promise<number> {
  let stored = 0;
  let after = '';
  for (;;) {
    signal?.throwIfAborted();
    const stale = listPassagesWithStaleFlavor(db.read, after, chunkPassages);
    if (stale.length === 0) return stored;
    stored += await recomposeFlavors(db, stale);
    after = stale.at(-1)!;
  }
}
