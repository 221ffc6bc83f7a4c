/**
 * AcousticBrainz in wkmp.db: the reads of its queue (flavoring/queue.ts) and of a dump import
 * (flavoring/dump.ts), before any transaction, and the statements their write unit runs
 * (db/record-acousticbrainz.ts). The recordings waiting are the songs' recordings that have no
 * row in `acousticbrainz_cache`; `wkmp_ai_flavor_jobs` holds back those whose request failed.
 */
import type { ReadDb, WriteDb } from '../connection.js';

export interface FlavorCounts {
  /** The songs' recordings. */
  recordings: number;
  /** Stored with AcousticBrainz's documents. */
  known: number;
  /** Stored as `{}`: AcousticBrainz does not know them. */
  unknown: number;
  /** Not stored yet, nor given up. */
  waiting: number;
  /** Of the waiting, those due now (never asked, or their retry has come). */
  due: number;
  /** Given up after the last failed attempt. */
  failed: number;
  /** The earliest retry not yet due; null when none. */
  nextAttemptAt: string | null;
}

const COUNT = `
SELECT
  count(*) AS recordings,
  count(*) FILTER (WHERE c.high_level_data IS NOT NULL AND c.high_level_data <> '{}') AS known,
  count(*) FILTER (WHERE c.high_level_data = '{}') AS unknown,
  count(*) FILTER (WHERE c.recording_mbid IS NULL AND coalesce(j.state, 'waiting') = 'waiting') AS waiting,
  count(*) FILTER (WHERE c.recording_mbid IS NULL AND coalesce(j.state, 'waiting') = 'waiting'
    AND (j.next_attempt_at IS NULL OR j.next_attempt_at <= @now)) AS due,
  count(*) FILTER (WHERE c.recording_mbid IS NULL AND j.state = 'failed') AS failed,
  min(j.next_attempt_at) FILTER (WHERE c.recording_mbid IS NULL AND j.state = 'waiting' AND j.next_attempt_at > @now) AS nextAttemptAt
FROM songs s
LEFT JOIN acousticbrainz_cache c ON c.recording_mbid = s.recording_mbid
LEFT JOIN wkmp_ai_flavor_jobs j ON j.recording_mbid = s.recording_mbid`;

/** The queue's counts at `now` (ISO 8601). */
export function countFlavorQueue(db: ReadDb, now: string): FlavorCounts {
  return db.prepare(COUNT).get({ now }) as FlavorCounts;
}

export interface DueRecording {
  recordingMbid: string;
  /** Failed attempts so far. */
  attempts: number;
}

const SELECT_DUE = `
SELECT s.recording_mbid AS recordingMbid, coalesce(j.attempts, 0) AS attempts
FROM songs s
LEFT JOIN wkmp_ai_flavor_jobs j ON j.recording_mbid = s.recording_mbid
WHERE s.recording_mbid > @after
  AND NOT EXISTS (SELECT 1 FROM acousticbrainz_cache c WHERE c.recording_mbid = s.recording_mbid)
  AND (j.recording_mbid IS NULL OR (j.state = 'waiting' AND (j.next_attempt_at IS NULL OR j.next_attempt_at <= @now)))
ORDER BY s.recording_mbid
LIMIT @limit`;

/** Recordings due at `now`, in MBID order after `after` (keyset: a run goes through them once). */
export function listDueRecordings(db: ReadDb, now: string, after: string, limit: number): DueRecording[] {
  return db.prepare(SELECT_DUE).all({ now, after, limit }) as DueRecording[];
}

const SELECT_SONGS_TO_FLAVOR = `
SELECT s.recording_mbid AS recordingMbid, c.high_level_data AS highLevelData
FROM songs s JOIN acousticbrainz_cache c ON c.recording_mbid = s.recording_mbid
WHERE coalesce(s.status, 'PENDING') = 'PENDING'
LIMIT ?`;

/** Songs still PENDING whose recording's documents are stored (a dump, or another song, brought them first). */
export function listSongsToFlavor(db: ReadDb, limit: number): { recordingMbid: string; highLevelData: string }[] {
  return db.prepare(SELECT_SONGS_TO_FLAVOR).all(limit) as { recordingMbid: string; highLevelData: string }[];
}

const SELECT_LIBRARY = 'SELECT recording_mbid AS mbid FROM songs';

