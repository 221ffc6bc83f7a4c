/**
 * The plan of an import, in bounded memory: the walk is merged with what the database knows
 * folder by folder (scan/plan.ts surveyFolder); the files to analyse wait in a spill on disk
 * (db/plan-spill.ts), not in the heap; once everything is walked, the paths the database did not
 * know are paired with the files found absent (moves), and the import takes the files a page at a
 * time, each page's database reads done for the page. What is held at once is one folder's run,
 * one page, and what changed (absent, restored and moved files), never the library.
 */
import type { FileRecording } from '../db/recorder.js';
import type { WkmpDatabase } from '../db/setup.js';
import {
  iterateMissingFiles, knownFilesInOrder, listFileIdentities, listFirstRecordings, type KnownFileIdentity, type Presence,
} from '../db/queries/files.js';
import { listReleasePlans } from '../db/queries/identification.js';
import { PlanSpill } from '../db/plan-spill.js';
import type { AnalysisLevel } from '../file-record.js';
import { isWithinFolder } from '../scan/folders.js';
import { Absence } from '../scan/offline.js';
import {
  emptySurvey, pairUnknown, sameAsBefore, surveyFolder, type MovedFile, type PlannedFile, type Survey, type SurveySink,
} from '../scan/plan.js';
import { walkSorted, type ScanEntry } from '../scan/walk.js';
import { parseReleasePlanSheet, type FileCueSheet } from '../stored/file-cue-sheet.js';
import { readFolderCueSheets, type FolderCueSheets } from './cue-sheets.js';

/** A file to analyse, with what the import gives its worker beyond the plan. */
export interface PlannedWork {
  file: PlannedFile;
  /** Its tracks, from a cue sheet beside it or the release identification found it holds. */
  cueSheet: FileCueSheet | null;
}

/** A planned file as it waits in the spill. */
interface Waiting {
  file: PlannedFile;
  cueSheet: FileCueSheet | null;
  changedOnDisk: boolean;
}

export interface ImportPlan {
  survey: Survey;
  /** Files to analyse, by what the plan knows of them. */
  toAnalyse: Record<PlannedFile['action'], number>;
  /** Renamed files found unopened, and those of them not analysed again at their new path. */
  moved: number;
  movedUnopened: number;
  /** The absent files not moved here, counted missing or offline (scan/offline.ts). */
  absence: Absence;
  /**
   * Files just marked missing that were offered to a new path to compare by content: one found
   * there was counted missing, and is not. The others cannot be found, so they are not held.
   */
  offeredMissing: ReadonlySet<string>;
  /** Writes what the plan found of files come and gone: missing marks, restored files, forgotten others. */
  markPresence(): Promise<void>;
  /** The files to analyse, in the order planned, a page at a time. */
  files(): Generator<PlannedWork>;
  close(): void;
}

export interface PlanHooks {
  /** A cue sheet that cannot be used: an error row under the sheet's path. */
  onFailure: FileRecording['add'];
  /** Renamed files: their rows follow them, written before anything is analysed. */
  onMoves(moves: readonly MovedFile[]): Promise<void>;
  /** Files come and gone, a chunk at a time. */
  onPresence(presence: Presence): Promise<void>;
  warn(message: string): void;
  /** Called once the walk is done and the pairing begins. */
  onPairing(): void;
}

export interface PlanPlace {
  rootFolder: string;
  /** Absolute folders to walk, with their paths relative to the root; disjoint. */
  folders: readonly { folder: string; relativeFolder: string }[];
}

/** Files read back from the spill at once, and looked up in the database together. */
const pageFiles = 256;
/** Rows moved or marked in one transaction (about 20 ms of lock each, measured by bench:moves). */
const rowsPerTransaction = 5000;

