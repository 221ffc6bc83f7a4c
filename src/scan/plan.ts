import type { KnownAudioFile, KnownFile, KnownFileIdentity, KnownOtherFile } from '../db/queries/files.js';
import { ANALYSIS_VERSION, type AnalysisLevel, type FileClass, type SameFileCandidate } from '../file-record.js';
import { cueSignatures, folderOf } from './cue-sheets.js';
import type { ScanEntry } from './walk.js';

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
   * recordings are the database's to say: `import/run.ts` fills them in.
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

export interface ChangePlan {
  /** Files whose content must be looked at: new and changed ones, and audio a full import upgrades. */
  toAnalyse: PlannedFile[];
  /** Renamed files, found by where they live on disk. */
  moved: MovedFile[];
  /** Unchanged files by what they are, skipped without being opened. */
  unchanged: Record<FileClass, number>;
  /** Unchanged audio files that had been marked missing and are back. */
  restored: KnownAudioFile[];
  /** Known audio files of the folder no longer on disk: kept, marked, reported (or offline: scan/offline.ts). */
  missing: KnownFileIdentity[];
  /** Remembered non-audio files no longer on disk: forgotten. */
  gone: KnownOtherFile[];
  /** The cue-sheet signature of each folder that has sheets (scan/cue-sheets.ts). */
  cueSheets: ReadonlyMap<string, string>;
}

/** A new path is compared by content with at most this many known files of the same size. */
const maxSameSizeCandidates = 4;

function isModified(entry: ScanEntry, known: KnownFile): boolean {
  // Times are stored to the millisecond: sub-millisecond noise in mtimeMs is not a change.
  return known.sizeBytes !== entry.sizeBytes || known.modificationMs !== Math.floor(entry.mtimeMs);
}

/** Changed on disk, or the cue sheets beside it changed. */
export function isChanged(entry: ScanEntry, known: KnownAudioFile, cueSignature: string | null): boolean {
  return isModified(entry, known) || known.cueSignature !== cueSignature;
}

function isOutdated(known: KnownAudioFile, level: AnalysisLevel): boolean {
  return level === 'full' && (known.analysis === 'tags' || known.analysisVersion < ANALYSIS_VERSION);
}

/** Reads the identities of known files by guid: called once per plan, for the files absent or changed only. */
export type IdentityReader = (guids: readonly string[]) => readonly KnownFileIdentity[];

function candidateOf(file: KnownFileIdentity): SameFileCandidate {
  return { guid: file.guid, hash: file.hash, audioHash: file.audioHash, recordingMbid: null };
}

const placeOf = (device: number | null, inode: number | null): string => `${device}:${inode}`;

/**
 * The known audio files no longer at their paths, which a new path may be: looked up by where
 * they lived on disk and by size, and taken once each.
 */
class AbsentFiles {
  private readonly byPlace = new Map<string, KnownFileIdentity>();
  private readonly bySize = new Map<number, KnownFileIdentity[]>();
  /** Moved here (unopened), or offered to one new path to check by content: never offered to another. */
  private readonly taken = new Set<string>();
  private readonly moved = new Set<string>();

  constructor(files: Iterable<KnownFileIdentity>) {
    for (const file of files) {
      if (file.deviceId !== null && file.inode !== null) this.byPlace.set(placeOf(file.deviceId, file.inode), file);
      if (file.sizeBytes !== null && file.hash !== '') this.bySize.set(file.sizeBytes, [...(this.bySize.get(file.sizeBytes) ?? []), file]);
    }
  }

  /** The absent file that lived where this entry lives now, if any is left. */
  atPlace(entry: ScanEntry): KnownFileIdentity | undefined {
    const file = this.byPlace.get(placeOf(entry.device, entry.inode));
    return file === undefined || this.taken.has(file.guid) ? undefined : file;
  }

  ofSize(sizeBytes: number): KnownFileIdentity[] {
    return (this.bySize.get(sizeBytes) ?? []).filter((file) => !this.taken.has(file.guid)).slice(0, maxSameSizeCandidates);
  }

  /** A candidate one new path's content is checked against. */
  offer(file: KnownFileIdentity): void {
    this.taken.add(file.guid);
  }

  move(file: KnownFileIdentity): void {
    this.taken.add(file.guid);
    this.moved.add(file.guid);
  }

  isMoved(file: KnownFileIdentity): boolean {
    return this.moved.has(file.guid);
  }
}

