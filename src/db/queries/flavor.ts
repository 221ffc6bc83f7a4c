/**
 * Flavor (WKMP's SPEC003, src/flavor/) in wkmp.db: what a passage's flavor is made of, read before
 * the transaction that writes it; the passages whose flavor lacks what is now known of their
 * recordings; the flavors themselves, for the passage routes and the nearest passages.
 */
import type { PassageFlavor } from '../../flavor/compose.js';
import type { ReadDb } from '../connection.js';
import { perConnection, writeUnit, type WriteUnit } from '../write-unit.js';
import { keepingUserCharacteristics, ownCharacteristicsParam } from './flavor-vector.js';

/**
 * Passages that have a recording AcousticBrainz knows (its documents in the cache) and a flavor
 * made without it: recorded before its recording was identified or fetched, or re-analysed since.
 */
const SELECT_STALE = `
SELECT DISTINCT p.guid FROM passages p
JOIN passage_songs ps ON ps.passage_id = p.guid
JOIN songs s ON s.guid = ps.song_id
JOIN acousticbrainz_cache c ON c.recording_mbid = s.recording_mbid
WHERE p.guid > @after AND c.high_level_data <> '{}' AND (p.flavor_source_blend IS NULL OR p.flavor_source_blend NOT LIKE '%"AcousticBrainz"%')
ORDER BY p.guid LIMIT @limit`;

/**
 * The first `limit` of them after the guid `after`, in guid order: a caller goes through them once,
 * even those that stay stale when made again (documents that hold no classifier give no flavor).
 */
export function listPassagesWithStaleFlavor(db: ReadDb, after: string, limit: number): string[] {
  return (db.prepare(SELECT_STALE).all({ after, limit }) as { guid: string }[]).map((row) => row.guid);
}

const SELECT_OF_RECORDINGS = `
SELECT DISTINCT ps.passage_id AS guid FROM passage_songs ps JOIN songs s ON s.guid = ps.song_id
WHERE s.recording_mbid IN (SELECT value FROM json_each(?))`;

/** The passages that play any of these recordings (their flavor follows their recordings'). */
export function listPassagesOfRecordings(db: ReadDb, mbids: readonly string[]): string[] {
  if (mbids.length === 0) return [];
  return (db.prepare(SELECT_OF_RECORDINGS).all(JSON.stringify(mbids)) as { guid: string }[]).map((row) => row.guid);
}

export interface PassageFlavorSource {
  guid: string;
  additionalMetadata: string | null;
  /** Its recordings: their span within the passage and AcousticBrainz's documents (the cache's text), when fetched. */
  recordings: { recordingMbid: string; startTicks: number; endTicks: number; highLevelData: string | null }[];
}

const SELECT_PASSAGES = `
SELECT guid, additional_metadata AS additionalMetadata FROM passages WHERE guid IN (SELECT value FROM json_each(?))`;
const SELECT_RECORDINGS = `
SELECT ps.passage_id AS passageGuid, s.recording_mbid AS recordingMbid, ps.start_time_ticks AS startTicks, ps.end_time_ticks AS endTicks,
       c.high_level_data AS highLevelData
FROM passage_songs ps JOIN songs s ON s.guid = ps.song_id LEFT JOIN acousticbrainz_cache c ON c.recording_mbid = s.recording_mbid
WHERE ps.passage_id IN (SELECT value FROM json_each(?))`;

/** What the flavors of these passages are made of. */
export function listPassageFlavorSources(db: ReadDb, guids: readonly string[]): PassageFlavorSource[] {
  if (guids.length === 0) return [];
  const list = JSON.stringify(guids);
  const passages = new Map((db.prepare(SELECT_PASSAGES).all(list) as Omit<PassageFlavorSource, 'recordings'>[])
    .map((row) => [row.guid, { ...row, recordings: [] as PassageFlavorSource['recordings'] }]));
  for (const row of db.prepare(SELECT_RECORDINGS).all(list) as (PassageFlavorSource['recordings'][number] & { passageGuid: string })[]) {
    const { passageGuid, ...recording } = row;
    passages.get(passageGuid)?.recordings.push(recording);
  }
  return [...passages.values()];
}

export interface StoredPassageFlavor {
  guid: string;
  vector: string;
  sources: string | null;
  confidence: string | null;
  completeness: number | null;
}

const FLAVOR_COLUMNS = `p.guid, p.musical_flavor_vector AS vector, p.flavor_source_blend AS sources, p.flavor_confidence_map AS confidence,
  p.flavor_completeness AS completeness`;
const SELECT_FLAVOR = `SELECT ${FLAVOR_COLUMNS} FROM passages p WHERE p.guid = ? AND p.musical_flavor_vector IS NOT NULL`;
const SELECT_ALL_FLAVORS = `SELECT p.guid, p.musical_flavor_vector AS vector FROM passages p WHERE p.musical_flavor_vector IS NOT NULL`;

