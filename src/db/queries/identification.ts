/**
 * The identification queue's reads (before any transaction) and writes (inside the recorder's):
 * due jobs with what identifying their passage needs, the queue's counts, and the caches of
 * AcoustID's replies and MusicBrainz's JSON.
 */
import type { ReadDb, WriteDb } from '../connection.js';

export type JobState = 'waiting' | 'done' | 'no-match' | 'failed';

export interface DueJob {
  passageGuid: string;
  attempts: number;
  startTicks: number;
  endTicks: number;
  /** The passage's additional_metadata (its fingerprint is there). */
  additionalMetadata: string | null;
  leadOutStartTicks: number | null;
  /** Its place among its file's passages, from 0, and how many the file has. */
  position: number;
  filePassages: number;
  /** How its boundaries were found, with the silences rejected inside it (analysis/build-record.ts). */
  importMetadata: string | null;
  fileGuid: string;
  path: string;
  /** The album tag of the file. */
  album: string | null;
}

const SELECT_DUE_JOBS = `
SELECT j.passage_id AS passageGuid, j.attempts, p.start_time_ticks AS startTicks, p.end_time_ticks AS endTicks,
  p.lead_out_start_ticks AS leadOutStartTicks,
  (SELECT count(*) FROM passages q WHERE q.file_id = p.file_id AND q.start_time_ticks < p.start_time_ticks) AS position,
  (SELECT count(*) FROM passages q WHERE q.file_id = p.file_id) AS filePassages, p.import_metadata AS importMetadata,
  p.additional_metadata AS additionalMetadata, f.guid AS fileGuid, f.path, coalesce(p.album, f.album) AS album
FROM wkmp_ai_identification_jobs j
JOIN passages p ON p.guid = j.passage_id
JOIN files f ON f.guid = p.file_id
WHERE j.state = 'waiting' AND (j.next_attempt_at IS NULL OR j.next_attempt_at <= @now)
ORDER BY f.path, p.start_time_ticks
LIMIT @limit`;

/** Waiting jobs due at `now` (ISO 8601), in path order so that an album's passages come together. */
export function listDueJobs(db: ReadDb, now: string, limit: number): DueJob[] {
  return db.prepare(SELECT_DUE_JOBS).all({ now, limit }) as DueJob[];
}

export interface QueueCounts {
  waiting: number;
  done: number;
  noMatch: number;
  failed: number;
  /** Of the waiting, those due now. */
  due: number;
  /** The earliest retry of a waiting job not yet due; null when none. */
  nextAttemptAt: string | null;
}

const COUNT_JOBS = `
SELECT
  count(*) FILTER (WHERE state = 'waiting') AS waiting,
  count(*) FILTER (WHERE state = 'done') AS done,
  count(*) FILTER (WHERE state = 'no-match') AS noMatch,
  count(*) FILTER (WHERE state = 'failed') AS failed,
  count(*) FILTER (WHERE state = 'waiting' AND (next_attempt_at IS NULL OR next_attempt_at <= @now)) AS due,
  min(next_attempt_at) FILTER (WHERE state = 'waiting' AND next_attempt_at > @now) AS nextAttemptAt
FROM wkmp_ai_identification_jobs`;

export function countJobs(db: ReadDb, now: string): QueueCounts {
  return db.prepare(COUNT_JOBS).get({ now }) as QueueCounts;
}

export interface AcoustIdReplyKey {
  fingerprintSha256: string;
  durationSeconds: number;
}

const SELECT_ACOUSTID_REPLIES = `
SELECT r.fingerprint_sha256 AS fingerprintSha256, r.duration_seconds AS durationSeconds, r.json
FROM json_each(@keys) k
JOIN wkmp_ai_acoustid_replies r
  ON r.fingerprint_sha256 = json_extract(k.value, '$[0]') AND r.duration_seconds = json_extract(k.value, '$[1]')
WHERE r.cached_at >= @since`;

/** The cached replies among `keys` stored at or after `since`, by `sha256:duration`. */
export function listAcoustIdReplies(db: ReadDb, keys: readonly AcoustIdReplyKey[], since: string): Map<string, string> {
  const rows = db.prepare(SELECT_ACOUSTID_REPLIES).all({
    keys: JSON.stringify(keys.map((key) => [key.fingerprintSha256, key.durationSeconds])), since,
  }) as (AcoustIdReplyKey & { json: string })[];
  return new Map(rows.map((row) => [replyKey(row), row.json]));
}

export function replyKey(key: AcoustIdReplyKey): string {
  return `${key.fingerprintSha256}:${key.durationSeconds}`;
}

const SELECT_MUSICBRAINZ = `
SELECT c.mbid, c.json FROM json_each(@mbids) m
JOIN musicbrainz_cache c ON c.mbid = m.value AND c.entity_type = @entity
WHERE c.cached_at >= @since`;

/** Cached MusicBrainz JSON of `entity` for `mbids` stored at or after `since`, by the MBID asked for. */
export function listMusicBrainz(db: ReadDb, entity: 'release' | 'recording', mbids: readonly string[], since: string): Map<string, string> {
  const rows = db.prepare(SELECT_MUSICBRAINZ).all({ mbids: JSON.stringify(mbids), entity, since }) as { mbid: string; json: string }[];
  return new Map(rows.map((row) => [row.mbid, row.json]));
}

