import {
  ANALYSIS_VERSION, secondsToTicks, TICKS_PER_SECOND, type AlbumRef, type ArtistCredit, type FilePlace, type FileRecord, type FileWarning, type PassageRecord, type RecordingRef,
} from '../file-record.js';
import { shareCredit } from '../credits.js';
import { composePassageFlavor } from '../flavor/compose.js';
import { newGuid } from '../guid.js';
import type { AudioAnalysis } from './analyse-audio.js';
import type { PassageFingerprint } from '../stored/additional-metadata.js';
import type { CueTrack, FileCueSheet } from '../stored/file-cue-sheet.js';
import type { PassageBoundaries } from '../stored/import-metadata.js';
import type { AudioStreamFacts } from './decode/stream-facts.js';
import { fileWarning, noPassageDetail } from './file-failure.js';
import { headerOf, type TagReport } from './tags.js';

export interface FileFacts {
  path: string;
  /** The guid the file keeps if the database knows it; a new one otherwise. */
  knownGuid: string | null;
  hash: string;
  /** SHA-256 of the audio without its tag blocks (audio-payload.ts); null when not computed. */
  audioHash: string | null;
  sizeBytes: number;
  modificationTime: string;
  place: FilePlace;
  cueSignature: string | null;
  /** What went wrong reading the file that did not stop it (a broken embedded cue sheet). */
  warnings: FileWarning[];
}

/**
 * Artist credits from the embedded ids, named from the ARTISTS tag in the same order when the
 * counts agree; the credit is shared equally, so the weights sum to 1.
 */
