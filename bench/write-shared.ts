/**
 * What the three write strategies of `bench/write.ts` share: the generated file records, the
 * per-file writes (the recorder's statements, in the recorder's order) and the messages that
 * cross to the worker threads and the foreign writer process.
 */
import { createHash } from 'node:crypto';
import { v7 as randomUUID } from 'uuid';
import type { ArtistCredit, AlbumRef, FileRecord, PassageRecord } from '../src/file-record.js';
import { secondsToTicks } from '../src/file-record.js';
import { fileRowParams, MAX_HOST_PARAMETERS, PASSAGE_COLUMN_COUNT, type FileWrites } from '../src/db/queries/file-writes.js';

export const ARTIST_POOL = 500;
export const ALBUM_POOL = 2000;
const TRACKS_PER_ALBUM = 12;

/** Small deterministic PRNG (mulberry32): the same seed gives the same library. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  const random = mulberry32(seed);
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
      title,
      artist: primary.name,
      album: album.title,
      importMetadata: { method: 'bench', silenceThresholdDb: -60, minSilenceMs: 500 },
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
      warnings: [],
      decodedSeconds: seconds,
      hash: sha256(`bench file ${i}`),
      modificationTime: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
      sizeBytes: seconds * 110_000,
      durationTicks,
      format: 'flac',
      sampleRate: 44_100,
      channels: 2,
      status: 'INGEST COMPLETE',
      tags: { title, artist: primary.name, album: album.title, trackNumber: track, year: 1960 + ((albumNumber % ALBUM_POOL) % 60) },
      passages: [passage],
    });
  }
  return records;
}

/** Runs one statement; the strategies time or retry it here. */
export type Exec = <T>(statement: () => T) => T;

const maxPassageRows = Math.floor(MAX_HOST_PARAMETERS / PASSAGE_COLUMN_COUNT);

function guidOf(row: unknown): string {
  return (row as { guid: string }).guid;
}

/**
 * The rows the recorder writes for one new (not duplicate) file, with the statements of
 * `prepareFileWrites` in the order `BatchWriter.writeRecord` runs them. Returns the number of
 * statements run.
 */
export function writeFileRecord(writes: FileWrites, record: FileRecord, exec: Exec): number {
  let statements = 0;
  const run: Exec = (statement) => {
    statements += 1;
    return exec(statement);
  };
  const fileGuid = guidOf(run(() => writes.upsertFile.get(fileRowParams(record, record.status, null))));
  if (record.change === 'changed' || fileGuid !== record.guid) run(() => writes.deletePassagesOfFileExcept.run(fileGuid, '[]'));
  for (let start = 0; start < record.passages.length; start += maxPassageRows) {
    const chunk = record.passages.slice(start, start + maxPassageRows);
    const params = chunk.flatMap((p) => [
      p.guid, fileGuid, p.startTicks, p.endTicks, p.leadInStartTicks, p.leadOutStartTicks,
      p.title, p.artist, p.album, JSON.stringify(p.importMetadata), 'INGEST COMPLETE',
    ]);
    const insert = writes.insertPassages(chunk.length);
    run(() => insert.run(...params));
  }
  for (const passage of record.passages) {
    if (passage.release) {
      const r = passage.release;
      const albumGuid = guidOf(run(() => writes.upsertAlbum.get(r.guid, r.mbid, r.title, r.releaseDate)));
      run(() => writes.insertPassageAlbum.run(passage.guid, albumGuid));
    }
    const recording = passage.recording;
    if (!recording) continue;
    const songGuid = guidOf(run(() => writes.upsertSong.get(recording.songGuid, recording.recordingMbid, recording.title)));
    if (recording.artists.length > 0) run(() => writes.deleteSongArtists.run(songGuid));
    for (const credit of recording.artists) {
      const artistGuid = guidOf(run(() => writes.upsertArtist.get(credit.guid, credit.mbid, credit.name)));
      run(() => writes.insertSongArtist.run(songGuid, artistGuid, credit.weight));
    }
    for (const work of recording.works) {
      const workGuid = guidOf(run(() => writes.upsertWork.get(work.guid, work.mbid, work.title)));
      run(() => writes.insertSongWork.run(songGuid, workGuid));
      run(() => writes.setSongWork.run(workGuid, songGuid));
    }
    run(() => writes.insertPassageSong.run(passage.guid, songGuid, 0, passage.endTicks - passage.startTicks));
  }
  return statements;
}

/** Given to each tx-per-file worker. */
export interface WorkerInput {
  dbPath: string;
  busyTimeoutMs: number;
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
    /** Transactions begun again after SQLITE_BUSY (busy_timeout ran out). */
    busyRetries: number;
    holdMs: Float64Array;
    lockWaitMs: Float64Array;
  }
  | { type: 'error'; message: string };

export type ToForeign = { type: 'stop' };

export type FromForeign =
  | { type: 'ready' }
  | { type: 'samples'; waitsMs: number[]; busyErrors: number };
