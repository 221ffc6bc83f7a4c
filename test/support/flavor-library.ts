/**
 * A library of identified passages waiting for their flavor, and what AcousticBrainz holds of its
 * recordings (fake-acousticbrainz.ts): one file per recording, one passage each, recorded through
 * the recorder as an import of MusicBrainz-tagged files records them (each passage's song made
 * PENDING). Every `unknownEvery`-th recording is one AcousticBrainz does not know.
 */
import { randomUUID } from 'node:crypto';
import { ANALYSIS_VERSION, secondsToTicks, type FileRecord } from '../../src/file-record.js';
import { openWkmpDatabase, type WkmpDatabase } from '../../src/db/setup.js';
import { highLevelDocument } from './fake-acousticbrainz.js';
import { uuidOf } from './identify-library.js';

export interface FlavorLibrary {
  records: FileRecord[];
  /** Every recording of the library, in the order made. */
  mbids: string[];
  /** What AcousticBrainz holds: the known recordings' documents by offset. */
  recordings: Map<string, unknown[]>;
  /** The recordings AcousticBrainz does not know. */
  unknown: Set<string>;
}

export function makeFlavorLibrary(size: number, options: { unknownEvery?: number; prefix?: string } = {}): FlavorLibrary {
  const prefix = options.prefix ?? 'flavor';
  const records: FileRecord[] = [];
  const mbids: string[] = [];
  const recordings = new Map<string, unknown[]>();
  const unknown = new Set<string>();
  for (let i = 0; i < size; i += 1) {
    const mbid = uuidOf(`${prefix} recording ${i}`);
    const path = `Flavor/${String(i).padStart(5, '0')} Song.flac`;
    const seconds = 180 + (i % 60);
    mbids.push(mbid);
    if (options.unknownEvery !== undefined && i % options.unknownEvery === options.unknownEvery - 1) unknown.add(mbid);
    else recordings.set(mbid, [highLevelDocument(mbid, (i % 97) / 97, seconds)]);
    records.push({
      kind: 'record', path, guid: uuidOf(`${prefix} file ${i}`), change: 'new', analysis: 'tags', decodedSeconds: 0, hash: uuidOf(`${prefix} hash ${i}`),
      modificationTime: '2024-05-01T12:00:00.000Z', sizeBytes: 20_000_000, durationTicks: secondsToTicks(seconds), format: 'flac', codec: 'flac',
      sampleRate: 44_100, channels: 2, status: 'INGEST COMPLETE', tags: { title: `Song ${i}`, artist: 'Artist', album: null, trackNumber: null, year: null },
      cueSignature: null, warnings: [], audioHash: null, place: null,
      passages: [{
        guid: uuidOf(`${prefix} passage ${i}`), startTicks: 0, endTicks: secondsToTicks(seconds), leadInStartTicks: null, leadOutStartTicks: null,
        title: `Song ${i}`, artist: 'Artist', album: null,
        importMetadata: { analysis: 'tags', analysisVersion: ANALYSIS_VERSION, passage: { number: 1, of: 1 }, boundaries: { source: 'container duration', rejectedGaps: [] } },
        additionalMetadata: {}, flavor: null,
        recording: { songGuid: uuidOf(`${prefix} song ${i}`), recordingMbid: mbid, title: `Song ${i}`, artists: [{ guid: uuidOf(`${prefix} artist`), mbid: uuidOf(`${prefix} artist mbid`), name: 'Artist', weight: 1 }], works: [] },
        release: null,
      }],
    });
  }
  return { records, mbids, recordings, unknown };
}

/** Records the library's files as an import would. */
export async function recordFlavorLibrary(db: WkmpDatabase, records: readonly FileRecord[]): Promise<void> {
  const recording = db.recorder.beginRecording(randomUUID());
  for (const record of records) await recording.add(record);
  await recording.end();
}

/** A new database at `path` holding the library, closed by whoever holds `open`. */
export async function flavorLibraryDatabase(library: FlavorLibrary, path: string, open: { close(): Promise<void> }[]): Promise<{ db: WkmpDatabase; path: string }> {
  const db = openWkmpDatabase(path);
  open.push(db);
  await recordFlavorLibrary(db, library.records);
  return { db, path };
}