export async function planImport(db: WkmpDatabase, place: PlanPlace, database: string, level: AnalysisLevel, hooks: PlanHooks): Promise<ImportPlan> {
  const spill = new PlanSpill<Waiting>();
  try {
    const toAnalyse = { new: 0, changed: 0, upgrade: 0 };
    const survey = emptySurvey();
    // A folder's cue sheets, read once for all its runs (they share its files' array, which the walk drops with the folder).
    const cueSheetsOf = new WeakMap<readonly ScanEntry[], FolderCueSheets | null>();
    // The absent files' identities are read a chunk at a time, for them only: what changed, never the library.
    const absent = inChunks<string>((guids) => spill.addAbsent(listFileIdentities(db.read, guids), 'here'));
    const restored = inChunks<string>((guids) => spill.addPresence('restored', guids));
    const gone = inChunks<string>((paths) => spill.addPresence('gone', paths));
    const sink: SurveySink = {
      async toAnalyse(run, files) {
        // The cue sheets beside the files to analyse give them their tracks; a sheet that cannot be used is an error row.
        let cues = cueSheetsOf.get(run.folderFiles);
        if (cues === undefined) {
          cues = await readFolderCueSheets(run.folderFiles);
          cueSheetsOf.set(run.folderFiles, cues);
          for (const failure of cues?.failures ?? []) await hooks.onFailure(failure);
        }
        for (const { file } of files) toAnalyse[file.action] += 1;
        spill.add(files.map(({ file, unknown, changedOnDisk }) => ({ unknown, value: { file, cueSheet: cues?.sheetFor(file.entry.path) ?? null, changedOnDisk } })));
      },
      absent: (file) => absent.add(file.guid),
      restored: (guid) => restored.add(guid),
      gone: (path) => gone.add(path),
    };
    for (const folder of place.folders) {
      await surveyFolder(walkSorted(place.rootFolder, folder.folder, database), knownFilesInOrder(db.read, folder.relativeFolder), level, survey, sink);
    }
    for (const chunks of [absent, restored, gone]) chunks.flush();
    hooks.onPairing();
    // Files marked missing before, anywhere else, may have moved here (a move seen in two imports).
    spill.addAbsent(iterateMissingFiles(db.read, (file) => !place.folders.some((folder) => isWithinFolder(file.path, folder.relativeFolder))), 'elsewhere');
    const moves = spill.hasAbsent ? await pairUnknownPaths(spill, level, toAnalyse, hooks) : { moved: 0, movedUnopened: 0 };
    const absence = new Absence(place.rootFolder, survey.walked === 0 && place.folders.some((folder) => folder.relativeFolder === ''));
    // A file offered to a new path is marked missing too, until its content is found there; an offline one is neither.
    const offeredMissing = judgeAbsent(spill, absence);
    return {
      survey, toAnalyse, ...moves, absence, offeredMissing,
      markPresence: () => writePresence(spill, hooks),
      files: () => plannedWork(db, spill, hooks),
      close: () => spill.close(),
    };
  } catch (error) {
    spill.close();
    throw error;
  }
}

/** Items handed on together by `inChunks`: a renamed folder of 10,000 files has its identities read in five reads, not forty. */
const chunkItems = 2000;

/** Hands items on `chunkItems` at a time (and what is left on `flush`): one spill transaction, or one database read, per chunk. */
function inChunks<T>(handle: (items: T[]) => void): { add(item: T): void; flush(): void } {
  let items: T[] = [];
  const flush = (): void => {
    if (items.length > 0) handle(items);
    items = [];
  };
  return {
    add(item) {
      items.push(item);
      if (items.length >= chunkItems) flush();
    },
    flush,
  };
}

/** Counts the absent files not moved here missing or offline; the newly missing go to the spill to be marked. */
function judgeAbsent(spill: PlanSpill<Waiting>, absence: Absence): Set<string> {
  const offered = new Set<string>();
  for (let after = 0, page = spill.notMovedPage(after, pageFiles); page.length > 0; page = spill.notMovedPage(after, pageFiles)) {
    after = page.at(-1)!.seq;
    const newlyMissing: string[] = [];
    for (const { value: file, taken } of page) {
      if (absence.isOffline(file) || file.missingSince !== null) continue;
      newlyMissing.push(file.guid);
      if (taken) offered.add(file.guid);
    }
    spill.addPresence('missing', newlyMissing);
  }
  return offered;
}

