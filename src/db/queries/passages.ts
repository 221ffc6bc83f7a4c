/** The passages of one file as stored, for the file page (GET /api/files/passages). */
import type { PassageRecord } from '../../file-record.js';
import type { ReadDb } from '../connection.js';

const SELECT_FILE_BY_PATH = `
SELECT guid, path, status, duration_ticks AS durationTicks, title, artist FROM files WHERE path = ?`;

const SELECT_PASSAGES_OF_FILE = `
SELECT p.start_time_ticks AS startTicks, p.end_time_ticks AS endTicks,
  p.lead_in_start_ticks AS leadInStartTicks, p.lead_out_start_ticks AS leadOutStartTicks,
  p.title, p.artist, p.import_metadata AS importMetadata,
  (SELECT s.recording_mbid FROM passage_songs ps JOIN songs s ON s.guid = ps.song_id
   WHERE ps.passage_id = p.guid ORDER BY ps.start_time_ticks LIMIT 1) AS recordingMbid
FROM passages p WHERE p.file_id = ? ORDER BY p.start_time_ticks, p.guid`;

export interface StoredFile {
  guid: string;
  path: string;
  status: string;
  durationTicks: number | null;
  title: string | null;
  artist: string | null;
}

/** A candidate song boundary inside a passage that analysis did not make one, and why (analysis/song-boundaries.ts). */
export interface RejectedGap {
  startTicks: number;
  endTicks: number;
  verdict: string;
}

/**
 * A passage as stored, with the first song's MusicBrainz recording id (null: an unidentified
 * passage) and the candidate boundaries inside it that were rejected, from its import_metadata.
 */
export type StoredPassage = Pick<PassageRecord, 'startTicks' | 'endTicks' | 'leadInStartTicks' | 'leadOutStartTicks' | 'title' | 'artist'>
  & { recordingMbid: string | null; rejectedGaps: RejectedGap[] };

type PassageRow = Omit<StoredPassage, 'rejectedGaps'> & { importMetadata: string | null };

/** The rejected gaps an analysis kept in a passage's import_metadata; none for a passage another service or an older rule wrote. */
function rejectedGapsOf(importMetadata: string | null): RejectedGap[] {
  try {
    const gaps = (JSON.parse(importMetadata ?? '{}') as { boundaries?: { rejectedGaps?: unknown } }).boundaries?.rejectedGaps;
    return Array.isArray(gaps) ? (gaps as RejectedGap[]) : [];
  } catch {
    return [];
  }
}

export function getFileByPath(db: ReadDb, path: string): StoredFile | undefined {
  return db.prepare(SELECT_FILE_BY_PATH).get(path) as StoredFile | undefined;
}

export function listPassagesOfFile(db: ReadDb, fileGuid: string): StoredPassage[] {
  return (db.prepare(SELECT_PASSAGES_OF_FILE).all(fileGuid) as PassageRow[])
    .map(({ importMetadata, ...passage }) => ({ ...passage, rejectedGaps: rejectedGapsOf(importMetadata) }));
}

/** Where a stored passage lies: what re-analysis compares its new passages with. */
export interface StoredPassageSpan {
  guid: string;
  fileGuid: string;
  startTicks: number;
  endTicks: number;
}

const SELECT_PASSAGE_SPANS_OF_FILES = `
SELECT guid, file_id AS fileGuid, start_time_ticks AS startTicks, end_time_ticks AS endTicks
FROM passages WHERE file_id IN (SELECT value FROM json_each(?)) ORDER BY file_id, start_time_ticks`;

/** The passages these files have now: read before a batch re-records them. */
export function listPassageSpansOfFiles(db: ReadDb, fileGuids: readonly string[]): StoredPassageSpan[] {
  if (fileGuids.length === 0) return [];
  return db.prepare(SELECT_PASSAGE_SPANS_OF_FILES).all(JSON.stringify(fileGuids)) as StoredPassageSpan[];
}