/** Every recording of the library (the songs'), as stored. */
export function listLibraryRecordings(db: ReadDb): string[] {
  return (db.prepare(SELECT_LIBRARY).all() as { mbid: string }[]).map((row) => row.mbid);
}

const SELECT_CACHED_OFFSETS = `
SELECT c.recording_mbid AS mbid, json_group_array(o.key) AS offsets
FROM acousticbrainz_cache c, json_each(CASE WHEN json_valid(c.high_level_data) THEN c.high_level_data ELSE '{}' END) o
WHERE c.recording_mbid IN (SELECT value FROM json_each(?))
GROUP BY c.recording_mbid`;

/** The offsets stored for each of these recordings (those with some). */
export function listCachedOffsets(db: ReadDb, mbids: readonly string[]): Map<string, string[]> {
  if (mbids.length === 0) return new Map();
  const rows = db.prepare(SELECT_CACHED_OFFSETS).all(JSON.stringify(mbids)) as { mbid: string; offsets: string }[];
  return new Map(rows.map((row) => [row.mbid, JSON.parse(row.offsets) as string[]]));
}

const SELECT_CACHED = 'SELECT high_level_data AS text FROM acousticbrainz_cache WHERE recording_mbid = ?';

/** A recording's stored documents as text; undefined when none are stored. */
export function getCachedDocuments(db: ReadDb, mbid: string): string | undefined {
  return (db.prepare(SELECT_CACHED).get(mbid) as { text: string } | undefined)?.text;
}

// ------------------------------------------------------------------ writes (inside a transaction)

const UPSERT_CACHED = `
INSERT INTO acousticbrainz_cache (recording_mbid, high_level_data) VALUES (?, ?)
ON CONFLICT (recording_mbid) DO UPDATE SET high_level_data = excluded.high_level_data, cached_at = CURRENT_TIMESTAMP`;
const SELECT_SONG_STATUS = 'SELECT coalesce(status, \'PENDING\') AS status FROM songs WHERE recording_mbid = ?';
const UPDATE_SONG = `
UPDATE songs SET flavor_vector = @vector, flavor_source_blend = @sources, status = @status, updated_at = CURRENT_TIMESTAMP
WHERE recording_mbid = @recordingMbid`;
const DELETE_JOB = 'DELETE FROM wkmp_ai_flavor_jobs WHERE recording_mbid = ?';
const UPSERT_JOB = `
INSERT INTO wkmp_ai_flavor_jobs (recording_mbid, state, attempts, next_attempt_at, last_error)
VALUES (@recordingMbid, @state, @attempts, @nextAttemptAt, @lastError)
ON CONFLICT (recording_mbid) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
  next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error, updated_at = CURRENT_TIMESTAMP`;

export type SongStatus = 'PENDING' | 'FLAVOR READY' | 'FLAVORING FAILED';

/** What a song's row says of its recording's AcousticBrainz flavor. */
export interface SongFlavor {
  /** songs.flavor_vector (JSON), null when AcousticBrainz gives none. */
  vector: string | null;
  /** songs.flavor_source_blend (JSON). */
  sources: string | null;
  status: Exclude<SongStatus, 'PENDING'>;
}

export interface FlavorJobUpdate {
  recordingMbid: string;
  state: 'waiting' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string;
}

export function prepareAcousticBrainzWrites(db: WriteDb) {
  const selectCached = db.prepare(SELECT_CACHED);
  const upsertCached = db.prepare(UPSERT_CACHED);
  const selectSongStatus = db.prepare(SELECT_SONG_STATUS);
  const updateSong = db.prepare(UPDATE_SONG);
  const deleteJob = db.prepare(DELETE_JOB);
  const upsertJob = db.prepare(UPSERT_JOB);
  return {
    getCached: (mbid: string): string | undefined => (selectCached.get(mbid) as { text: string } | undefined)?.text,
    storeCached: (mbid: string, text: string) => upsertCached.run(mbid, text),
    /** The song's status, or undefined when no song has this recording. */
    getSongStatus: (mbid: string): SongStatus | undefined => (selectSongStatus.get(mbid) as { status: SongStatus } | undefined)?.status,
    storeSongFlavor: (recordingMbid: string, flavor: SongFlavor) => updateSong.run({ recordingMbid, ...flavor }),
    deleteJob: (mbid: string) => deleteJob.run(mbid),
    storeJob: (job: FlavorJobUpdate) => upsertJob.run(job),
  };
}
