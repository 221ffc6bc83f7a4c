import { v7 as uuidv7 } from 'uuid';
import {
  secondsToTicks, type AlbumRef, type ArtistCredit, type FileRecord, type PassageRecord, type RecordingRef,
} from '../file-record.js';
import type { AnalysedPassage, AudioAnalysis } from './analyse-audio.js';
import type { TagReport } from './tags.js';

/**
 * Ids for new rows: UUIDs of version 7, whose leading timestamp makes rows created one after
 * another sort together, so each primary-key index grows at its right edge instead of dirtying a
 * random page per insert (measured in docs/adr/0001-batched-single-writer.md).
 */
function newGuid(): string {
  return uuidv7();
}

export interface FileFacts {
  path: string;
  /** The guid the file keeps if the database knows it; a new one otherwise. */
  knownGuid: string | null;
  hash: string;
  sizeBytes: number;
  modificationTime: string;
}

/**
 * Artist credits from the embedded ids, named from the ARTISTS tag in the same order when the
 * counts agree; the credit is shared equally, so the weights sum to 1.
 */
export function creditArtists(report: TagReport): ArtistCredit[] {
  const ids = [...new Set(report.ids.artistMbids)];
  const names = report.artistNames.length === ids.length ? report.artistNames : [];
  return ids.map((mbid, i) => ({
    guid: newGuid(),
    mbid,
    name: names[i] ?? (ids.length === 1 ? report.tags.artist : null) ?? report.artistNames[i] ?? 'Unknown artist',
    weight: 1 / ids.length,
  }));
}

function recordingOf(report: TagReport): RecordingRef | null {
  const mbid = report.ids.recordingMbid;
  if (!mbid) return null;
  const workMbid = report.ids.workMbid;
  return {
    songGuid: newGuid(),
    recordingMbid: mbid,
    title: report.tags.title,
    artists: creditArtists(report),
    works: workMbid ? [{ guid: newGuid(), mbid: workMbid, title: report.workTitle ?? report.tags.title ?? 'Unknown work' }] : [],
  };
}

function releaseOf(report: TagReport): AlbumRef | null {
  const mbid = report.ids.releaseMbid;
  if (!mbid) return null;
  return { guid: newGuid(), mbid, title: report.tags.album ?? 'Unknown album', releaseDate: report.releaseDate };
}

/**
 * One file's record from its tags alone: a single passage over the whole file when the container
 * gives a trustworthy duration. Without one there is nothing to bound a passage by, so the file is
 * recorded PENDING with no passage until its audio is decoded.
 */
export function buildTagsRecord(facts: FileFacts, report: TagReport): FileRecord {
  const durationTicks = report.audio.durationSeconds === null ? null : secondsToTicks(report.audio.durationSeconds);
  const passages: PassageRecord[] = durationTicks === null || durationTicks <= 0 ? [] : [{
    guid: newGuid(),
    startTicks: 0,
    endTicks: durationTicks,
    leadInStartTicks: null,
    leadOutStartTicks: null,
    title: report.tags.title,
    artist: report.tags.artist,
    album: report.tags.album,
    importMetadata: { analysis: 'tags', boundaries: 'whole file', source: 'container duration' },
    additionalMetadata: null,
    recording: recordingOf(report),
    release: releaseOf(report),
  }];
  const status = passages.length > 0 ? 'INGEST COMPLETE' : 'PENDING';
  return fileRecordOf(facts, report, { analysis: 'tags', durationTicks, status, passages, decodedSeconds: 0 });
}

/** What the full analysis used, recorded with every passage it found. */
export interface AnalysisParameters {
  decoder: string;
  sampleRate: number;
  windowMs: number;
  silence: Record<string, number>;
  amplitude: Record<string, number | boolean>;
}

/**
 * One file's record from its tags and its decoded audio: a passage per sounding region, each with
 * lead-in, lead-out and (10 s or longer) its fingerprint. The embedded recording id names one
 * recording, so it goes to the longest passage, which also keeps the tag title; the other passages
 * stay unidentified until fingerprints identify them. Less sound than the minimum is NO AUDIO.
 */
export function buildAnalysedRecord(facts: FileFacts, report: TagReport, audio: AudioAnalysis, parameters: AnalysisParameters): FileRecord {
  const longest = audio.passages.reduce<AnalysedPassage | null>(
    (best, p) => (best === null || p.endTicks - p.startTicks > best.endTicks - best.startTicks ? p : best), null,
  );
  const passages = audio.passages.map((p): PassageRecord => ({
    guid: newGuid(),
    startTicks: p.startTicks,
    endTicks: p.endTicks,
    leadInStartTicks: p.leadInStartTicks,
    leadOutStartTicks: p.leadOutStartTicks,
    title: p === longest ? report.tags.title : null,
    artist: report.tags.artist,
    album: report.tags.album,
    importMetadata: { analysis: 'full', boundaries: 'silence', ...parameters, leadIn: p.leadIn, leadOut: p.leadOut },
    additionalMetadata: p.fingerprint === null ? null : {
      chromaprint: { fingerprint: p.fingerprint.compressed, durationSeconds: Math.round(p.fingerprint.durationSeconds * 1000) / 1000 },
    },
    recording: p === longest ? recordingOf(report) : null,
    release: releaseOf(report),
  }));
  const status = passages.length > 0 ? 'INGEST COMPLETE' : 'NO AUDIO';
  const durationTicks = secondsToTicks(audio.decodedSeconds);
  return fileRecordOf(facts, report, { analysis: 'full', durationTicks, status, passages, decodedSeconds: audio.decodedSeconds });
}

/** The parts of a record that depend on how far the file was analysed. */
type AnalysisOutcome = Pick<FileRecord, 'analysis' | 'durationTicks' | 'status' | 'passages' | 'decodedSeconds'>;

function fileRecordOf(facts: FileFacts, report: TagReport, outcome: AnalysisOutcome): FileRecord {
  return {
    kind: 'record',
    path: facts.path,
    guid: facts.knownGuid ?? newGuid(),
    change: facts.knownGuid === null ? 'new' : 'changed',
    hash: facts.hash,
    modificationTime: facts.modificationTime,
    sizeBytes: facts.sizeBytes,
    format: report.audio.format,
    sampleRate: report.audio.sampleRate,
    channels: report.audio.channels,
    tags: report.tags,
    ...outcome,
    durationTicks: outcome.durationTicks !== null && outcome.durationTicks > 0 ? outcome.durationTicks : null,
  };
}
