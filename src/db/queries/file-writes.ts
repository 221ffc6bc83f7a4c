/**
 * The statements the recorder runs inside its transactions, prepared once per connection.
 * Get-or-create is one `INSERT … ON CONFLICT … RETURNING guid`, so nothing is read inside the
 * transaction to learn an id.
 */
import type { Statement } from 'better-sqlite3';
import { ANALYSIS_VERSION, type FileRecord, type FileStatus, type PassageRecord, type SameFile } from '../../file-record.js';
import type { WriteDb } from '../connection.js';
import { keepingUserCharacteristics, ownCharacteristicsParam } from './flavor-vector.js';

/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32: multi-row statements are chunked by it. */
export const MAX_HOST_PARAMETERS = 32766;

const UPSERT_FILE = `
INSERT INTO files (guid, path, hash, modification_time, file_size_bytes, duration_ticks, format, codec, sample_rate,
                   channels, status, matching_hashes, artist, title, album, track_number, year, analysis,
                   analysis_version, cue_signature, missing_since, audio_hash, device_id, inode)
VALUES (@guid, @path, @hash, @modificationTime, @sizeBytes, @durationTicks, @format, @codec, @sampleRate,
        @channels, @status, @matchingHashes, @artist, @title, @album, @trackNumber, @year, @analysis,
        @analysisVersion, @cueSignature, NULL, @audioHash, @device, @inode)
ON CONFLICT (path) DO UPDATE SET
  hash = excluded.hash, modification_time = excluded.modification_time, file_size_bytes = excluded.file_size_bytes,
  duration_ticks = excluded.duration_ticks, format = excluded.format, codec = excluded.codec, sample_rate = excluded.sample_rate,
  channels = excluded.channels, status = excluded.status, matching_hashes = excluded.matching_hashes,
  artist = excluded.artist, title = excluded.title, album = excluded.album, track_number = excluded.track_number,
  year = excluded.year, analysis = excluded.analysis, analysis_version = excluded.analysis_version,
  cue_signature = excluded.cue_signature, missing_since = NULL, audio_hash = excluded.audio_hash, device_id = excluded.device_id,
  inode = excluded.inode, superseded_by = NULL, updated_at = CURRENT_TIMESTAMP
RETURNING guid`;

/** A known file found at a path with the same bytes: its row follows it (or, at its own path, takes its new time). */
const MOVE_FILE = `
UPDATE files SET path = @path, modification_time = @modificationTime, file_size_bytes = @sizeBytes, device_id = @device,
  inode = @inode, missing_since = NULL, superseded_by = NULL, updated_at = CURRENT_TIMESTAMP
WHERE guid = @guid`;
/** A known file found with the same audio under new tags: its row takes them, and keeps its guid and passages. */
const RETAG_FILE = `
UPDATE files SET path = @path, hash = @hash, audio_hash = @audioHash, modification_time = @modificationTime, file_size_bytes = @sizeBytes,
  device_id = @device, inode = @inode, artist = @artist, title = @title, album = @album, track_number = @trackNumber, year = @year,
  missing_since = NULL, superseded_by = NULL, updated_at = CURRENT_TIMESTAMP
WHERE guid = @guid`;
/**
 * Its passages take the names the tags give them (analysis/build-record.ts: the title only for the
 * file's one passage); a cue sheet's passages keep the sheet's.
 */
const RETAG_PASSAGES = `
UPDATE passages SET artist = @artist, album = @album,
  title = CASE WHEN (SELECT count(*) FROM passages WHERE file_id = @guid) = 1 THEN @title ELSE title END, updated_at = CURRENT_TIMESTAMP
WHERE file_id = @guid AND json_extract(import_metadata, '$.boundaries.source') IS NOT 'cue sheet'`;

