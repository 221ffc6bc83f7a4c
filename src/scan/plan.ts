import type { KnownAudioFile, KnownFile, KnownFileIdentity } from '../db/queries/files.js';
import { ANALYSIS_VERSION, type AnalysisLevel, type FileClass, type SameFileCandidate } from '../file-record.js';
import { folderCueSignature } from './cue-sheets.js';
import { comparePaths } from './folders.js';
import type { ScanEntry, WalkedRun } from './walk.js';

/** `upgrade`: unchanged on disk, but only tagged so far or analysed under older rules, and this import analyses in full. */
export type PlanAction = 'new' | 'changed' | 'upgrade' | 'unchanged' | 'moved' | 'missing';

export interface PlannedFile {
  action: Extract<PlanAction, 'new' | 'changed' | 'upgrade'>;
  entry: ScanEntry;
  /** The guid a known audio file keeps. */
  knownGuid: string | null;
  /** Whether the file must be audio: a known audio file, or a name that says so; its content decides the others quietly. */
  expectsAudio: boolean;
  /** The cue sheets beside it now, recorded with it. */
  cueSignature: string | null;
  /**
   * Known files it may be, checked by content before anything is decoded (analysis/worker.ts):
   * the same bytes (moved, or touched), or the same audio under rewritten tags (retagged). Their
   * recordings are the database's to say: `import/plan-files.ts` fills them in.
   */
  sameAs: SameFileCandidate[];
}

/** A known file met at another path on the same filesystem, the same size and time: renamed. Its row follows it, unopened. */
export interface MovedFile {
  guid: string;
  from: string;
  entry: ScanEntry;
  /** Marked missing before: its mark is cleared. */
  wasMissing: boolean;
}

/** A new path is compared by content with at most this many known files of the same size. */
const maxSameSizeCandidates = 4;

function isModified(entry: ScanEntry, known: KnownFile): boolean {
  // Times are stored to the millisecond: sub-millisecond noise in mtimeMs is not a change.
  return known.sizeBytes !== entry.sizeBytes || known.modificationMs !== Math.floor(entry.mtimeMs);
}

/** Changed on disk, or the cue sheets beside it changed. */
function isChanged(entry: ScanEntry, known: KnownAudioFile, cueSignature: string | null): boolean {
  return isModified(entry, known) || known.cueSignature !== cueSignature;
}

function isOutdated(known: KnownAudioFile, level: AnalysisLevel): boolean {
  return level === 'full' && (known.analysis === 'tags' || known.analysisVersion < ANALYSIS_VERSION);
}

function candidateOf(file: KnownFileIdentity): SameFileCandidate {
  return { guid: file.guid, hash: file.hash, audioHash: file.audioHash, recordingMbid: null };
}

/**
 * The known audio files no longer at their paths, which a new path may be: looked up by where
 * they lived on disk and by size, each taken once (db/plan-spill.ts keeps them on disk).
 */
export interface AbsentFiles {
  /** The absent file, not yet taken, that lived at this place on disk. */
  absentAt(device: number, inode: number): KnownFileIdentity | undefined;
  /** Absent files of this size with a content hash to compare, not yet taken, at most `limit`. */
  absentOfSize(sizeBytes: number, limit: number): KnownFileIdentity[];
  /** Moved here, or offered to one new path to check by content: never offered to another. */
  take(guid: string, moved: boolean): void;
}

/** A file the survey met that must be looked at, or a path the database does not know, which is paired once the walk is done. */
export interface SurveyedFile {
  file: PlannedFile;
  /** A path the database does not know: new, or a known file that moved (pairUnknown). */
  unknown: boolean;
  /** Changed on disk: compared by content with what it was (its identity read when it is analysed). */
  changedOnDisk: boolean;
}

/** What the survey counts: files unchanged are counted, never held. */
export interface Survey {
  /** Files the walk met. */
  walked: number;
  skippedSymlinks: number;
  /** Unchanged files by what they are, skipped without being opened. */
  unchanged: Record<FileClass, number>;
}

/** Where the survey hands what changed, as it meets it: nothing of it is kept here. */
export interface SurveySink {
  /** A run's files to analyse, and the paths the database does not know. */
  toAnalyse(run: WalkedRun, files: SurveyedFile[]): Promise<void>;
  /** A known audio file of the folders no longer at its path: moved, missing or offline, decided once all is walked. */
  absent(file: KnownAudioFile): void;
  /** An unchanged audio file that had been marked missing and is back. */
  restored(guid: string): void;
  /** A remembered non-audio file no longer on disk: forgotten. */
  gone(path: string): void;
}

export function emptySurvey(): Survey {
  return { walked: 0, skippedSymlinks: 0, unchanged: { audio: 0, image: 0, video: 0, other: 0 } };
}

