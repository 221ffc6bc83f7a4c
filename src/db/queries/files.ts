import type { KnownFile } from '../../scan/plan.js';
import type { ReadDb, WriteDb } from '../connection.js';

const SELECT_KNOWN_ALL = `
SELECT guid, path, file_size_bytes AS sizeBytes, modification_time AS modificationTime, missing_since AS missingSince,
       analysis, analysis_version AS analysisVersion, cue_signature AS cueSignature
FROM files`;
const SELECT_KNOWN_UNDER = `${SELECT_KNOWN_ALL} WHERE path >= ? AND path < ?`;

/**
 * What the database knows about the files under `folder` (relative, '' for the whole root):
 * the one read the plan needs, done before anything is written.
 */
export function listKnownFiles(db: ReadDb, folder: string): KnownFile[] {
  if (folder === '') return db.prepare(SELECT_KNOWN_ALL).all() as KnownFile[];
  // Every path under "a/b/" sorts between "a/b/" and "a/b0" ('0' follows '/').
  return db.prepare(SELECT_KNOWN_UNDER).all(`${folder}/`, `${folder}0`) as KnownFile[];
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

/** Marks files no longer on disk. They are kept, with their passages, until a person decides. */
export function markFilesMissing(db: WriteDb, guids: readonly string[]): void {
  db.prepare(MARK_MISSING).run(JSON.stringify(guids));
}

/** Files that were marked missing and are back, unchanged. */
export function clearFilesMissing(db: WriteDb, guids: readonly string[]): void {
  db.prepare(CLEAR_MISSING).run(JSON.stringify(guids));
}
