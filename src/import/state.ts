/**
 * The one state of an import: `reduce(state, step)` over the steps the import reports, pure
 * (every step carries its time). The command line's bar, the service's status and SSE, and the
 * tests read this state, and nothing keeps another copy. `progressOf` and `summaryOf` are what
 * WKMP's events carry (events.ts), derived from it.
 */
import { WriteMetrics, type WriteMetricsSummary } from '../db/metrics.js';
import type { ImportErrorRow, SessionState } from '../db/queries/sessions.js';
import type { CommittedPassage, FileClass } from '../file-record.js';
import type { PlanAction } from '../scan/plan.js';
import { emptyCounts, type ImportCounts, type ImportPhase, type ImportProgress, type ImportSummary, type RecordedPassage } from './events.js';

/** What an import reports as it goes, in order. `at`: epoch milliseconds. */
export type ImportStep =
  | { type: 'started'; at: number; sessionId: string; rootFolder: string; folder: string; database: string }
  | {
    type: 'planned'; at: number;
    /** Files to look at, by what the plan knows of them. */
    toAnalyse: Record<Extract<PlanAction, 'new' | 'changed' | 'upgrade'>, number>;
    /** Unchanged files, by class, skipped unopened. */
    unchanged: Record<FileClass, number>;
    /** Renamed files found unopened. */
    moved: number;
    /** Those of them not analysed again at their new path: audio files the walk met, counted here. */
    movedUnopened: number;
    missing: number;
    offline: number;
    skippedSymlinks: number;
  }
  | { type: 'phase'; at: number; phase: ImportPhase; state: SessionState }
  | { type: 'file-started'; at: number; path: string }
  | { type: 'file-stopped'; at: number; path: string }
  | {
    type: 'file-analysed'; at: number; path: string; action: Extract<PlanAction, 'new' | 'changed' | 'upgrade'>;
    /** What its content turned out to be: the one place files are counted by class. */
    fileClass: FileClass;
    audioSeconds: number;
    noAudio: boolean;
    /** A known file it turned out to be by its content (SameFile), and whether the plan had just counted that file missing. */
    found?: { how: 'moved' | 'retagged'; wasMissing: boolean };
  }
  | {
    type: 'batch-committed'; at: number;
    files: { path: string; status: string; passages: readonly CommittedPassage[]; songs: number; identity?: 'reencoded' | 'ambiguous' }[];
    failed: ImportErrorRow[];
    write: WriteMetricsSummary;
  }
  | { type: 'log'; at: number; level: 'info' | 'warn'; message: string }
  | { type: 'ended'; at: number; state: Extract<SessionState, 'COMPLETED' | 'CANCELLED' | 'FAILED'>; message?: string };

export interface ImportState {
  sessionId: string;
  rootFolder: string;
  folder: string;
  database: string;
  state: SessionState;
  phase: ImportPhase;
  startedAt: number;
  /** When analysis began; rates count from here. */
  analysingSince: number | null;
  endedAt: number | null;
  /** Files to look at, and how many have been. */
  filesTotal: number;
  filesDone: number;
  counts: ImportCounts;
  /** The files being analysed now, with when each started. */
  inFlight: readonly { path: string; sinceMs: number }[];
  /** The latest committed passages, oldest first, at most `keepPassages`; `seq` counts all. */
  passages: readonly RecordedPassage[];
  passagesRecorded: number;
  write: WriteMetricsSummary;
  /** Why it failed. */
  failure: string | null;
}

/** Committed passages kept for GET /import/passages; older ones are in the database. */
export const keepPassages = 10_000;
const recentPassagesInProgress = 10;

export function initialState(step: Extract<ImportStep, { type: 'started' }>): ImportState {
  return {
    sessionId: step.sessionId, rootFolder: step.rootFolder, folder: step.folder, database: step.database,
    state: 'SCANNING', phase: 'scanning', startedAt: step.at, analysingSince: null, endedAt: null,
    filesTotal: 0, filesDone: 0, counts: emptyCounts(), inFlight: [], passages: [], passagesRecorded: 0,
    write: new WriteMetrics().summary(), failure: null,
  };
}

export function reduce(state: ImportState, step: ImportStep): ImportState {
  switch (step.type) {
    case 'started':
      return initialState(step);
    case 'planned': {
      const counts = { ...state.counts };
      counts.unchanged = step.unchanged.audio;
      counts.missing = step.missing;
      counts.offline = step.offline;
      counts.moved = step.moved;
      counts.skippedSymlinks = step.skippedSymlinks;
      counts.classes = { ...step.unchanged, audio: step.unchanged.audio + step.movedUnopened };
      return { ...state, counts, filesTotal: step.toAnalyse.new + step.toAnalyse.changed + step.toAnalyse.upgrade };
    }
    case 'phase':
      return { ...state, phase: step.phase, state: step.state, analysingSince: step.phase === 'analysing' ? step.at : state.analysingSince };
    case 'file-started':
      return { ...state, inFlight: [...state.inFlight, { path: step.path, sinceMs: step.at }] };
    case 'file-stopped':
      return { ...state, inFlight: state.inFlight.filter((file) => file.path !== step.path) };
    case 'file-analysed':
      return { ...state, filesDone: state.filesDone + 1, inFlight: state.inFlight.filter((file) => file.path !== step.path), counts: analysed(state.counts, step) };
    case 'batch-committed':
      return committed(state, step);
    case 'log':
      return state;
    case 'ended':
      return { ...state, state: step.state, phase: 'finishing', endedAt: step.at, inFlight: [], failure: step.message ?? state.failure };
  }
}

