/**
 * One typed stream of what an import is doing, with WKMP's event names: the CLI draws it as a
 * progress bar, the service sends it over SSE, tests read it.
 */
import type { WriteMetricsSummary } from '../db/metrics.js';
import type { ImportErrorRow, SessionState } from '../db/queries/sessions.js';
import type { CommittedPassage, FileClass } from '../file-record.js';

export type ImportPhase = 'scanning' | 'planning' | 'analysing' | 'recording' | 'finishing';

export interface ImportCounts {
  /** Files met by the walk (after hidden and system folders), by what their content is. */
  classes: Record<FileClass, number>;
  new: number;
  changed: number;
  /** Unchanged files only tagged before, analysed in full now. */
  upgraded: number;
  unchanged: number;
  /** Known files found at another path: renamed (by where they live on disk) or moved (by their bytes); their rows followed them. */
  moved: number;
  /** Known files whose tags changed and audio did not: their rows took the tags, nothing was decoded. */
  retagged: number;
  /** New files that are another encoding of a missing file (an MP3 replaced by a FLAC): they took over its passages. */
  reencoded: number;
  /** New files matching the passages of two or more missing files: nothing taken over, both kept (the warnings name them). */
  ambiguous: number;
  /** Known files gone from disk with their folder there: marked missing, kept. */
  missing: number;
  /** Known files not found because what held them is not there (a drive not mounted, a share absent): neither marked nor deleted. */
  offline: number;
  /** Analysed and recorded. */
  recorded: number;
  duplicates: number;
  failed: number;
  passages: number;
  songs: number;
  skippedSymlinks: number;
  /** Seconds of audio decoded and analysed. */
  audioSeconds: number;
  /** Files with less sound than the minimum: recorded NO AUDIO, without passages. */
  noAudio: number;
  /** How many files were recorded with one passage, two to five, more than five: a song per file is the rule. */
  passagesPerFile: { one: number; twoToFive: number; moreThanFive: number };
  /** The shortest passage recorded, in seconds; null before the first. */
  shortestPassageSeconds: number | null;
  /** Passages recorded with a flavor, by its sources' names (flavor/compose.ts): what the import knew of how each sounds. */
  flavoredPassages: Record<string, number>;
}

export interface ImportProgress {
  sessionId: string;
  state: SessionState;
  phase: ImportPhase;
  /** New and changed files this import analyses. */
  filesTotal: number;
  filesDone: number;
  filesPerSecond: number;
  /** Audio seconds analysed per second of analysis: how many times faster than real time. */
  xRealtime: number;
  etaSeconds: number | null;
  counts: ImportCounts;
  write: WriteMetricsSummary;
  /** What each worker is doing: the files being analysed now, with when each started (epoch ms). */
  inFlight: { path: string; sinceMs: number }[];
  /** Passages committed so far in this session: the `seq` of the latest one. */
  passagesRecorded: number;
  /** The last few passages committed, oldest first (the rest: GET /import/passages). */
  recentPassages: RecordedPassage[];
}

/** One passage as committed, for the page's scrolling list. */
export interface RecordedPassage extends CommittedPassage {
  /** 1, 2, 3… in commit order within the session. */
  seq: number;
  /** The file, relative to the root. */
  path: string;
}

export interface ImportSummary {
  sessionId: string;
  state: SessionState;
  rootFolder: string;
  folder: string;
  database: string;
  durationMs: number;
  filesPerSecond: number;
  counts: ImportCounts;
  write: WriteMetricsSummary;
  /**
   * The session's per-file errors, oldest first: the first `summaryErrorsLimit` in what
   * `runImport` returns (the command line prints them), the first `eventErrorsLimit` in an event
   * (`summaryForEvent`).
   */
  errors: ImportErrorRow[];
  /** How many per-file errors the session has: GET /import/errors?session= pages through them all. */
  errorsTotal: number;
}

/**
 * Per-file errors `runImport`'s summary holds, at most: a library of a million files that are not
 * what their names say would otherwise bring a million rows into memory at the end of its import.
 * The rest are in the database (GET /import/errors pages through them).
 */
export const summaryErrorsLimit = 1000;

/**
 * Per-file errors an ImportSessionCompleted / ImportSessionCancelled event carries. An event goes
 * over the wire to every client of the service, so it holds fewer than `runImport`'s summary;
 * the rest are paged from GET /import/errors.
 */
export const eventErrorsLimit = 100;

/** The summary as an event carries it: the first `eventErrorsLimit` per-file errors, with their total. */
export function summaryForEvent(summary: ImportSummary): ImportSummary {
  return summary.errors.length <= eventErrorsLimit ? summary : { ...summary, errors: summary.errors.slice(0, eventErrorsLimit) };
}

import type { QueueStatus } from '../identify/queue.js';
import type { FlavorStatus } from '../flavoring/queue.js';

export type ImportEvent =
  | { type: 'ImportSessionStarted'; sessionId: string; rootFolder: string; folder: string }
  | { type: 'ImportProgressUpdate'; progress: ImportProgress }
  | { type: 'ImportSessionCompleted'; summary: ImportSummary }
  | { type: 'ImportSessionCancelled'; summary: ImportSummary }
  | { type: 'ImportSessionFailed'; sessionId: string; message: string }
  | { type: 'AnalysisLog'; level: 'info' | 'warn'; message: string }
  /** The identification queue (identify/queue.ts), as it runs after imports. */
  | { type: 'IdentificationProgress'; identification: QueueStatus }
  /** The AcousticBrainz queue (flavoring/queue.ts), as it runs after imports and identification. */
  | { type: 'FlavorProgress'; flavor: FlavorStatus };

export function emptyCounts(): ImportCounts {
  return {
    classes: { audio: 0, image: 0, video: 0, other: 0 },
    new: 0, changed: 0, upgraded: 0, unchanged: 0, moved: 0, retagged: 0, reencoded: 0, ambiguous: 0, missing: 0, offline: 0, recorded: 0, duplicates: 0, failed: 0, passages: 0, songs: 0,
    skippedSymlinks: 0, audioSeconds: 0, noAudio: 0, passagesPerFile: { one: 0, twoToFive: 0, moreThanFive: 0 }, shortestPassageSeconds: null,
    flavoredPassages: {},
  };
}
