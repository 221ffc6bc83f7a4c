import type { KnownAudioFile, KnownFile, KnownOtherFile } from '../db/queries/files.js';
import { ANALYSIS_VERSION, formatModificationTime, type AnalysisLevel, type FileClass } from '../file-record.js';
import { cueSignatures, folderOf } from './cue-sheets.js';
import type { ScanEntry } from './walk.js';

/** `upgrade`: unchanged on disk, but only tagged so far or analysed under older rules, and this import analyses in full. */
export type PlanAction = 'new' | 'changed' | 'upgrade' | 'unchanged' | 'missing';

export interface PlannedFile {
  action: Extract<PlanAction, 'new' | 'changed' | 'upgrade'>;
  entry: ScanEntry;
  /** The guid a known audio file keeps. */
  knownGuid: string | null;
  /** Whether the file must be audio: a known audio file, or a name that says so; its content decides the others quietly. */
  expectsAudio: boolean;
  /** The cue sheets beside it now, recorded with it. */
  cueSignature: string | null;
}

export interface ChangePlan {
  /** Files whose content must be looked at: new and changed ones, and audio a full import upgrades. */
  toAnalyse: PlannedFile[];
  /** Unchanged files by what they are, skipped without being opened. */
  unchanged: Record<FileClass, number>;
  /** Unchanged audio files that had been marked missing and are back. */
  restored: KnownAudioFile[];
  /** Known audio files no longer on disk: kept, marked, reported. */
  missing: KnownAudioFile[];
  /** Remembered non-audio files no longer on disk: forgotten. */
  gone: KnownOtherFile[];
  /** The cue-sheet signature of each folder that has sheets (scan/cue-sheets.ts). */
  cueSheets: ReadonlyMap<string, string>;
}

function isModified(entry: ScanEntry, known: KnownFile): boolean {
  return known.sizeBytes !== entry.sizeBytes || known.modificationTime !== formatModificationTime(entry.mtimeMs);
}

/** Changed on disk, or the cue sheets beside it changed. */
export function isChanged(entry: ScanEntry, known: KnownAudioFile, cueSignature: string | null): boolean {
  return isModified(entry, known) || known.cueSignature !== cueSignature;
}

function isOutdated(known: KnownAudioFile, level: AnalysisLevel): boolean {
  return level === 'full' && (known.analysis === 'tags' || known.analysisVersion < ANALYSIS_VERSION);
}

/**
 * Compares the walk with what the database knows about the same folder, read once before the
 * walk: every known path met on disk is popped, and what is left over is missing (or gone). A
 * file is opened only when it is new, changed, or audio analysed by older rules.
 */
export function planChanges(onDisk: readonly ScanEntry[], known: readonly KnownFile[], level: AnalysisLevel = 'full'): ChangePlan {
  const knownByPath = new Map(known.map((file) => [file.path, file]));
  const sheets = cueSignatures(onDisk);
  const plan: ChangePlan = { toAnalyse: [], unchanged: { audio: 0, image: 0, video: 0, other: 0 }, restored: [], missing: [], gone: [], cueSheets: sheets };
  for (const entry of onDisk) {
    const file = knownByPath.get(entry.path);
    knownByPath.delete(entry.path);
    const cueSignature = sheets.get(folderOf(entry.path)) ?? null;
    const planned = (action: PlannedFile['action'], knownGuid: string | null, expectsAudio: boolean) =>
      plan.toAnalyse.push({ action, entry, knownGuid, expectsAudio, cueSignature });
    if (!file) planned('new', null, entry.extensionClass === 'audio');
    else if (file.fileClass !== 'audio') {
      if (isModified(entry, file)) planned('new', null, entry.extensionClass === 'audio');
      else plan.unchanged[file.fileClass] += 1;
    } else if (isChanged(entry, file, cueSignature)) planned('changed', file.guid, true);
    else if (isOutdated(file, level)) planned('upgrade', file.guid, true);
    else {
      plan.unchanged.audio += 1;
      if (file.missingSince !== null) plan.restored.push(file);
    }
  }
  for (const file of knownByPath.values()) {
    if (file.fileClass === 'audio') plan.missing.push(file);
    else plan.gone.push(file);
  }
  return plan;
}