const SELECT_RELEASE_PLANS = `
SELECT f.path, r.sheet FROM json_each(@paths) w
JOIN files f ON f.path = w.value
JOIN wkmp_ai_release_plans r ON r.file_id = f.guid AND r.file_hash = f.hash`;

/** The release plans of these files (by path), as cue-sheet JSON, for those whose content is still the one planned for. */
export function listReleasePlans(db: ReadDb, paths: readonly string[]): Map<string, string> {
  if (paths.length === 0) return new Map();
  const rows = db.prepare(SELECT_RELEASE_PLANS).all({ paths: JSON.stringify(paths) }) as { path: string; sheet: string }[];
  return new Map(rows.map((row) => [row.path, row.sheet]));
}

// ------------------------------------------------------------------ writes (inside a transaction)

const UPSERT_ACOUSTID_REPLY = `
INSERT INTO wkmp_ai_acoustid_replies (fingerprint_sha256, duration_seconds, json) VALUES (?, ?, ?)
ON CONFLICT (fingerprint_sha256, duration_seconds) DO UPDATE SET json = excluded.json, cached_at = CURRENT_TIMESTAMP`;

const UPSERT_MUSICBRAINZ = `
INSERT INTO musicbrainz_cache (mbid, entity_type, json) VALUES (?, ?, ?)
ON CONFLICT (mbid, entity_type) DO UPDATE SET json = excluded.json, cached_at = CURRENT_TIMESTAMP`;

const UPDATE_JOB = `
UPDATE wkmp_ai_identification_jobs SET state = @state, attempts = @attempts, next_attempt_at = @nextAttemptAt,
  last_error = @lastError, acoustid_id = coalesce(@acoustId, acoustid_id), recording_mbid = @recordingMbid,
  release_mbid = @releaseMbid, confidence = @confidence, candidates = @candidates, updated_at = CURRENT_TIMESTAMP
WHERE passage_id = @passageGuid AND state = 'waiting'`;

/** A passage takes in the ones after it (one song a silence split): their end and lead-out become its own. */
const EXTEND_PASSAGE = `
UPDATE passages SET end_time_ticks = @endTicks, lead_out_start_ticks = @leadOutStartTicks, updated_at = CURRENT_TIMESTAMP
WHERE guid = @guid`;
const DELETE_PASSAGE = 'DELETE FROM passages WHERE guid = ?';
const UPSERT_RELEASE_PLAN = `
INSERT INTO wkmp_ai_release_plans (file_id, file_hash, release_mbid, sheet)
SELECT guid, hash, @releaseMbid, @sheet FROM files WHERE guid = @fileGuid
ON CONFLICT (file_id) DO UPDATE SET file_hash = excluded.file_hash, release_mbid = excluded.release_mbid, sheet = excluded.sheet,
  created_at = CURRENT_TIMESTAMP`;
/** The next full import analyses the file again (import/run.ts plans it as an upgrade), with the plan as its cue sheet. */
const REANALYSE_FILE = 'UPDATE files SET analysis_version = 0, updated_at = CURRENT_TIMESTAMP WHERE guid = ?';

export interface ReleasePlan {
  fileGuid: string;
  releaseMbid: string;
  /** A cue sheet (stored/file-cue-sheet.ts FileCueSheet), JSON. */
  sheet: string;
}

export interface PassageJoin {
  keep: string;
  drop: string[];
  endTicks: number;
  leadOutStartTicks: number | null;
}

export interface JobUpdate {
  passageGuid: string;
  state: JobState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  acoustId: string | null;
  recordingMbid: string | null;
  releaseMbid: string | null;
  confidence: number | null;
  /** JSON: what a Low or no match leaves for review. */
  candidates: string | null;
}

export function prepareIdentificationWrites(db: WriteDb) {
  const upsertReply = db.prepare(UPSERT_ACOUSTID_REPLY);
  const upsertMusicBrainz = db.prepare(UPSERT_MUSICBRAINZ);
  const updateJob = db.prepare(UPDATE_JOB);
  const extendPassage = db.prepare(EXTEND_PASSAGE);
  const upsertReleasePlan = db.prepare(UPSERT_RELEASE_PLAN);
  const reanalyseFile = db.prepare(REANALYSE_FILE);
  const deletePassage = db.prepare(DELETE_PASSAGE);
  return {
    /** The file holds a whole release: the next import cuts it at the release's tracks. */
    planRelease(plan: ReleasePlan): void {
      upsertReleasePlan.run(plan);
      reanalyseFile.run(plan.fileGuid);
    },
    /** `keep` reaches to `endTicks` in place of `drop`, which goes (its job and links with it). */
    joinPassages(join: PassageJoin): void {
      extendPassage.run({ guid: join.keep, endTicks: join.endTicks, leadOutStartTicks: join.leadOutStartTicks });
      for (const guid of join.drop) deletePassage.run(guid);
    },
    storeAcoustIdReply: (key: AcoustIdReplyKey, json: string) => upsertReply.run(key.fingerprintSha256, key.durationSeconds, json),
    storeMusicBrainz: (entity: 'release' | 'recording', mbid: string, json: string) => upsertMusicBrainz.run(mbid, entity, json),
    /** False when the job is no longer waiting (the passage was re-recorded or is gone): its outcome is dropped. */
    updateJob: (update: JobUpdate): boolean => updateJob.run(update).changes > 0,
  };
}
