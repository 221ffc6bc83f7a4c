import type { AnalysisLevel, FileClass } from '../../file-record.js';
import type { ReadDb } from '../connection.js';
import { writeUnit, type WriteUnit } from '../write-unit.js';

/** Every path under "a/b/" sorts between "a/b/" and "a/b0" ('0' follows '/'); the whole root: from '' on. */
const IN_FOLDER = 'path >= @lower AND (@upper IS NULL OR path < @upper)';

function folderBounds(folder: string): { lower: string; upper: string | null } {
  return folder === '' ? { lower: '', upper: null } : { lower: `${folder}/`, upper: `${folder}0` };
}

/**
 * What the database knew about a file before this import: an audio file of `files`, or a file it
 * remembers as not audio (wkmp_ai_other_files: only path, size, time and class).
 */
export type KnownFile = KnownAudioFile | KnownOtherFile;

export interface KnownAudioFile {
  fileClass: 'audio';
  guid: string;
  path: string;
  sizeBytes: number | null;
  modificationTime: string;
  missingSince: string | null;
  analysis: AnalysisLevel;
  /** The analysis rules it was analysed by (ANALYSIS_VERSION then). */
  analysisVersion: number;
  /** The cue sheets beside it when it was analysed. */
  cueSignature: string | null;
}

export interface KnownOtherFile {
  fileClass: Exclude<FileClass, 'audio'>;
  path: string;
  sizeBytes: number;
  modificationTime: string;
}

const SELECT_KNOWN_UNDER = `
SELECT guid, path, file_size_bytes AS sizeBytes, modification_time AS modificationTime, missing_since AS missingSince,
       analysis, analysis_version AS analysisVersion, cue_signature AS cueSignature, 'audio' AS fileClass
FROM files WHERE ${IN_FOLDER}
UNION ALL
SELECT NULL, path, file_size_bytes, modification_time, NULL, NULL, NULL, NULL, class
FROM wkmp_ai_other_files WHERE ${IN_FOLDER}`;

/**
 * What the database knows about the files under `folder` (relative, '' for the whole root): its
 * audio files and the other files it remembers, the one read the plan needs, done before anything
 * is written.
 */
export function listKnownFiles(db: ReadDb, folder: string): KnownFile[] {
  return db.prepare(SELECT_KNOWN_UNDER).all(folderBounds(folder)) as KnownFile[];
}

const SELECT_AUDIO_UNDER = `SELECT path FROM files WHERE missing_since IS NULL AND ${IN_FOLDER} ORDER BY path LIMIT @limit OFFSET @offset`;
const COUNT_AUDIO_UNDER = `SELECT count(*) AS n FROM files WHERE missing_since IS NULL AND ${IN_FOLDER}`;
const SELECT_OTHERS_UNDER = `SELECT path FROM wkmp_ai_other_files WHERE ${IN_FOLDER} AND class = @fileClass ORDER BY path LIMIT @limit OFFSET @offset`;
const COUNT_OTHERS_UNDER = `SELECT count(*) AS n FROM wkmp_ai_other_files WHERE ${IN_FOLDER} AND class = @fileClass`;

/** The files under `folder` of one class, as imports found them by content: a page of paths, and how many in all. */
export function listFilesByClass(db: ReadDb, folder: string, fileClass: FileClass, offset: number, limit: number): { total: number; paths: string[] } {
  const audio = fileClass === 'audio';
  const where = audio ? folderBounds(folder) : { ...folderBounds(folder), fileClass };
  const total = (db.prepare(audio ? COUNT_AUDIO_UNDER : COUNT_OTHERS_UNDER).get(where) as { n: number }).n;
  const rows = db.prepare(audio ? SELECT_AUDIO_UNDER : SELECT_OTHERS_UNDER).all({ ...where, limit, offset }) as { path: string }[];
  return { total, paths: rows.map((row) => row.path) };
}

export interface FileWithHash {
  guid: string;
  path: string;
  hash: string;
  status: string;
  matchingHashes: string | null;
  missingSince: string | null;
}

const SELECT_BY_HASH = `
SELECT guid, path, hash, status, matching_hashes AS matchingHashes, missing_since AS missingSince
FROM files WHERE hash IN (SELECT value FROM json_each(?)) ORDER BY created_at, guid`;

/** Files already holding any of these contents: read before a batch to find duplicates and moves. */
export function listFilesByHashes(db: ReadDb, hashes: readonly string[]): FileWithHash[] {
  if (hashes.length === 0) return [];
  return db.prepare(SELECT_BY_HASH).all(JSON.stringify(hashes)) as FileWithHash[];
}

const MARK_MISSING = `
UPDATE files SET missing_since = strftime('%Y-%m-%dT%H:%M:%fZ')
WHERE guid IN (SELECT value FROM json_each(?)) AND missing_since IS NULL`;
const CLEAR_MISSING = 'UPDATE files SET missing_since = NULL WHERE guid IN (SELECT value FROM json_each(?))';

const DELETE_OTHER_FILES = 'DELETE FROM wkmp_ai_other_files WHERE path IN (SELECT value FROM json_each(?))';

export interface Presence {
  /** Audio files gone from disk: marked, never deleted (they are the library). */
  missing: readonly string[];
  /** Unchanged audio files marked missing before, back now. */
  restored: readonly string[];
  /** Remembered non-audio files that are gone: wkmp-ai's own memory, forgotten. */
  goneOthers: readonly string[];
}

/** What an import's plan found of files come and gone, in one transaction. */
export function markPresence(presence: Presence): WriteUnit<void> {
  return writeUnit('import', 'marking files missing from disk', (db) => {
    db.prepare(MARK_MISSING).run(JSON.stringify(presence.missing));
    db.prepare(CLEAR_MISSING).run(JSON.stringify(presence.restored));
    db.prepare(DELETE_OTHER_FILES).run(JSON.stringify(presence.goneOthers));
  });
}