/**
 * Compares the walk with what the database knows about the same folder, read once before the
 * walk: every known path met on disk is popped, and what is left over is missing (or gone). A
 * file is opened only when it is new, changed, or audio analysed by older rules.
 *
 * A path the database does not know may be a known file that moved: one that left its path in
 * this folder, or was marked missing before anywhere (`missingElsewhere`, a move seen in two
 * imports). The same filesystem place, size and time is a rename, recorded unopened; otherwise the
 * files of the same place or size are candidates the worker checks by content.
 */
export function planChanges(
  onDisk: readonly ScanEntry[], known: readonly KnownFile[], level: AnalysisLevel = 'full', missingElsewhere: readonly KnownFileIdentity[] = [],
  readIdentities: IdentityReader = () => [],
): ChangePlan {
  const knownByPath = new Map(known.map((file) => [file.path, file]));
  const sheets = cueSignatures(onDisk);
  const plan: ChangePlan = { toAnalyse: [], moved: [], unchanged: { audio: 0, image: 0, video: 0, other: 0 }, restored: [], missing: [], gone: [], cueSheets: sheets };
  const unknownPaths: ScanEntry[] = [];
  /** Changed files, checked by content against what they were: their candidates come with the identities read below. */
  const changed: PlannedFile[] = [];
  const planned = (entry: ScanEntry, action: PlannedFile['action'], knownGuid: string | null, expectsAudio: boolean, sameAs: SameFileCandidate[] = []): PlannedFile => {
    const file: PlannedFile = { action, entry, knownGuid, expectsAudio, cueSignature: sheets.get(folderOf(entry.path)) ?? null, sameAs };
    plan.toAnalyse.push(file);
    return file;
  };
  for (const entry of onDisk) {
    const file = knownByPath.get(entry.path);
    knownByPath.delete(entry.path);
    const cueSignature = sheets.get(folderOf(entry.path)) ?? null;
    if (!file) unknownPaths.push(entry);
    else if (file.fileClass !== 'audio') {
      if (isModified(entry, file)) planned(entry, 'new', null, entry.extensionClass === 'audio');
      else plan.unchanged[file.fileClass] += 1;
    } else if (isModified(entry, file)) changed.push(planned(entry, 'changed', file.guid, true));
    else if (isChanged(entry, file, cueSignature)) planned(entry, 'changed', file.guid, true);
    else if (isOutdated(file, level)) planned(entry, 'upgrade', file.guid, true);
    else {
      plan.unchanged.audio += 1;
      if (file.missingSince !== null) plan.restored.push(file);
    }
  }
  const leftHere = [...knownByPath.values()];
  const leftAudio = leftHere.filter((file): file is KnownAudioFile => file.fileClass === 'audio');
  // One read, before anything is written, of what tells the absent and the changed files apart.
  const wanted = [...changed.map((file) => file.knownGuid!), ...leftAudio.map((file) => file.guid)];
  const identities = new Map(wanted.length === 0 ? [] : readIdentities(wanted).map((file) => [file.guid, file]));
  for (const file of changed) {
    const was = identities.get(file.knownGuid!);
    if (was !== undefined && was.hash !== '') file.sameAs = [candidateOf(was)];
  }
  // A file whose row went meanwhile (another service) has no identity: it is neither paired nor missing.
  const absentHere = leftAudio.flatMap((file) => identities.get(file.guid) ?? []);
  const absent = new AbsentFiles([...absentHere, ...missingElsewhere]);
  for (const entry of unknownPaths) {
    const there = absent.atPlace(entry);
    if (there !== undefined && !isModified(entry, there)) {
      absent.move(there);
      plan.moved.push({ guid: there.guid, from: there.path, entry, wasMissing: there.missingSince !== null });
      const cueSignature = sheets.get(folderOf(entry.path)) ?? null;
      // The row is moved before analysis: a sheet beside it now, or older rules, analyse it at its new path.
      if (there.cueSignature !== cueSignature) planned(entry, 'changed', there.guid, true);
      else if (isOutdated(there, level)) planned(entry, 'upgrade', there.guid, true);
      continue;
    }
    const candidates = [...(there === undefined || there.hash === '' ? [] : [there]), ...absent.ofSize(entry.sizeBytes).filter((file) => file !== there)];
    for (const file of candidates) absent.offer(file);
    planned(entry, 'new', null, entry.extensionClass === 'audio', candidates.map(candidateOf));
  }
  for (const file of leftHere) if (file.fileClass !== 'audio') plan.gone.push(file);
  // A file offered to a new path is marked missing too, until its content is found there.
  plan.missing = absentHere.filter((file) => !absent.isMoved(file));
  return plan;
}