const SET_MATCHING_HASHES = 'UPDATE files SET matching_hashes = ?, updated_at = CURRENT_TIMESTAMP WHERE guid = ?';
/** The file's passages but those kept (a JSON array of guids): re-analysis keeps what still matches. */
const DELETE_PASSAGES_OF_FILE_EXCEPT = `
DELETE FROM passages WHERE file_id = ? AND guid NOT IN (SELECT value FROM json_each(?))`;
/** A passage's new analysis, where it keeps its guid: edges, leads and names; a fade point the new edges leave outside it is cleared. */
const NEW_ANALYSIS = `start_time_ticks = @startTicks, end_time_ticks = @endTicks,
  lead_in_start_ticks = @leadInStartTicks, lead_out_start_ticks = @leadOutStartTicks,
  fade_in_start_ticks = CASE WHEN fade_in_start_ticks BETWEEN @startTicks AND @endTicks THEN fade_in_start_ticks END,
  fade_out_start_ticks = CASE WHEN fade_out_start_ticks BETWEEN @startTicks AND @endTicks THEN fade_out_start_ticks END,
  title = @title, artist = @artist, album = @album, import_metadata = @importMetadata, additional_metadata = @additionalMetadata,
  status = 'INGEST COMPLETE', updated_at = CURRENT_TIMESTAMP`;
/**
 * A kept passage takes its new analysis in place, so that whatever other services hold against
 * its guid (queue, history, a user's title or fades) survives; a fade point the new edges leave
 * outside the passage is cleared.
 */
const UPDATE_KEPT_PASSAGE = `
UPDATE passages SET ${NEW_ANALYSIS}, musical_flavor_vector = ${keepingUserCharacteristics('@flavorVector')}, flavor_source_blend = @flavorSources,
  flavor_confidence_map = @flavorConfidence, flavor_completeness = @flavorCompleteness
WHERE guid = @guid AND file_id = @fileGuid`;
/**
 * A missing file's passage taken over by another encoding of the same recording (db/kept-passages.ts):
 * it moves to the new file with the new analysis, and keeps its flavor (the same music) and, unless
 * the new file names them, its links and identification.
 */
const TAKE_OVER_PASSAGE = `
UPDATE passages SET file_id = @fileGuid, ${NEW_ANALYSIS},
  musical_flavor_vector = coalesce(musical_flavor_vector, @flavorVector), flavor_source_blend = coalesce(flavor_source_blend, @flavorSources),
  flavor_confidence_map = coalesce(flavor_confidence_map, @flavorConfidence), flavor_completeness = coalesce(flavor_completeness, @flavorCompleteness)
WHERE guid = @guid AND file_id = @oldFileGuid`;
/** The missing file whose passages another encoding took over: retired, kept (prune removes it when asked). */
const RETIRE_FILE = 'UPDATE files SET superseded_by = ?, updated_at = CURRENT_TIMESTAMP WHERE guid = ?';
const DELETE_SONG_LINKS_OF_PASSAGE = 'DELETE FROM passage_songs WHERE passage_id = ?';
const DELETE_ALBUM_LINKS_OF_PASSAGE = 'DELETE FROM passage_albums WHERE passage_id = ?';

const PASSAGE_COLUMNS = [
  'guid', 'file_id', 'start_time_ticks', 'end_time_ticks', 'lead_in_start_ticks', 'lead_out_start_ticks',
  'title', 'artist', 'album', 'import_metadata', 'additional_metadata', 'musical_flavor_vector', 'flavor_source_blend',
  'flavor_confidence_map', 'flavor_completeness', 'status',
] as const;
export const PASSAGE_COLUMN_COUNT = PASSAGE_COLUMNS.length;

function insertPassagesSql(rows: number): string {
  const row = `(${PASSAGE_COLUMNS.map(() => '?').join(', ')})`;
  return `INSERT INTO passages (${PASSAGE_COLUMNS.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`;
}

