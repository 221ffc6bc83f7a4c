/** The passages of one file as stored, for the file page (GET /api/files/passages). */
import type { PassageRecord } from '../../file-record.js';
import { parseCandidates, type ReviewCandidate } from '../../stored/candidates.js';
import { parseImportMetadata, type RejectedGap } from '../../stored/import-metadata.js';
import type { ReadDb } from '../connection.js';
import type { AbsentPassage } from '../kept-passages.js';

const SELECT_FILE_BY_PATH = `
SELECT guid, path, status, duration_ticks AS durationTicks, title, artist FROM files WHERE path = ?`;

const SELECT_PASSAGES_OF_FILE = `
SELECT p.guid, p.start_time_ticks AS startTicks, p.end_time_ticks AS endTicks,
  p.lead_in_start_ticks AS leadInStartTicks, p.lead_out_start_ticks AS leadOutStartTicks,
  p.title, p.artist, p.import_metadata AS importMetadata,
  s.recording_mbid AS recordingMbid, s.title AS songTitle,
  (SELECT group_concat(name, ', ') FROM (SELECT a.name FROM song_artists sa JOIN artists a ON a.guid = sa.artist_id
   WHERE sa.song_id = s.guid ORDER BY sa.weight DESC, a.name)) AS songArtist,
  (SELECT al.title FROM passage_albums pa JOIN albums al ON al.guid = pa.album_id WHERE pa.passage_id = p.guid LIMIT 1) AS albumTitle,
  j.state AS identificationState, j.confidence, j.candidates, j.last_error AS identificationError
FROM passages p
LEFT JOIN songs s ON s.guid = (SELECT ps.song_id FROM passage_songs ps WHERE ps.passage_id = p.guid ORDER BY ps.start_time_ticks LIMIT 1)
LEFT JOIN wkmp_ai_identification_jobs j ON j.passage_id = p.guid
WHERE p.file_id = ? ORDER BY p.start_time_ticks, p.guid`;

export interface StoredFile {
  guid: string;
  path: string;
  status: string;
  durationTicks: number | null;
  title: string | null;
  artist: string | null;
}

/** What identification made of a passage (docs/identification.md). */
export interface PassageIdentification {
  /** `embedded`: its file names its recording; otherwise the queue's state, or null when it has no job (too short to fingerprint). */
  state: 'embedded' | 'waiting' | 'done' | 'no-match' | 'failed' | null;
  /** The song it plays, when known. */
  song: { title: string | null; artist: string | null; album: string | null } | null;
  /** AcoustID's score weighed by identification (identify/choose.ts); its band is the reader's to say. */
  confidence: number | null;
  /** For a Low or no match: what AcoustID offered, for review; none when the stored list cannot be read. */
  candidates: ReviewCandidate[];
  lastError: string | null;
}

/**
 * A passage as stored, with the first song's MusicBrainz recording id (null: an unidentified
 * passage), what identification made of it, and the candidate boundaries inside it that were
 * rejected, from its import_metadata.
 */
export type StoredPassage = Pick<PassageRecord, 'guid' | 'startTicks' | 'endTicks' | 'leadInStartTicks' | 'leadOutStartTicks' | 'title' | 'artist'>
  & { recordingMbid: string | null; identification: PassageIdentification; rejectedGaps: RejectedGap[] };

type PassageRow = Pick<StoredPassage, 'guid' | 'startTicks' | 'endTicks' | 'leadInStartTicks' | 'leadOutStartTicks' | 'title' | 'artist' | 'recordingMbid'> & {
  importMetadata: string | null;
  songTitle: string | null;
  songArtist: string | null;
  albumTitle: string | null;
  identificationState: Exclude<PassageIdentification['state'], 'embedded'>;
  confidence: number | null;
  candidates: string | null;
  identificationError: string | null;
};

function identificationOf(row: PassageRow): PassageIdentification {
  const song = row.recordingMbid === null ? null : { title: row.songTitle, artist: row.songArtist, album: row.albumTitle };
  const candidates = row.candidates === null ? null : parseCandidates(row.candidates);
  return {
    state: row.identificationState ?? (song === null ? null : 'embedded'),
    song, confidence: row.confidence, candidates: candidates?.readable === true ? candidates.value : [], lastError: row.identificationError,
  };
}

/** The rejected gaps an analysis kept in a passage's import_metadata; none for a passage another service or an older rule wrote. */
function rejectedGapsOf(importMetadata: string | null): RejectedGap[] {
  const stored = importMetadata === null ? null : parseImportMetadata(importMetadata);
  return stored?.readable === true ? stored.value.boundaries.rejectedGaps ?? [] : [];
}

export function getFileByPath(db: ReadDb, path: string): StoredFile | undefined {
  return db.prepare(SELECT_FILE_BY_PATH).get(path) as StoredFile | undefined;
}

export function listPassagesOfFile(db: ReadDb, fileGuid: string): StoredPassage[] {
  return (db.prepare(SELECT_PASSAGES_OF_FILE).all(fileGuid) as PassageRow[]).map((row) => ({
    guid: row.guid, startTicks: row.startTicks, endTicks: row.endTicks, leadInStartTicks: row.leadInStartTicks, leadOutStartTicks: row.leadOutStartTicks,
    title: row.title, artist: row.artist, recordingMbid: row.recordingMbid,
    identification: identificationOf(row), rejectedGaps: rejectedGapsOf(row.importMetadata),
  }));
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

/** Edges differ by at most 0.5 s each (db/kept-passages.ts): lengths by at most 1 s. */
const SELECT_ABSENT_PASSAGES = `
SELECT p.guid, p.file_id AS fileGuid, p.start_time_ticks AS startTicks, p.end_time_ticks AS endTicks,
  json_extract(p.additional_metadata, '$.chromaprint.fingerprint') AS fingerprint
FROM files f JOIN passages p ON p.file_id = f.guid
WHERE f.missing_since IS NOT NULL AND f.superseded_by IS NULL
  AND EXISTS (SELECT 1 FROM json_each(@lengths) l WHERE abs((p.end_time_ticks - p.start_time_ticks) - l.value) <= @slackTicks)`;

/** The passages of missing, unretired files about as long as any of `lengthsTicks`: what a new encoding may take over. */
export function listAbsentPassages(db: ReadDb, lengthsTicks: readonly number[], slackTicks: number): AbsentPassage[] {
  if (lengthsTicks.length === 0) return [];
  return db.prepare(SELECT_ABSENT_PASSAGES).all({ lengths: JSON.stringify(lengthsTicks), slackTicks }) as AbsentPassage[];
}