export function creditArtists(report: TagReport): ArtistCredit[] {
  const ids = [...new Set(report.ids.artistMbids)];
  const names = report.artistNames.length === ids.length ? report.artistNames : [];
  return shareCredit(ids.map((mbid, i) => ({
    mbid,
    name: names[i] ?? (ids.length === 1 ? report.tags.artist : null) ?? report.artistNames[i] ?? 'Unknown artist',
  })));
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

/** What a passage is called and which recording and release it belongs to. */
type PassageNames = Pick<PassageRecord, 'title' | 'artist' | 'album' | 'recording' | 'release'>;

/**
 * A file of one passage is the song its tags name: the passage takes its title, artist and album,
 * and its embedded recording id. Passages of a file cut into several songs are unidentified,
 * numbered in order, until fingerprints identify them: the file's title names none of them (it is
 * often a record side's); the embedded recording starts where the track starts, so it goes to the
 * first.
 */
function namesFromTags(report: TagReport, index: number, count: number): PassageNames {
  return {
    title: count === 1 ? report.tags.title : null,
    artist: report.tags.artist,
    album: report.tags.album,
    recording: index === 0 ? recordingOf(report) : null,
    release: releaseOf(report),
  };
}

/** A cue sheet names each track: its title and performer, and its MusicBrainz ids where the sheet has them. */
function namesFromCue(report: TagReport, sheet: FileCueSheet, track: CueTrack): PassageNames {
  const artist = track.performer ?? sheet.album.performer ?? report.tags.artist;
  const album = sheet.album.title ?? report.tags.album;
  const artistIds = [...new Set(track.artistMbids)];
  const releaseMbid = sheet.album.releaseMbid ?? report.ids.releaseMbid;
  return {
    title: track.title,
    artist,
    album,
    recording: track.recordingMbid === null ? null : {
      songGuid: newGuid(),
      recordingMbid: track.recordingMbid,
      title: track.title,
      artists: shareCredit(artistIds.map((mbid) => ({ mbid, name: artistIds.length === 1 ? artist ?? 'Unknown artist' : 'Unknown artist' }))),
      works: [],
    },
    release: releaseMbid === null ? null : { guid: newGuid(), mbid: releaseMbid, title: album ?? 'Unknown album', releaseDate: sheet.album.date ?? report.releaseDate },
  };
}

function cueMetadata(sheet: FileCueSheet, track: CueTrack): PassageBoundaries {
  const { title, performer, date, genre } = sheet.album;
  return { source: 'cue sheet', sheet: sheet.source, track: track.number, album: { title, performer, date, genre } };
}

/**
 * One file's record from its tags alone, without decoding: a passage per cue-sheet track, the
 * last to the end of the file, or one passage over the whole file, when the container gives a
 * trustworthy duration. Without one there is nothing to bound a passage by, so the file is
 * recorded PENDING with no passage until its audio is decoded, with a NO_PASSAGE warning saying why.
 */
export function buildTagsRecord(facts: FileFacts, report: TagReport, sheet: FileCueSheet | null = null): FileRecord {
  const durationTicks = report.audio.durationSeconds === null ? null : secondsToTicks(report.audio.durationSeconds);
  const spans = durationTicks === null || durationTicks <= 0 ? [] : sheet === null
    ? [{ startTicks: 0, endTicks: durationTicks, track: null }]
    : sheet.tracks.map((track) => ({ startTicks: track.startTicks, endTicks: Math.min(track.endTicks ?? durationTicks, durationTicks), track }))
      .filter((span) => span.endTicks > span.startTicks);
  const passages = spans.map(({ startTicks, endTicks, track }, index): PassageRecord => ({
    guid: newGuid(),
    startTicks,
    endTicks,
    leadInStartTicks: null,
    leadOutStartTicks: null,
    ...(track === null || sheet === null ? namesFromTags(report, index, spans.length) : namesFromCue(report, sheet, track)),
    importMetadata: {
      analysis: 'tags', analysisVersion: ANALYSIS_VERSION, passage: { number: index + 1, of: spans.length },
      boundaries: track === null || sheet === null ? { source: 'container duration' } : cueMetadata(sheet, track),
    },
    additionalMetadata: null,
    flavor: null,
  }));
  const status = passages.length > 0 ? 'INGEST COMPLETE' : 'PENDING';
  const warnings = passages.length > 0 ? facts.warnings : [...facts.warnings, noPassageWarning(facts.path, durationTicks)];
  return fileRecordOf({ ...facts, warnings }, report, report.audio, { analysis: 'tags', durationTicks, status, passages, decodedSeconds: 0 });
}

/** Why a tags record has no passage: the summary counts these, by reason. */
function noPassageWarning(path: string, durationTicks: number | null): FileWarning {
  const why = durationTicks === null || durationTicks <= 0
    ? 'its headers give no duration'
    : `none of its cue sheet's tracks starts within its ${(durationTicks / TICKS_PER_SECOND).toFixed(1)} s`;
  return fileWarning(path, 'tags', 'NO_PASSAGE', `${noPassageDetail}${why}`);
}

/** What the full analysis used, recorded with every passage it found. */
export interface AnalysisParameters {
  decoder: string;
  sampleRate: number;
  windowMs: number;
  segmentation: Record<string, number>;
  amplitude: Record<string, number | boolean>;
}

/**
 * One file's record from its tags and its decoded audio: a passage per song, each with lead-in,
 * lead-out and (10 s or longer) its fingerprint, named from the cue sheet's tracks when the
 * passages are those, else from the tags (`namesFromTags`). Less sound than the minimum is NO AUDIO.
 */
export function buildAnalysedRecord(
  facts: FileFacts, report: TagReport, audio: AudioAnalysis, stream: AudioStreamFacts, parameters: AnalysisParameters, sheet: FileCueSheet | null = null,
): FileRecord {
  const count = audio.passages.length;
  const passages = audio.passages.map((p, index): PassageRecord => {
    const track = p.track === null || sheet === null ? null : sheet.tracks[p.track] ?? null;
    return {
      guid: newGuid(),
      startTicks: p.startTicks,
      endTicks: p.endTicks,
      leadInStartTicks: p.leadInStartTicks,
      leadOutStartTicks: p.leadOutStartTicks,
      ...(track === null || sheet === null ? namesFromTags(report, index, count) : namesFromCue(report, sheet, track)),
      importMetadata: {
        analysis: 'full',
        analysisVersion: ANALYSIS_VERSION,
        passage: { number: index + 1, of: count },
        boundaries: { ...audio.boundaries, rejectedGaps: p.rejectedGaps, ...(track === null || sheet === null ? {} : cueMetadata(sheet, track)) },
        ...parameters,
        leadIn: p.leadIn,
        leadOut: p.leadOut,
      },
      additionalMetadata: {
        ...(p.fingerprint === null ? {} : {
          chromaprint: { fingerprint: p.fingerprint.compressed, durationSeconds: Math.round(p.fingerprint.durationSeconds * 1000) / 1000 } satisfies PassageFingerprint,
        }),
        audio_features: p.features,
      },
      // The local characteristics alone: AcousticBrainz's join once the recording's documents are known (flavoring/recompose.ts).
      flavor: composePassageFlavor({ features: p.features, recordings: [] }),
    };
  });
  const status = passages.length > 0 ? 'INGEST COMPLETE' : 'NO AUDIO';
  const durationTicks = secondsToTicks(audio.decodedSeconds);
  return fileRecordOf(facts, report, headerOf(stream), { analysis: 'full', durationTicks, status, passages, decodedSeconds: audio.decodedSeconds });
}

/** The parts of a record that depend on how far the file was analysed. */
type AnalysisOutcome = Pick<FileRecord, 'analysis' | 'durationTicks' | 'status' | 'passages' | 'decodedSeconds'>;

/** The audio facts stored: the decoded stream's in a full pass, the headers' in a tags pass. */
type AudioFacts = Pick<FileRecord, 'format' | 'codec' | 'sampleRate' | 'channels'>;

function fileRecordOf(facts: FileFacts, report: TagReport, audio: AudioFacts, outcome: AnalysisOutcome): FileRecord {
  return {
    kind: 'record',
    path: facts.path,
    guid: facts.knownGuid ?? newGuid(),
    change: facts.knownGuid === null ? 'new' : 'changed',
    hash: facts.hash,
    audioHash: facts.audioHash,
    place: facts.place,
    modificationTime: facts.modificationTime,
    sizeBytes: facts.sizeBytes,
    cueSignature: facts.cueSignature,
    warnings: facts.warnings,
    format: audio.format,
    codec: audio.codec,
    sampleRate: audio.sampleRate,
    channels: audio.channels,
    tags: report.tags,
    ...outcome,
    durationTicks: outcome.durationTicks !== null && outcome.durationTicks > 0 ? outcome.durationTicks : null,
  };
}