/**
 * Compares the walk with what the database knows about the same folder, both in path order (the
 * walk sorts each folder's listing as the database sorts paths: scan/folders.ts comparePaths), as
 * a merge: a known path the walk passes without meeting is absent; one it meets is compared; a
 * path the database does not know is passed on to be paired with the absent files once all is
 * walked. Unchanged files are counted, never held: what is held at once is one folder's run and
 * one page of known rows, whatever the library's size. A file is opened only when it is new,
 * changed, or audio analysed by older rules.
 */
export async function surveyFolder(runs: AsyncIterable<WalkedRun>, known: Iterator<KnownFile>, level: AnalysisLevel, survey: Survey, sink: SurveySink): Promise<void> {
  let row = known.next();
  const passAbsent = (path: string | null): void => {
    while (!row.done && (path === null || comparePaths(row.value.path, path) < 0)) {
      const file = row.value;
      if (file.fileClass === 'audio') sink.absent(file);
      else sink.gone(file.path);
      row = known.next();
    }
  };
  for await (const run of runs) {
    const files: SurveyedFile[] = [];
    const cueSignature = folderCueSignature(run.folderFiles);
    const planned = (entry: ScanEntry, action: PlannedFile['action'], knownGuid: string | null, expectsAudio: boolean, more: Partial<SurveyedFile> = {}): void => {
      files.push({ file: { action, entry, knownGuid, expectsAudio, cueSignature, sameAs: [] }, unknown: false, changedOnDisk: false, ...more });
    };
    survey.walked += run.entries.length;
    survey.skippedSymlinks += run.skippedSymlinks.length;
    for (const entry of run.entries) {
      passAbsent(entry.path);
      const file = !row.done && row.value.path === entry.path ? row.value : undefined;
      if (file !== undefined) row = known.next();
      if (!file) planned(entry, 'new', null, entry.extensionClass === 'audio', { unknown: true });
      else if (file.fileClass !== 'audio') {
        if (isModified(entry, file)) planned(entry, 'new', null, entry.extensionClass === 'audio');
        else survey.unchanged[file.fileClass] += 1;
      } else if (isModified(entry, file)) planned(entry, 'changed', file.guid, true, { changedOnDisk: true });
      else if (isChanged(entry, file, cueSignature)) planned(entry, 'changed', file.guid, true);
      else if (isOutdated(file, level)) planned(entry, 'upgrade', file.guid, true);
      else {
        survey.unchanged.audio += 1;
        if (file.missingSince !== null) sink.restored(file.guid);
      }
    }
    if (files.length > 0) await sink.toAnalyse(run, files);
  }
  // What is left after the last file walked is absent too (a folder gone whole included).
  passAbsent(null);
}

/** What a path the database does not know turned out to be, once it is compared with the absent files. */
export type Pairing =
  | { kind: 'moved'; move: MovedFile; analyse: PlannedFile | null }
  | { kind: 'new'; analyse: PlannedFile };

/**
 * A path the database does not know may be a known file that moved: one that left its path in
 * the folders walked, or was marked missing before anywhere (a move seen in two imports). The same
 * filesystem place, size and time is a rename, recorded unopened; otherwise the files of the same
 * place or size are candidates the worker checks by content.
 */
export function pairUnknown(file: PlannedFile, absent: AbsentFiles, level: AnalysisLevel): Pairing {
  const { entry } = file;
  const there = absent.absentAt(entry.device, entry.inode);
  if (there !== undefined && !isModified(entry, there)) {
    absent.take(there.guid, true);
    const move = { guid: there.guid, from: there.path, entry, wasMissing: there.missingSince !== null };
    // The row is moved before analysis: a sheet beside it now, or older rules, analyse it at its new path.
    if (there.cueSignature !== file.cueSignature) return { kind: 'moved', move, analyse: { ...file, action: 'changed', knownGuid: there.guid, expectsAudio: true } };
    if (isOutdated(there, level)) return { kind: 'moved', move, analyse: { ...file, action: 'upgrade', knownGuid: there.guid, expectsAudio: true } };
    return { kind: 'moved', move, analyse: null };
  }
  const candidates = [
    ...(there === undefined || there.hash === '' ? [] : [there]),
    ...absent.absentOfSize(entry.sizeBytes, maxSameSizeCandidates).filter((other) => other.guid !== there?.guid),
  ];
  for (const candidate of candidates) absent.take(candidate.guid, false);
  return { kind: 'new', analyse: { ...file, sameAs: candidates.map(candidateOf) } };
}

/** A changed file is compared by content with what it was, when it was hashed. */
export function sameAsBefore(was: KnownFileIdentity | undefined): SameFileCandidate[] {
  return was !== undefined && was.hash !== '' ? [candidateOf(was)] : [];
}
