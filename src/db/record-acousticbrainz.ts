/**
 * One transaction of AcousticBrainz results (flavoring/queue.ts, flavoring/dump.ts): recordings'
 * high-level documents into `acousticbrainz_cache`, their songs' flavor beside them, and the
 * retries of the recordings whose request failed. A recording's documents are merged with those
 * stored, by offset: one recording's submissions may come from several dump archives, and the
 * offsets already stored are kept as they are. Writing what is already stored changes nothing, so
 * a dump read again, or a reply stored twice, is harmless.
 */
import { perConnection, writeUnit, type WriteUnit } from './write-unit.js';
import { prepareAcousticBrainzWrites, type FlavorJobUpdate, type SongFlavor } from './queries/acousticbrainz.js';

/** A recording's documents, by offset (`{"0": {highlevel, metadata}}`; `{}`: AcousticBrainz does not know it). */
export type DocumentsByOffset = Record<string, unknown>;

export interface AcousticBrainzUpdate {
  recordings: { recordingMbid: string; documents: DocumentsByOffset }[];
  jobs: FlavorJobUpdate[];
}

/** A song's flavor from its recording's documents as stored (the caller's rule: flavoring/song-flavor.ts). */
export type SongFlavorRule = (documents: DocumentsByOffset) => SongFlavor;

export interface AcousticBrainzWritten {
  /** Recordings whose stored documents changed (new ones, or offsets added). */
  stored: number;
  /** Recordings whose song's flavor was written. */
  songs: string[];
}

const prepared = perConnection(prepareAcousticBrainzWrites);

/** The stored documents, or null when the row holds something else (another program wrote it): replaced. */
function parsedDocuments(text: string): DocumentsByOffset | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as DocumentsByOffset) : null;
  } catch {
    return null;
  }
}

export function recordAcousticBrainz(update: AcousticBrainzUpdate, songFlavor: SongFlavorRule): WriteUnit<AcousticBrainzWritten> {
  return writeUnit('flavor', `storing AcousticBrainz's documents of ${update.recordings.length} recordings`, (db) => {
    const writes = prepared(db);
    const written: AcousticBrainzWritten = { stored: 0, songs: [] };
    for (const { recordingMbid, documents } of update.recordings) {
      const text = writes.getCached(recordingMbid);
      const stored = text === undefined ? null : parsedDocuments(text);
      const added = Object.keys(documents).filter((offset) => stored === null || !(offset in stored));
      const changed = stored === null || added.length > 0;
      const merged = stored === null ? documents : { ...stored, ...Object.fromEntries(added.map((offset) => [offset, documents[offset]])) };
      if (changed) {
        writes.storeCached(recordingMbid, JSON.stringify(merged));
        written.stored += 1;
      }
      writes.deleteJob(recordingMbid);
      const status = writes.getSongStatus(recordingMbid);
      // A song is flavored again when its documents changed, or when it still waits for them.
      if (status !== undefined && (changed || status === 'PENDING')) {
        writes.storeSongFlavor(recordingMbid, songFlavor(merged));
        written.songs.push(recordingMbid);
      }
    }
    for (const job of update.jobs) writes.storeJob(job);
    return written;
  });
}

/** Songs flavored from documents already stored (their recording was cached before the song existed). */
export function recordSongFlavors(songs: readonly { recordingMbid: string; flavor: SongFlavor }[]): WriteUnit<number> {
  return writeUnit('flavor', `storing the flavor of ${songs.length} songs`, (db) => {
    const writes = prepared(db);
    let stored = 0;
    for (const { recordingMbid, flavor } of songs) stored += writes.storeSongFlavor(recordingMbid, flavor).changes;
    return stored;
  });
}