function analysed(before: ImportCounts, step: Extract<ImportStep, { type: 'file-analysed' }>): ImportCounts {
  const counts = { ...before, classes: { ...before.classes } };
  counts.classes[step.fileClass] += 1;
  if (step.found !== undefined) {
    counts[step.found.how] += 1;
    if (step.found.wasMissing) counts.missing -= 1;
  } else if (step.fileClass === 'audio') counts[step.action === 'upgrade' ? 'upgraded' : step.action] += 1;
  counts.audioSeconds += step.audioSeconds;
  if (step.noAudio) counts.noAudio += 1;
  return counts;
}

function committed(state: ImportState, step: Extract<ImportStep, { type: 'batch-committed' }>): ImportState {
  const counts = { ...state.counts, passagesPerFile: { ...state.counts.passagesPerFile }, flavoredPassages: { ...state.counts.flavoredPassages } };
  const added: RecordedPassage[] = [];
  let seq = state.passagesRecorded;
  for (const file of step.files) {
    counts.recorded += 1;
    counts.passages += file.passages.length;
    counts.songs += file.songs;
    if (file.status === 'DUPLICATE HASH') counts.duplicates += 1;
    if (file.identity !== undefined) counts[file.identity] += 1;
    if (file.passages.length === 0) continue;
    const perFile = file.passages.length === 1 ? 'one' : file.passages.length <= 5 ? 'twoToFive' : 'moreThanFive';
    counts.passagesPerFile[perFile] += 1;
    for (const passage of file.passages) {
      const seconds = (passage.endTicks - passage.startTicks) / 28_224_000;
      if (counts.shortestPassageSeconds === null || seconds < counts.shortestPassageSeconds) counts.shortestPassageSeconds = seconds;
      for (const source of passage.flavorSources) counts.flavoredPassages[source] = (counts.flavoredPassages[source] ?? 0) + 1;
      added.push({ ...passage, seq: ++seq, path: file.path });
    }
  }
  counts.failed += step.failed.length;
  return {
    ...state,
    counts,
    passagesRecorded: seq,
    passages: added.length === 0 ? state.passages : [...state.passages, ...added].slice(-keepPassages),
    write: step.write,
  };
}

/** What an ImportProgressUpdate carries, at `now` (epoch ms): the state with its rates. */
export function progressOf(state: ImportState, now: number): ImportProgress {
  const elapsedS = state.analysingSince === null ? 0 : (now - state.analysingSince) / 1000;
  const analysing = state.phase === 'analysing' && elapsedS > 0;
  const rate = analysing ? state.filesDone / elapsedS : 0;
  return {
    sessionId: state.sessionId,
    state: state.state,
    phase: state.phase,
    filesTotal: state.filesTotal,
    filesDone: state.filesDone,
    filesPerSecond: Math.round(rate * 10) / 10,
    xRealtime: analysing ? Math.round((state.counts.audioSeconds / elapsedS) * 10) / 10 : 0,
    etaSeconds: rate > 0 ? Math.round((state.filesTotal - state.filesDone) / rate) : null,
    counts: state.counts,
    write: state.write,
    inFlight: [...state.inFlight],
    passagesRecorded: state.passagesRecorded,
    recentPassages: state.passages.slice(-recentPassagesInProgress),
  };
}

/** A session's first per-file errors (events.ts bounds them), read from the database at its end, and how many it has. */
export interface SessionErrors {
  first: ImportErrorRow[];
  total: number;
}

/** The end-of-import report, with the session's first per-file errors and how many it has. */
export function summaryOf(state: ImportState, errors: SessionErrors): ImportSummary {
  const durationMs = (state.endedAt ?? state.startedAt) - state.startedAt;
  return {
    sessionId: state.sessionId,
    state: state.state,
    rootFolder: state.rootFolder,
    folder: state.folder,
    database: state.database,
    durationMs: Math.round(durationMs),
    filesPerSecond: durationMs > 0 ? Math.round(((state.filesDone + state.counts.unchanged) / durationMs) * 1000 * 10) / 10 : 0,
    counts: state.counts,
    write: state.write,
    errors: errors.first,
    errorsTotal: errors.total,
  };
}