export function getPassageFlavor(db: ReadDb, guid: string): StoredPassageFlavor | undefined {
  return db.prepare(SELECT_FLAVOR).get(guid) as StoredPassageFlavor | undefined;
}

/** Every passage's flavor (the JSON text), for the nearest passages: one pass over the table, as the Program Director makes it. */
export function listAllPassageFlavors(db: ReadDb): { guid: string; vector: string }[] {
  return db.prepare(SELECT_ALL_FLAVORS).all() as { guid: string; vector: string }[];
}

const UPDATE_PASSAGE_FLAVOR = `
UPDATE passages SET musical_flavor_vector = ${keepingUserCharacteristics('@vector')}, flavor_source_blend = @sources, flavor_confidence_map = @confidence,
  flavor_completeness = @completeness, updated_at = CURRENT_TIMESTAMP
WHERE guid = @guid`;

const prepared = perConnection((db) => ({ updatePassageFlavor: db.prepare(UPDATE_PASSAGE_FLAVOR) }));

/** Passages' flavors made again (after their recordings' flavors became known); a passage deleted since is passed over. Their JSON is made before the transaction. */
export function storePassageFlavors(flavors: readonly { guid: string; flavor: PassageFlavor }[]): WriteUnit<number> {
  const rows = flavors.map(({ guid, flavor }) => ({
    guid, vector: JSON.stringify(flavor.vector), sources: JSON.stringify(flavor.sources), confidence: JSON.stringify(flavor.confidence),
    completeness: flavor.completeness, ownCharacteristics: ownCharacteristicsParam,
  }));
  return writeUnit('flavor', `storing the flavor of ${flavors.length} passages`, (db) => {
    const { updatePassageFlavor } = prepared(db);
    let stored = 0;
    for (const row of rows) stored += updatePassageFlavor.run(row).changes;
    return stored;
  });
}

/** A passage as a list of passages names it: its file, its place in it, its titles. */
export interface PassageLabel {
  guid: string;
  path: string;
  startTicks: number;
  endTicks: number;
  title: string | null;
  artist: string | null;
  /** The first recording's title, when identified. */
  songTitle: string | null;
  /** Its place among its file's passages, and how many the file has. */
  number: number;
  of: number;
}

const SELECT_LABELS = `
SELECT p.guid, f.path, p.start_time_ticks AS startTicks, p.end_time_ticks AS endTicks, p.title, p.artist,
  (SELECT s.title FROM passage_songs ps JOIN songs s ON s.guid = ps.song_id WHERE ps.passage_id = p.guid ORDER BY ps.start_time_ticks LIMIT 1) AS songTitle,
  (SELECT count(*) FROM passages q WHERE q.file_id = p.file_id AND q.start_time_ticks <= p.start_time_ticks) AS number,
  (SELECT count(*) FROM passages q WHERE q.file_id = p.file_id) AS of
FROM passages p JOIN files f ON f.guid = p.file_id WHERE p.guid IN (SELECT value FROM json_each(?))`;

export function listPassageLabels(db: ReadDb, guids: readonly string[]): Map<string, PassageLabel> {
  if (guids.length === 0) return new Map();
  return new Map((db.prepare(SELECT_LABELS).all(JSON.stringify(guids)) as PassageLabel[]).map((row) => [row.guid, row]));
}

const SELECT_PASSAGES_AT_PATH = `
SELECT p.guid FROM passages p JOIN files f ON f.guid = p.file_id WHERE f.path = ? ORDER BY p.start_time_ticks`;

/** The passages of the file at `path` (relative to the root), in time order. */
export function listPassageGuidsOfPath(db: ReadDb, path: string): string[] {
  return (db.prepare(SELECT_PASSAGES_AT_PATH).all(path) as { guid: string }[]).map((row) => row.guid);
}

const SELECT_ADDITIONAL = 'SELECT additional_metadata AS additionalMetadata FROM passages WHERE guid = ?';

export function getPassageAdditionalMetadata(db: ReadDb, guid: string): string | null | undefined {
  return (db.prepare(SELECT_ADDITIONAL).get(guid) as { additionalMetadata: string | null } | undefined)?.additionalMetadata;
}

const SELECT_ALL_ADDITIONAL = `SELECT additional_metadata AS additionalMetadata FROM passages WHERE additional_metadata LIKE '%"audio_features"%'`;

/** Every passage's additional_metadata that holds audio descriptors (scripts/flavor-calibration.ts). */
export function listAdditionalMetadataWithFeatures(db: ReadDb): string[] {
  return (db.prepare(SELECT_ALL_ADDITIONAL).all() as { additionalMetadata: string }[]).map((row) => row.additionalMetadata);
}
