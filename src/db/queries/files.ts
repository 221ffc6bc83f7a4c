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
  /** Its stored modification time in epoch milliseconds (SQLite converts it: no string is built per file); null if unreadable. */
  modificationMs: number | null;
  missingSince: string | null;
  analysis: AnalysisLevel;
  /** The analysis rules it was analysed by (ANALYSIS_VERSION then). */
  analysisVersion: number;
  /** The cue sheets beside it when it was analysed. */
  cueSignature: string | null;
}

/**
 * What tells a known audio file at another path, or under rewritten tags (scan/plan.ts): read only
 * for the few files a plan finds absent or changed, not for every file of a rescan.
 */
export interface KnownFileIdentity extends KnownAudioFile {
  /** SHA-256 of the whole file; '' when only tagged. */
  hash: string;
  audioHash: string | null;
  /** Where it lived on disk when last seen (st_dev, st_ino); null for rows from before wkmp-ai kept them. */
  deviceId: number | null;
  inode: number | null;
}

export interface KnownOtherFile {
  fileClass: Exclude<FileClass, 'audio'>;
  path: string;
  sizeBytes: number;
  modificationMs: number | null;
}

/** Stored as ISO 8601 text (file-record.ts, formatModificationTime); compared as whole milliseconds. */
const MODIFICATION_MS = "CAST(round(unixepoch(modification_time, 'subsec') * 1000) AS INTEGER)";

const KNOWN_AUDIO_COLUMNS = `guid, path, file_size_bytes AS sizeBytes, ${MODIFICATION_MS} AS modificationMs, missing_since AS missingSince,
       analysis, analysis_version AS analysisVersion, cue_signature AS cueSignature, 'audio' AS fileClass`;
const IDENTITY_COLUMNS = `${KNOWN_AUDIO_COLUMNS}, hash, audio_hash AS audioHash, device_id AS deviceId, inode`;

/** The next page of known files under a folder after `@after`, in path order (an index range on each table, merged). */
const SELECT_KNOWN_PAGE = `
SELECT ${KNOWN_AUDIO_COLUMNS}
FROM files WHERE path > @after AND (@upper IS NULL OR path < @upper)
UNION ALL
SELECT NULL, path, file_size_bytes, ${MODIFICATION_MS}, NULL, NULL, NULL, NULL, class
FROM wkmp_ai_other_files WHERE path > @after AND (@upper IS NULL OR path < @upper)
ORDER BY path LIMIT @limit`;

/** Missing and not retired: what a path that appears may be (an upgrade's old file is retired: its passages moved on). */
const SELECT_MISSING = `
SELECT ${IDENTITY_COLUMNS}
FROM files WHERE missing_since IS NOT NULL AND superseded_by IS NULL`;

const SELECT_IDENTITIES = `SELECT ${IDENTITY_COLUMNS} FROM files WHERE guid IN (SELECT value FROM json_each(?))`;

/** A row of IDENTITY_COLUMNS, in their order. */
type IdentityRow = [
  guid: string, path: string, sizeBytes: number | null, modificationMs: number | null, missingSince: string | null, analysis: AnalysisLevel,
  analysisVersion: number, cueSignature: string | null, fileClass: 'audio', hash: string, audioHash: string | null, deviceId: number | null, inode: number | null,
];

/** A known audio file from the first columns of a row (KNOWN_AUDIO_COLUMNS, in their order), as both reads below give them. */
function knownAudioOf(row: KnownRow | IdentityRow): KnownAudioFile {
  return {
    fileClass: 'audio', guid: row[0]!, path: row[1], sizeBytes: row[2], modificationMs: row[3], missingSince: row[4],
    analysis: row[5]!, analysisVersion: row[6]!, cueSignature: row[7],
  };
}

/** Identities are read as arrays and shaped here, as the known files are: 22 ms against 36 ms for 10,000 (a renamed folder's). */
function identityOf(row: IdentityRow): KnownFileIdentity {
  return { ...knownAudioOf(row), hash: row[9], audioHash: row[10], deviceId: row[11], inode: row[12] };
}

/** The identities of these known files (by guid): what the plan compares absent and changed files by. */
export function listFileIdentities(db: ReadDb, guids: readonly string[]): KnownFileIdentity[] {
  if (guids.length === 0) return [];
  return (db.prepare(SELECT_IDENTITIES).raw(true).all(JSON.stringify(guids)) as IdentityRow[]).map(identityOf);
}

/** Rows a page of the known files holds: enough that paging costs nothing, few enough to hold. */
const knownPageRows = 2000;

/**
 * What the database knows about the files under `folder` (relative, '' for the whole root): its
 * audio files and the other files it remembers, in path order (the walk's: scan/folders.ts,
 * comparePaths), a page at a time. Each page is a read of its own: no read transaction stays open
 * while the walk goes on, and what is held is one page, not the library. Read as arrays and
 * shaped here: a rescan reads every known file, and rows made column by column by the driver cost
 * a third more (measured on 50,000 files).
 */
