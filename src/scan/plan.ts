import { formatModificationTime, type AnalysisLevel } from '../file-record.js';
import type { ScanEntry } from './walk.js';

/** What the database knew about a file before this import. */
export interface KnownFile {
  guid: string;
  path: string;
  sizeBytes: number | null;
  modificationTime: string;
  missingSince: string | null;
  analysis: AnalysisLevel;
}

/** `upgrade`: unchanged on disk, but only tagged so far, and this import analyses in full. */
export type PlanAction = 'new' | 'changed' | 'upgrade' | 'unchanged' | 'missing';

export interface PlannedFile {
  action: Extract<PlanAction, 'new' | 'changed' | 'upgrade'>;
  entry: ScanEntry;
  /** The guid a changed file keeps. */
  knownGuid: string | null;
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
}

export function isChanged(entry: ScanEntry, known: KnownFile): boolean {
  return known.sizeBytes !== entry.sizeBytes || known.modificationTime !== formatModificationTime(entry.mtimeMs);
}

/**
 * Compares the walk with what the database knows about the same folder, read once before the
 * walk: every known path met on disk is popped, and what is left over is missing.
 */
export function planChanges(onDisk: readonly ScanEntry[], known: readonly KnownFile[], level: AnalysisLevel = 'full'): ChangePlan {
  const knownByPath = new Map(known.map((file) => [file.path, file]));
  const plan: ChangePlan = { toAnalyse: [], toSniff: [], unchanged: 0, restored: [], missing: [] };
  for (const entry of onDisk) {
    const file = knownByPath.get(entry.path);
    if (file) {
      knownByPath.delete(entry.path);
      if (isChanged(entry, file)) plan.toAnalyse.push({ action: 'changed', entry, knownGuid: file.guid });
      else if (level === 'full' && file.analysis === 'tags') plan.toAnalyse.push({ action: 'upgrade', entry, knownGuid: file.guid });
      else {
        plan.unchanged += 1;
        if (file.missingSince !== null) plan.restored.push(file);
      }
    } else if (entry.extensionClass === 'audio') {
      plan.toAnalyse.push({ action: 'new', entry, knownGuid: null });
    } else {
      plan.toSniff.push(entry);
    }
  }
  plan.missing = [...knownByPath.values()];
  return plan;
}
