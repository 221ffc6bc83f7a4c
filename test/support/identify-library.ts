/**
 * A library waiting for identification, and the catalogue the fake services answer it from
 * (fake-identification-services.ts): albums of numbered tracks in their own folders, and singles
 * in a folder of their own, recorded through the recorder as an import records them (so their
 * jobs are made as an import makes them), with fingerprints the fake AcoustID knows.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ANALYSIS_VERSION, secondsToTicks, type FileRecord, type PassageRecord } from '../../src/file-record.js';
import type { WkmpDatabase } from '../../src/db/setup.js';
import type { FakeCatalogue, FakeRecording, FakeRelease, FakeServices } from './fake-identification-services.js';

/** A stable uuid from a name: the same library gets the same ids in every run. */
export function uuidOf(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface LibraryShape {
  albums: number;
  tracksPerAlbum: number;
  singles: number;
}

export interface TestLibrary {
  catalogue: FakeCatalogue;
  records: FileRecord[];
  /** Passage guid → the recording it plays. */
  expected: Map<string, { recordingMbid: string; releaseMbid: string }>;
}

function trackSeconds(album: number, track: number): number {
  return 150 + ((album * 7 + track * 13) % 120);
}

function recordOf(path: string, album: string | null, track: number, seconds: number, fingerprint: string): FileRecord {
  const passage: PassageRecord = {
    guid: uuidOf(`passage ${path}`), startTicks: 0, endTicks: secondsToTicks(seconds), leadInStartTicks: null, leadOutStartTicks: null,
    title: null, artist: null, album, importMetadata: { analysis: 'full', analysisVersion: ANALYSIS_VERSION, passage: { number: 1, of: 1 }, boundaries: { source: 'silence', rejectedGaps: [] } },
    additionalMetadata: { chromaprint: { fingerprint, durationSeconds: Math.min(seconds, 120) } }, flavor: null, recording: null, release: null,
  };
  return {
    kind: 'record', path, guid: uuidOf(`file ${path}`), change: 'new', analysis: 'full', decodedSeconds: seconds, hash: uuidOf(`hash ${path}`),
    modificationTime: '2024-05-01T12:00:00.000Z', sizeBytes: 4_000_000, durationTicks: secondsToTicks(seconds), format: 'ogg', codec: 'vorbis',
    sampleRate: 44_100, channels: 2, status: 'INGEST COMPLETE', tags: { title: null, artist: null, album, trackNumber: track, year: null },
    passages: [passage], cueSignature: null, warnings: [], audioHash: null, place: null,
  };
}

/** Albums of `tracksPerAlbum` and singles, with their catalogue: every recording has an artist, the first of each album two works. */
export function makeLibrary(shape: LibraryShape, prefix = 'lib'): TestLibrary {
  const recordings: FakeRecording[] = [];
  const releases: FakeRelease[] = [];
  const records: FileRecord[] = [];
  const expected = new Map<string, { recordingMbid: string; releaseMbid: string }>();
  const artist = (n: number) => ({ mbid: uuidOf(`${prefix} artist ${n}`), name: `Artist ${n}` });
  for (let a = 0; a < shape.albums + shape.singles; a += 1) {
    const single = a >= shape.albums;
    const tracks = single ? 1 : shape.tracksPerAlbum;
    const release: FakeRelease = {
      mbid: uuidOf(`${prefix} release ${a}`), title: single ? `Single ${a}` : `Album ${a}`, date: `${1970 + (a % 50)}-03-01`, status: 'Official', country: 'GB',
      releaseGroup: { mbid: uuidOf(`${prefix} group ${a}`), title: single ? `Single ${a}` : `Album ${a}`, primaryType: single ? 'Single' : 'Album', secondaryTypes: [] },
      artists: [artist(a)], tracks: [],
    };
    for (let t = 1; t <= tracks; t += 1) {
      const seconds = trackSeconds(a, t);
      const fingerprint = `AQAD${createHash('sha256').update(`${prefix} fp ${a} ${t}`).digest('base64url')}`;
      const recording: FakeRecording = {
        mbid: uuidOf(`${prefix} recording ${a} ${t}`), title: `Song ${a}.${t}`, lengthMs: seconds * 1000, artists: [artist(a)],
        works: t === 1 && !single ? [{ mbid: uuidOf(`${prefix} work ${a} a`), title: `Work ${a}a` }, { mbid: uuidOf(`${prefix} work ${a} b`), title: `Work ${a}b` }] : [],
        fingerprint, acoustId: uuidOf(`${prefix} acoustid ${a} ${t}`),
      };
      recordings.push(recording);
      release.tracks.push({ recordingMbid: recording.mbid });
      const path = single ? `Singles/${a} Single.ogg` : `Artist ${a}/Album ${a}/${String(t).padStart(2, '0')} Song.ogg`;
      const record = recordOf(path, single ? null : `Album ${a}`, t, seconds, fingerprint);
      records.push(record);
      expected.set(record.passages[0]!.guid, { recordingMbid: recording.mbid, releaseMbid: release.mbid });
    }
    releases.push(release);
  }
  return { catalogue: { recordings, releases }, records, expected };
}

/** Records the library's files as an import would, which queues their passages for identification. */
export async function recordLibrary(db: WkmpDatabase, records: readonly FileRecord[]): Promise<void> {
  const recording = db.recorder.beginRecording(randomUUID());
  for (const record of records) await recording.add(record);
  await recording.end();
}

/** The settings that point wkmp-ai at the fake services, unpaced, with `key` (null: none set). */
export function settingsFor(services: FakeServices, key: string | null = 'test-key'): Map<string, string | null> {
  return new Map([
    ['acoustid_api_key', key], ['acoustid_base_url', services.acoustIdUrl], ['musicbrainz_base_url', services.musicBrainzUrl],
    ['acoustid_min_interval_ms', '0'], ['musicbrainz_min_interval_ms', '0'],
  ]);
}
