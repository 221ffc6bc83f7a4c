/**
 * What the write policies of `bench/write.ts` share: the generated file records and the messages
 * that cross to the worker threads and the foreign writer process. The writes themselves are the
 * recorder's own (src/db/commit-batch.ts), under each policy.
 */
import { createHash } from 'node:crypto';
import { v7 as randomUUID } from 'uuid';
import type { ArtistCredit, AlbumRef, FileRecord, PassageRecord } from '../src/file-record.js';
import { ANALYSIS_VERSION, secondsToTicks } from '../src/file-record.js';
import { seededRandom } from '../test/seeded-random.js';

export const ARTIST_POOL = 500;
export const ALBUM_POOL = 2000;
const TRACKS_PER_ALBUM = 12;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A UUID-shaped, deterministic fake MBID. */
function fakeMbid(text: string): string {
  const h = sha256(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * `count` file records: `Artist 017/Album 0042/Track 07.flac`, a unique fake hash, one passage
 * with a recording (unique MBID, 1–2 artists from a pool of 500) and a release (pool of 2000).
 * Everything but the guids is a function of the index; the guids of pooled artists and albums
 * are drawn once, so every writer that sees the same array writes the same rows.
 */
export function generateRecords(count: number, seed = 20_000): FileRecord[] {
  const random = seededRandom(seed);
  const artists: Omit<ArtistCredit, 'weight'>[] = Array.from({ length: ARTIST_POOL }, (_, i) => ({
    guid: randomUUID(), mbid: fakeMbid(`artist ${i}`), name: `Artist ${pad(i, 3)}`,
  }));
  const albums: AlbumRef[] = Array.from({ length: ALBUM_POOL }, (_, i) => ({
    guid: randomUUID(), mbid: fakeMbid(`release ${i}`), title: `Album ${pad(i, 4)}`, releaseDate: `${1960 + (i % 60)}-01-01`,
  }));
  const records: FileRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const albumNumber = Math.floor(i / TRACKS_PER_ALBUM);
    const track = (i % TRACKS_PER_ALBUM) + 1;
    const artistIndex = albumNumber % ARTIST_POOL;
    const album = albums[albumNumber % ALBUM_POOL];
    const primary = artists[artistIndex];
    if (!album || !primary) throw new Error('pool index out of range');
    const credits: ArtistCredit[] = [];
    if (random() < 0.5) {
      credits.push({ ...primary, weight: 1 });
    } else {
      const other = artists[(artistIndex + 1 + Math.floor(random() * (ARTIST_POOL - 1))) % ARTIST_POOL];
      if (!other) throw new Error('pool index out of range');
      credits.push({ ...primary, weight: 0.5 }, { ...other, weight: 0.5 });
    }
    const seconds = 120 + Math.floor(random() * 240);
    const durationTicks = secondsToTicks(seconds);
    const title = `Track ${pad(track, 2)}`;
    const passage: PassageRecord = {
      guid: randomUUID(),
      startTicks: 0,
      endTicks: durationTicks,
      leadInStartTicks: secondsToTicks(0.25),
      leadOutStartTicks: durationTicks - secondsToTicks(3),
      additionalMetadata: null,
      flavor: null,
      title,
      artist: primary.name,
      album: album.title,
      importMetadata: { analysis: 'tags', analysisVersion: ANALYSIS_VERSION, passage: { number: 1, of: 1 }, boundaries: { source: 'container duration' } },
      recording: {
        songGuid: randomUUID(),
        recordingMbid: fakeMbid(`recording ${i}`),
        title,
        artists: credits,
        works: [],
      },
      release: album,
    };
    records.push({
      kind: 'record',
      path: `Artist ${pad(artistIndex, 3)}/Album ${pad(albumNumber, 4)}/Track ${pad(track, 2)}.flac`,
      guid: randomUUID(),
      change: 'new',
      analysis: 'full',
      cueSignature: null,
      audioHash: null,
      place: null,
      warnings: [],
      decodedSeconds: seconds,
      hash: sha256(`bench file ${i}`),
      modificationTime: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
      sizeBytes: seconds * 110_000,
      durationTicks,
      format: 'flac',
    codec: 'flac',
      sampleRate: 44_100,
      channels: 2,
      status: 'INGEST COMPLETE',
      tags: { title, artist: primary.name, album: album.title, trackNumber: track, year: 1960 + ((albumNumber % ALBUM_POOL) % 60) },
      passages: [passage],
    });
  }
  return records;
}

/** Given to each tx-per-file worker. */
export interface WorkerInput {
  dbPath: string;
  /** The session the writes belong to (its row exists). */
  sessionId: string;
  records: FileRecord[];
}

export type ToWorker = { type: 'start' };

export type FromWorker =
  | { type: 'ready' }
  | {
    type: 'done';
    files: number;
    transactions: number;
    /** Write statements plus BEGIN and COMMIT, counted as the recorder counts them. */
    statements: number;
    /** Transactions tried again after SQLITE_BUSY. */
    busyRetries: number;
    holdMs: Float64Array;
    lockWaitMs: Float64Array;
  }
  | { type: 'error'; message: string };

export type ToForeign = { type: 'stop' };

export type FromForeign =
  | { type: 'ready' }
  | { type: 'samples'; waitsMs: number[]; busyErrors: number };