export function* knownFilesInOrder(db: ReadDb, folder: string): Generator<KnownFile> {
  const statement = db.prepare(SELECT_KNOWN_PAGE).raw(true);
  const { lower, upper } = folderBounds(folder);
  // No file's path is a folder's with '/' after it, nor '': after it is from it.
  let after = lower;
  for (;;) {
    const rows = statement.all({ after, upper, limit: knownPageRows }) as KnownRow[];
    for (const row of rows) {
      yield row[8] === 'audio' ? knownAudioOf(row) : { fileClass: row[8], path: row[1], sizeBytes: row[2]!, modificationMs: row[3] };
    }
    if (rows.length < knownPageRows) return;
    after = rows.at(-1)![1];
  }
}

/** A row of SELECT_KNOWN_PAGE, in its column order; the other files' rows have nulls where audio files have values. */
type KnownRow = [
  guid: string | null, path: string, sizeBytes: number | null, modificationMs: number | null, missingSince: string | null,
  analysis: AnalysisLevel | null, analysisVersion: number | null, cueSignature: string | null, fileClass: FileClass,
];

/** Every file marked missing and not retired, wherever it was, that `wanted` keeps: what a path that appears may be. */
export function* iterateMissingFiles(db: ReadDb, wanted: (file: KnownFileIdentity) => boolean): Generator<KnownFileIdentity> {
  for (const row of db.prepare(SELECT_MISSING).raw(true).iterate() as IterableIterator<IdentityRow>) {
    const file = identityOf(row);
    if (wanted(file)) yield file;
  }
}

/** The recording each file's first passage plays (its first song), where one is known. */
const SELECT_FIRST_RECORDINGS = `
SELECT f.value AS guid, (
  SELECT s.recording_mbid FROM passages p JOIN passage_songs ps ON ps.passage_id = p.guid JOIN songs s ON s.guid = ps.song_id
  WHERE p.file_id = f.value ORDER BY p.start_time_ticks, ps.start_time_ticks LIMIT 1) AS recordingMbid
FROM json_each(?) f`;

/** The recording the first passage of each of these files plays, by file guid (null: none known). */
export function listFirstRecordings(db: ReadDb, fileGuids: readonly string[]): Map<string, string | null> {
  if (fileGuids.length === 0) return new Map();
  const rows = db.prepare(SELECT_FIRST_RECORDINGS).all(JSON.stringify(fileGuids)) as { guid: string; recordingMbid: string | null }[];
  return new Map(rows.map((row) => [row.guid, row.recordingMbid]));
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

/** Two statements, so that a file that was not marked missing costs no write to the missing_since index. */
const MOVE_FILE_BY_PLACE = `
UPDATE files SET path = @path, device_id = @device, inode = @inode, updated_at = CURRENT_TIMESTAMP WHERE guid = @guid`;
const MOVE_MISSING_FILE_BY_PLACE = `
UPDATE files SET path = @path, device_id = @device, inode = @inode, missing_since = NULL, updated_at = CURRENT_TIMESTAMP WHERE guid = @guid`;

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

/** A renamed file: its row follows it to its new path, with everything hanging off its guid. */
export interface FileMove {
  guid: string;
  path: string;
  device: number;
  inode: number;
  /** Marked missing by an earlier import (a move seen in two imports): the mark goes. */
  wasMissing: boolean;
}

/** Renamed files found by the plan, before anything is analysed: one transaction for a chunk of them. */
export function moveFiles(moves: readonly FileMove[]): WriteUnit<void> {
  return writeUnit('import', `moving ${moves.length} renamed files`, (db) => {
    const move = db.prepare(MOVE_FILE_BY_PLACE);
    const moveMissing = db.prepare(MOVE_MISSING_FILE_BY_PLACE);
    for (const { wasMissing, ...file } of moves) (wasMissing ? moveMissing : move).run(file);
  });
}

export interface LongMissingFile {
  guid: string;
  path: string;
  missingSince: string;
  passages: number;
  /** The file that took over its passages (another encoding), if any. */
  supersededBy: string | null;
}

const SELECT_MISSING_BEFORE = `
SELECT guid, path, missing_since AS missingSince, superseded_by AS supersededBy,
  (SELECT count(*) FROM passages p WHERE p.file_id = files.guid) AS passages
FROM files WHERE missing_since IS NOT NULL AND missing_since < ? ORDER BY path`;

/** The files marked missing since before `before` (ISO time): what `wkmp-ai prune` offers to remove. */
export function listMissingBefore(db: ReadDb, before: string): LongMissingFile[] {
  return db.prepare(SELECT_MISSING_BEFORE).all(before) as LongMissingFile[];
}

/** Checked again inside the transaction: a file that came back since it was listed is kept. */
const DELETE_MISSING_BEFORE = `
DELETE FROM files WHERE guid IN (SELECT value FROM json_each(?)) AND missing_since IS NOT NULL AND missing_since < ?`;

/** Removes these long-missing files with their passages (and what hangs off those): only what the user asked to prune. */
export function deleteMissingFiles(guids: readonly string[], before: string): WriteUnit<number> {
  return writeUnit('prune', `removing ${guids.length} files missing since before ${before}`, (db) => db.prepare(DELETE_MISSING_BEFORE).run(JSON.stringify(guids), before).changes);
}
