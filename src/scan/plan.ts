import { ANALYSIS_VERSION, formatModificationTime, type AnalysisLevel } from '../file-record.js';
import { cueSignatures, folderOf } from './cue-sheets.js';
import type { ScanEntry } from './walk.js';

/** What the database knew about a file before this import. */
export interface KnownFile {
  guid: string;
  path: string;
  sizeBytes: number | null;
  modificationTime: string;
  missingSince: string | null;
  analysis: AnalysisLevel;
  /** The analysis rules it was analysed by (ANALYSIS_VERSION then). */
  analysisVersion: number;
  /** The cue sheets beside it when it was analysed. */
  cueSignature: string | null;
}

/** `upgrade`: unchanged on disk, but only tagged so far or analysed under older rules, and this import analyses in full. */
export type PlanAction = 'new' | 'changed' | 'upgrade' | 'unchanged' | 'missing';

export interface PlannedFile {
  action: Extract<PlanAction, 'new' | 'changed' | 'upgrade'>;
  entry: ScanEntry;
  /** The guid a changed file keeps. */
  knownGuid: string | null;
  /** The cue sheets beside it now, recorded with it. */
  cueSignature: string | null;
}

export interface ChangePlan {
  /** New and changed audio files, and tagged-only ones a full import upgrades: to analyse. */
  toAnalyse: PlannedFile[];
  /** Files whose name says they are not audio and that the database does not know: their content decides. */
  toSniff: ScanEntry[];
  unchanged: number;
  /** Unchanged files that had been marked missing and are back. */
  restored: KnownFile[];
  /** Known files no longer on disk: kept, marked, reported. */
  missing: KnownFile[];
  /** The cue-sheet signature of each folder that has sheets (scan/cue-sheets.ts). */
  cueSheets: ReadonlyMap<string, string>;
}

/** Changed on disk, or the cue sheets beside it changed. */
export function isChanged(entry: ScanEntry, known: KnownFile, cueSignature: string | null): boolean {
  return known.sizeBytes !== entry.sizeBytes || known.modificationTime !== formatModificationTime(entry.mtimeMs)
    || known.cueSignature !== cueSignature;
}

function isOutdated(known: KnownFile, level: AnalysisLevel): boolean {
  return level === 'full' && (known.analysis === 'tags' || known.analysisVersion < ANALYSIS_VERSION);
}

/**
 * Compares the walk with what the database knows about the same folder, read once before the
 * walk: every known path met on disk is popped, and what is left over is missing.
 */
export function planChanges(onDisk: readonly ScanEntry[], known: readonly KnownFile[], level: AnalysisLevel = 'full'): ChangePlan {
  const knownByPath = new Map(known.map((file) => [file.path, file]));
  const sheets = cueSignatures(onDisk);
  const plan: ChangePlan = { toAnalyse: [], toSniff: [], unchanged: 0, restored: [], missing: [], cueSheets: sheets };
  for (const entry of onDisk) {
    const file = knownByPath.get(entry.path);
    const cueSignature = sheets.get(folderOf(entry.path)) ?? null;
    if (file) {
      knownByPath.delete(entry.path);
      if (isChanged(entry, file, cueSignature)) plan.toAnalyse.push({ action: 'changed', entry, knownGuid: file.guid, cueSignature });
      else if (isOutdated(file, level)) plan.toAnalyse.push({ action: 'upgrade', entry, knownGuid: file.guid, cueSignature });
      else {
        plan.unchanged += 1;
        if (file.missingSince !== null) plan.restored.push(file);
      }
    } else if (entry.extensionClass === 'audio') {
      plan.toAnalyse.push({ action: 'new', entry, knownGuid: null, cueSignature });
    } else {
      plan.toSniff.push(entry);
    }
  }
  plan.missing = [...knownByPath.values()];
  return plan;
}
