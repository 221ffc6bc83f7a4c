/**
 * What analysis hands to the recorder: one plain message per file holding every row the file
 * needs, ids already assigned, so that it crosses `postMessage` unchanged and the recorder
 * commits it without asking anything back.
 */
import type { FileErrorCode, Phase } from './errors.js';
import type { PassageFlavor } from './flavor/compose.js';
import type { AdditionalMetadata } from './stored/additional-metadata.js';
import type { ImportMetadata } from './stored/import-metadata.js';

/** WKMP's time unit: divisible by every common sample rate. */
export const TICKS_PER_SECOND = 28_224_000;

export function secondsToTicks(seconds: number): number {
  return Math.round(seconds * TICKS_PER_SECOND);
}

/** How far a file is analysed; a 'full' import finishes what a 'tags' import started. */
export type AnalysisLevel = 'tags' | 'full';

/**
 * The rules a file was analysed by. Bump it when what analysis finds changes (song boundaries,
 * lead-in/out, fingerprints): a full import re-analyses every file recorded under older rules.
 * 1: a passage per silence of 300 ms under −35 dBFS RMS. 2: songs (docs/adr/0003-song-boundaries.md).
 * 3: the audio facts (container, codec, rate, channels) are the decoded stream's (docs/adr/0005).
 * 4: every passage's audio descriptors and wkmp-ai's own flavor from them (docs/flavor.md).
 */
export const ANALYSIS_VERSION = 4;

export type FileStatus = 'PENDING' | 'INGEST COMPLETE' | 'DUPLICATE HASH' | 'NO AUDIO';
/** What a file is by its content; a video with an audio track is a video, skipped like an image. */
export type FileClass = 'audio' | 'image' | 'video' | 'other';

export interface FileTags {
  title: string | null;
  artist: string | null;
  album: string | null;
  trackNumber: number | null;
  year: number | null;
}

export interface ArtistCredit {
  guid: string;
  mbid: string;
  name: string;
  /** Share of the credit; a song's weights sum to 1. */
  weight: number;
}

export interface RecordingRef {
  /** Used when the song is new; an existing song keeps its own guid. */
  songGuid: string;
  recordingMbid: string;
  title: string | null;
  artists: ArtistCredit[];
  works: { guid: string; mbid: string; title: string }[];
}

export interface AlbumRef {
  guid: string;
  mbid: string;
  title: string;
  releaseDate: string | null;
}

export interface PassageRecord {
  guid: string;
  startTicks: number;
  endTicks: number;
  leadInStartTicks: number | null;
  leadOutStartTicks: number | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  /** How the timing points were found, with the parameters used (`passages.import_metadata`). */
  importMetadata: ImportMetadata;
  /** Anything else worth keeping: the Chromaprint fingerprint AcoustID takes, the audio descriptors (`passages.additional_metadata`). */
  additionalMetadata: AdditionalMetadata | null;
  /** Its flavor as analysis knows it, from its own audio (flavor/compose.ts); null for a tags pass. */
  flavor: PassageFlavor | null;
  /** The recording this passage plays, when known; null is an unidentified passage. */
  recording: RecordingRef | null;
  /** The MusicBrainz release (WKMP album) this passage belongs to, when known. */
  release: AlbumRef | null;
}

/** A passage as committed, for the page's list of what an import recorded. */
export interface CommittedPassage {
  title: string | null;
  artist: string | null;
  /** Its place among its file's passages: `number` of `of`. */
  number: number;
  of: number;
  recordingMbid: string | null;
  startTicks: number;
  endTicks: number;
  leadInStartTicks: number | null;
  leadOutStartTicks: number | null;
  /** The sources its flavor was made from (flavor/compose.ts); empty when it has none. */
  flavorSources: string[];
}

export interface FileRecord {
  kind: 'record';
  /** Relative to the root folder, forward slashes. */
  path: string;
  /** Used when the file is new; a known path keeps its guid. */
  guid: string;
  /** New to the database, or replacing what a changed file had. */
  change: 'new' | 'changed';
  /** 'tags': read tags only (whole-file passage, no hash: `hash` is ''); 'full': decoded and analysed. */
  analysis: AnalysisLevel;
  hash: string;
  /** SHA-256 of its audio without the tag blocks (analysis/audio-payload.ts); null for a container that has no such hash, or a tags pass. */
  audioHash: string | null;
  modificationTime: string;
  sizeBytes: number;
  /** Where it lives on disk: st_dev, st_ino; null for a record not made from a file on disk (a benchmark's). */
  place: FilePlace | null;
  durationTicks: number | null;
  /** The container (ffmpeg's demuxer, shortened: decode/stream-facts.ts), e.g. `ogg`, `mp4`, `flac`. */
  format: string | null;
  /** The codec of the audio stream decoded (ffmpeg's name), e.g. `opus`, `aac`; wkmp-ai's own column. */
  codec: string | null;
  sampleRate: number | null;
  channels: number | null;
  status: FileStatus;
  tags: FileTags;
  passages: PassageRecord[];
  /** Seconds of audio decoded (0 for a tags-only record). */
  decodedSeconds: number;
  /** The cue sheets beside the file when it was analysed (scan/cue-sheets.ts); null when there were none. */
  cueSignature: string | null;
  /** What went wrong without stopping the file (a broken embedded cue sheet): `import_errors` rows under its path. */
  warnings: FileWarning[];
}

export interface FileWarning {
  phase: Phase;
  code: FileErrorCode;
  message: string;
}

export interface FileFailure {
  kind: 'failure';
  path: string;
  phase: Phase;
  code: FileErrorCode;
  message: string;
  /** What the content turned out to be, when that is why the file was not imported. */
  contentClass?: FileClass;
}

/**
 * A file whose content is not audio and whose name did not say it was (a cover, a text, a cue
 * sheet): remembered by path, size and modification time, so that a rescan skips it unopened.
 */
export interface OtherFile {
  kind: 'other';
  path: string;
  fileClass: Exclude<FileClass, 'audio'>;
  sizeBytes: number;
  modificationTime: string;
}

/** Where a file lives on disk: a rename within one filesystem keeps both numbers. */
export interface FilePlace {
  device: number;
  inode: number;
}

/** A known file a path may hold (scan/plan.ts): what is checked of it before anything is decoded. */
export interface SameFileCandidate {
  guid: string;
  /** SHA-256 of the whole file. */
  hash: string;
  audioHash: string | null;
  /** The recording its first passage plays, as stored: new tags naming another one make a retag an analysis (analysis/worker.ts). */
  recordingMbid: string | null;
}

/**
 * A known file found at a path by its content, not analysed again: `moved` has the same bytes
 * (its row follows it; at its own path, it was only touched), `retagged` the same audio under
 * new tags (its row takes the tags). Either keeps its guid, passages and everything linked to them.
 */
export interface SameFile {
  kind: 'same file';
  how: 'moved' | 'retagged';
  /** The known file's guid. */
  guid: string;
  path: string;
  hash: string;
  audioHash: string | null;
  modificationTime: string;
  sizeBytes: number;
  place: FilePlace;
  /** The tags read now: a retagged file's new ones; null for the same bytes. */
  tags: FileTags | null;
}

export type AnalysisResult = FileRecord | FileFailure | OtherFile | SameFile;

/** How file modification times are stored and compared: ISO 8601 UTC, whole milliseconds. */
export function formatModificationTime(mtimeMs: number): string {
  return new Date(Math.floor(mtimeMs)).toISOString();
}