/** Missing marks, restored files and forgotten others, in chunks of `rowsPerTransaction`. */
async function writePresence(spill: PlanSpill<Waiting>, hooks: PlanHooks): Promise<void> {
  for (const kind of ['missing', 'restored', 'gone'] as const) {
    for (let after = 0, page = spill.presencePage(kind, after, rowsPerTransaction); page.length > 0; page = spill.presencePage(kind, after, rowsPerTransaction)) {
      after = page.at(-1)!.seq;
      const keys = page.map((row) => row.key);
      await hooks.onPresence({ missing: kind === 'missing' ? keys : [], restored: kind === 'restored' ? keys : [], goneOthers: kind === 'gone' ? keys : [] });
    }
  }
}

/** The paths the database did not know, compared with the absent files: renamed rows follow their files, the rest are new. */
async function pairUnknownPaths(
  spill: PlanSpill<Waiting>, level: AnalysisLevel, toAnalyse: ImportPlan['toAnalyse'], hooks: PlanHooks,
): Promise<{ moved: number; movedUnopened: number }> {
  let moved: MovedFile[] = [];
  let count = 0;
  let unopened = 0;
  for (let after = 0, page = spill.unknownPage(after, pageFiles); page.length > 0; page = spill.unknownPage(after, pageFiles)) {
    after = page.at(-1)!.seq;
    spill.settle(spill.atomically(() => page.map(({ seq, value }) => {
      const pairing = pairUnknown(value.file, spill, level);
      if (pairing.kind === 'new') return { seq, value: { ...value, file: pairing.analyse } };
      moved.push(pairing.move);
      count += 1;
      toAnalyse.new -= 1;
      if (pairing.analyse === null) unopened += 1;
      else toAnalyse[pairing.analyse.action] += 1;
      return { seq, value: pairing.analyse === null ? null : { ...value, file: pairing.analyse } };
    })));
    if (moved.length >= rowsPerTransaction) {
      await hooks.onMoves(moved);
      moved = [];
    }
  }
  if (moved.length > 0) await hooks.onMoves(moved);
  return { moved: count, movedUnopened: unopened };
}

/** The files to analyse a page at a time, with what the database says of each page read together. */
function* plannedWork(db: WkmpDatabase, spill: PlanSpill<Waiting>, hooks: PlanHooks): Generator<PlannedWork> {
  for (let after = 0, page = spill.page(after, pageFiles); page.length > 0; page = spill.page(after, pageFiles)) {
    after = page.at(-1)!.seq;
    const waiting = page.map((spilled) => spilled.value);
    const identities = new Map(listFileIdentities(db.read, waiting.flatMap(({ file, changedOnDisk }) => (changedOnDisk ? [file.knownGuid!] : [])))
      .map((file): [string, KnownFileIdentity] => [file.guid, file]));
    const files = waiting.map(({ file, changedOnDisk }) => (changedOnDisk ? { ...file, sameAs: sameAsBefore(identities.get(file.knownGuid!)) } : file));
    const recordings = listFirstRecordings(db.read, [...new Set(files.flatMap((file) => file.sameAs.map((candidate) => candidate.guid)))]);
    // Only a file the database knows at its path can have a release plan: a first import asks nothing.
    const releaseSheets = listReleasePlans(db.read, files.flatMap((file) => (file.knownGuid === null ? [] : [file.entry.path])));
    for (const [i, file] of files.entries()) {
      yield {
        // The recordings the candidates' passages play: new tags naming another one make a retag an analysis.
        file: file.sameAs.length === 0 ? file : { ...file, sameAs: file.sameAs.map((candidate) => ({ ...candidate, recordingMbid: recordings.get(candidate.guid) ?? null })) },
        // A cue sheet beside the file says more than a release identification found in it.
        cueSheet: waiting[i]!.cueSheet ?? releaseSheet(releaseSheets.get(file.entry.path), file.entry.path, hooks),
      };
    }
  }
}

/** A file identification found to hold a whole release is cut at its tracks; a plan that cannot be read is a warning, and its file is cut at its silences. */
function releaseSheet(text: string | undefined, path: string, hooks: PlanHooks): FileCueSheet | null {
  if (text === undefined) return null;
  const sheet = parseReleasePlanSheet(text);
  if (sheet.readable) return sheet.value;
  hooks.warn(`reading the release plan of ${path}: ${sheet.problem}; the file is cut at its silences`);
  return null;
}