const UPSERT_SONG = `
INSERT INTO songs (guid, recording_mbid, title) VALUES (?, ?, ?)
ON CONFLICT (recording_mbid) DO UPDATE SET title = coalesce(songs.title, excluded.title)
RETURNING guid`;
const UPSERT_ARTIST = `
INSERT INTO artists (guid, artist_mbid, name) VALUES (?, ?, ?)
ON CONFLICT (artist_mbid) DO UPDATE SET name = artists.name
RETURNING guid`;
const UPSERT_ALBUM = `
INSERT INTO albums (guid, album_mbid, title, release_date) VALUES (?, ?, ?, ?)
ON CONFLICT (album_mbid) DO UPDATE SET release_date = coalesce(albums.release_date, excluded.release_date)
RETURNING guid`;
const UPSERT_WORK = `
INSERT INTO works (guid, work_mbid, title) VALUES (?, ?, ?)
ON CONFLICT (work_mbid) DO UPDATE SET title = works.title
RETURNING guid`;
const DELETE_SONG_ARTISTS = 'DELETE FROM song_artists WHERE song_id = ?';
const INSERT_SONG_ARTIST = 'INSERT INTO song_artists (song_id, artist_id, weight) VALUES (?, ?, ?)';
const INSERT_SONG_WORK = 'INSERT INTO song_works (song_id, work_id) VALUES (?, ?) ON CONFLICT DO NOTHING';
const SET_SONG_WORK = 'UPDATE songs SET work_id = ? WHERE guid = ? AND work_id IS NULL';
const INSERT_PASSAGE_SONG = `
INSERT INTO passage_songs (passage_id, song_id, start_time_ticks, end_time_ticks) VALUES (?, ?, ?, ?)`;
const INSERT_PASSAGE_ALBUM = 'INSERT INTO passage_albums (passage_id, album_id) VALUES (?, ?)';
/** A passage recorded (again) without a recording waits for identification; its cached replies make a repeat cost no request. */
const QUEUE_IDENTIFICATION = `
INSERT INTO wkmp_ai_identification_jobs (passage_id) VALUES (?)
ON CONFLICT (passage_id) DO UPDATE SET state = 'waiting', attempts = 0, next_attempt_at = NULL, last_error = NULL,
  updated_at = CURRENT_TIMESTAMP`;
/** A passage whose file names its recording needs no identification. */
const DROP_IDENTIFICATION = 'DELETE FROM wkmp_ai_identification_jobs WHERE passage_id = ?';
const UPSERT_OTHER_FILE = `
INSERT INTO wkmp_ai_other_files (path, file_size_bytes, modification_time, class) VALUES (?, ?, ?, ?)
ON CONFLICT (path) DO UPDATE SET file_size_bytes = excluded.file_size_bytes, modification_time = excluded.modification_time, class = excluded.class`;
const INSERT_IMPORT_ERROR = `
INSERT INTO import_errors (session_id, path, phase, code, message) VALUES (?, ?, ?, ?, ?)`;

/** The named parameters of `upsertFile` for a record, with the status and duplicates the recorder decided. */
export function fileRowParams(record: FileRecord, status: FileStatus, matchingHashes: string | null) {
  return {
    guid: record.guid,
    path: record.path,
    hash: record.hash,
    modificationTime: record.modificationTime,
    sizeBytes: record.sizeBytes,
    durationTicks: record.durationTicks,
    format: record.format,
    codec: record.codec,
    sampleRate: record.sampleRate,
    channels: record.channels,
    status,
    matchingHashes,
    artist: record.tags.artist,
    title: record.tags.title,
    album: record.tags.album,
    trackNumber: record.tags.trackNumber,
    year: record.tags.year,
    analysis: record.analysis,
    analysisVersion: ANALYSIS_VERSION,
    cueSignature: record.cueSignature,
    audioHash: record.audioHash,
    device: record.place?.device ?? null,
    inode: record.place?.inode ?? null,
  };
}

/** The named parameters of `moveFile` or `retagFile` for a file found by its content. */
export function sameFileParams(file: SameFile) {
  return {
    guid: file.guid, path: file.path, hash: file.hash, audioHash: file.audioHash, modificationTime: file.modificationTime,
    sizeBytes: file.sizeBytes, device: file.place.device, inode: file.place.inode,
    title: file.tags?.title ?? null, artist: file.tags?.artist ?? null, album: file.tags?.album ?? null,
    trackNumber: file.tags?.trackNumber ?? null, year: file.tags?.year ?? null,
  };
}

