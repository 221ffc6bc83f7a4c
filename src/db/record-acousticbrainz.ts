/**
 * One transaction of AcousticBrainz results (flavoring/queue.ts, flavoring/dump.ts): recordings'
 * high-level documents into `acousticbrainz_cache`, their songs' flavor beside them, and the
 * retries of the recordings whose request failed. A recording's documents are merged with those
 * stored, by offset: one recording's submissions may come from several dump archives, and the
 * offsets already stored are kept as they are. Writing what is already stored changes nothing, so
 * a dump read again, or a reply stored twice, is harmless.
 */
import type { ReadDb } from './connection.js';
import { perConnection, writeUnit, type WriteUnit } from './write-unit.js';
import { getCachedDocuments, prepareAcousticBrainzWrites, type FlavorJobUpdate, type SongFlavor } from './queries/acousticbrainz.js';

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

/** What a recording's write will be: its documents merged with those stored (as `storedText` was read), and its song's flavor from them. */
interface PlannedRecording {
  recordingMbid: string;
  documents: DocumentsByOffset;
  storedText: string | undefined;
  /** The merged documents as text, when they differ from those stored; null when nothing changes. */
  mergedText: string | null;
  songFlavor: SongFlavor;
}

function plan(recordingMbid: string, documents: DocumentsByOffset, storedText: string | undefined, songFlavor: SongFlavorRule): PlannedRecording {
  const stored = storedText === undefined ? null : parsedDocuments(storedText);
  const added = Object.keys(documents).filter((offset) => stored === null || !(offset in stored));
  const changed = stored === null || added.length > 0;
  const merged = stored === null ? documents : { ...stored, ...Object.fromEntries(added.map((offset) => [offset, documents[offset]])) };
  return { recordingMbid, documents, storedText, mergedText: changed ? JSON.stringify(merged) : null, songFlavor: songFlavor(merged) };
}

/**
 * The documents are read, merged and made into their songs' flavor before the transaction (a
 * batch's JSON work held the lock for 25 ms at p95); inside it, a recording whose stored documents
 * changed since they were read (another writer) is merged again there.
 */
export function recordAcousticBrainz(read: ReadDb, update: AcousticBrainzUpdate, songFlavor: SongFlavorRule): WriteUnit<AcousticBrainzWritten> {
  const planned = update.recordings.map(({ recordingMbid, documents }) => plan(recordingMbid, documents, getCachedDocuments(read, recordingMbid), songFlavor));
  return writeUnit('flavor', `storing AcousticBrainz's documents of ${update.recordings.length} recordings`, (db) => {
    const writes = prepared(db);
    const written: AcousticBrainzWritten = { stored: 0, songs: [] };
    for (const before of planned) {
      const now = writes.getCached(before.recordingMbid);
      const recording = now === before.storedText ? before : plan(before.recordingMbid, before.documents, now, songFlavor);
      if (recording.mergedText !== null) {
        writes.storeCached(recording.recordingMbid, recording.mergedText);
        written.stored += 1;
      }
      writes.deleteJob(recording.recordingMbid);
      const status = writes.getSongStatus(recording.recordingMbid);
      // A song is flavored again when its documents changed, or when it still waits for them.
      if (status !== undefined && (recording.mergedText !== null || status === 'PENDING')) {
        writes.storeSongFlavor(recording.recordingMbid, recording.songFlavor);
        written.songs.push(recording.recordingMbid);
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