/** The named parameters of `takeOverPassage`: `p` carries the old passage's guid. */
export function takeoverParams(fileGuid: string, oldFileGuid: string, p: PassageRecord) {
  return { ...keptPassageParams(fileGuid, p), oldFileGuid };
}

/** The named parameters of `updateKeptPassage`. */
export function keptPassageParams(fileGuid: string, p: PassageRecord) {
  return {
    guid: p.guid, fileGuid, startTicks: p.startTicks, endTicks: p.endTicks,
    leadInStartTicks: p.leadInStartTicks, leadOutStartTicks: p.leadOutStartTicks,
    title: p.title, artist: p.artist, album: p.album, ...passageJson(p), ownCharacteristics: ownCharacteristicsParam,
  };
}

export interface PassageJson {
  importMetadata: string;
  additionalMetadata: string | null;
  flavorVector: string | null;
  flavorSources: string | null;
  flavorConfidence: string | null;
  flavorCompleteness: number | null;
}

/** The JSON columns of a passage, as stored, and its flavor's four (WKMP's SPEC003 columns). */
export function passageJson(p: PassageRecord): PassageJson {
  return {
    importMetadata: JSON.stringify(p.importMetadata),
    additionalMetadata: p.additionalMetadata === null ? null : JSON.stringify(p.additionalMetadata),
    flavorVector: p.flavor === null ? null : JSON.stringify(p.flavor.vector),
    flavorSources: p.flavor === null ? null : JSON.stringify(p.flavor.sources),
    flavorConfidence: p.flavor === null ? null : JSON.stringify(p.flavor.confidence),
    flavorCompleteness: p.flavor?.completeness ?? null,
  };
}

export function prepareFileWrites(db: WriteDb) {
  const passageInserts = new Map<number, Statement>();
  return {
    upsertFile: db.prepare(UPSERT_FILE),
    moveFile: db.prepare(MOVE_FILE),
    retagFile: db.prepare(RETAG_FILE),
    retagPassages: db.prepare(RETAG_PASSAGES),
    setMatchingHashes: db.prepare(SET_MATCHING_HASHES),
    deletePassagesOfFileExcept: db.prepare(DELETE_PASSAGES_OF_FILE_EXCEPT),
    updateKeptPassage: db.prepare(UPDATE_KEPT_PASSAGE),
    takeOverPassage: db.prepare(TAKE_OVER_PASSAGE),
    retireFile: db.prepare(RETIRE_FILE),
    deleteSongLinksOfPassage: db.prepare(DELETE_SONG_LINKS_OF_PASSAGE),
    deleteAlbumLinksOfPassage: db.prepare(DELETE_ALBUM_LINKS_OF_PASSAGE),
    /** A multi-row insert of `rows` passages, prepared on first use for that row count. */
    insertPassages(rows: number): Statement {
      let statement = passageInserts.get(rows);
      if (!statement) {
        statement = db.prepare(insertPassagesSql(rows));
        passageInserts.set(rows, statement);
      }
      return statement;
    },
    upsertSong: db.prepare(UPSERT_SONG),
    upsertArtist: db.prepare(UPSERT_ARTIST),
    upsertAlbum: db.prepare(UPSERT_ALBUM),
    upsertWork: db.prepare(UPSERT_WORK),
    deleteSongArtists: db.prepare(DELETE_SONG_ARTISTS),
    insertSongArtist: db.prepare(INSERT_SONG_ARTIST),
    insertSongWork: db.prepare(INSERT_SONG_WORK),
    setSongWork: db.prepare(SET_SONG_WORK),
    insertPassageSong: db.prepare(INSERT_PASSAGE_SONG),
    insertPassageAlbum: db.prepare(INSERT_PASSAGE_ALBUM),
    insertImportError: db.prepare(INSERT_IMPORT_ERROR),
    queueIdentification: db.prepare(QUEUE_IDENTIFICATION),
    dropIdentification: db.prepare(DROP_IDENTIFICATION),
    upsertOtherFile: db.prepare(UPSERT_OTHER_FILE),
  };
}

export type FileWrites = ReturnType<typeof prepareFileWrites>;
