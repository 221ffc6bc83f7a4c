import { beforeEach, describe, expect, it } from 'vitest';
import { ANALYSIS_VERSION, type AnalysisLevel, type FileClass } from '../file-record.js';
import type { KnownFile, KnownFileIdentity, KnownOtherFile } from '../db/queries/files.js';
import { folderCueSignature, folderOf } from './cue-sheets.js';
import { comparePaths } from './folders.js';
import { PlanSpill, spillAfterRows } from '../db/plan-spill.js';
import {
  emptySurvey, pairUnknown, sameAsBefore, surveyFolder, type MovedFile, type PlannedFile, type SurveyedFile,
} from './plan.js';
import type { ScanEntry, WalkedRun } from './walk.js';

const mtime = Date.UTC(2024, 4, 1, 12, 0, 0, 250);

/** A file's inode in these tests: its path's, so a path the tests rename keeps it only when told. */
const inodes = new Map<string, number>();
function inodeOf(path: string): number {
  if (!inodes.has(path)) inodes.set(path, inodes.size + 100);
  return inodes.get(path)!;
}

function onDisk(path: string, sizeBytes = 1000, mtimeMs = mtime, extensionClass: FileClass = 'audio'): ScanEntry {
  return { path, absolutePath: `/music/${path}`, sizeBytes, mtimeMs, device: 1, inode: inodeOf(path), extensionClass };
}

function known(
  path: string, guid: string, sizeBytes: number | null = 1000, mtimeMs = mtime, missingSince: string | null = null, analysis: AnalysisLevel = 'full',
  more: Partial<Pick<KnownFileIdentity, 'analysisVersion' | 'cueSignature'>> = {},
): KnownFileIdentity {
  return {
    fileClass: 'audio', guid, path, sizeBytes, modificationMs: Math.floor(mtimeMs), missingSince, analysis,
    analysisVersion: ANALYSIS_VERSION, cueSignature: null, hash: `hash of ${path}`, audioHash: null, deviceId: 1, inode: inodeOf(path), ...more,
  };
}

function knownOther(path: string, fileClass: KnownOtherFile['fileClass'], sizeBytes = 500, mtimeMs = mtime): KnownOtherFile {
  return { fileClass, path, sizeBytes, modificationMs: Math.floor(mtimeMs) };
}

const none = { audio: 0, image: 0, video: 0, other: 0 };

interface PlanOf {
  toAnalyse: PlannedFile[];
  moved: MovedFile[];
  unchanged: Record<FileClass, number>;
  restored: string[];
  missing: KnownFileIdentity[];
  gone: string[];
  /** The cue-sheet signature of each folder that has sheets. */
  cueSheets: Map<string, string>;
}

/** The walk's runs over these files: in path order, a folder's files together. */
function runsOf(entries: readonly ScanEntry[]): WalkedRun[] {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const runs: WalkedRun[] = [];
  for (const entry of sorted) {
    const folder = folderOf(entry.path);
    const last = runs.at(-1);
    if (last?.folder === folder) last.entries.push(entry);
    else runs.push({ folder, folderFiles: sorted.filter((other) => folderOf(other.path) === folder), entries: [entry], skippedSymlinks: [] });
  }
  return runs;
}

async function* asAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** How many of the plan's rows stay in the heap: each test runs with its rows there, and again with them on disk. */
let heldRows = spillAfterRows;

/**
 * The plan as the import makes it (import/plan-files.ts): the survey of the walk against the known
 * files in path order, then the unknown paths paired with the absent files, kept in the plan's
 * spill (a temporary SQLite database) and whose identities are read from the same list, as the
 * import reads them from the database.
 */
async function planOf(onDisk: readonly ScanEntry[], knownFiles: readonly KnownFile[], level: AnalysisLevel = 'full', missingElsewhere: readonly KnownFileIdentity[] = []): Promise<PlanOf> {
  const identities = knownFiles.filter((file): file is KnownFileIdentity => file.fileClass === 'audio');
  const survey = emptySurvey();
  const surveyed: SurveyedFile[] = [];
  const runs = runsOf(onDisk);
  const known = [...knownFiles].sort((a, b) => comparePaths(a.path, b.path));
  const absentHere: KnownFileIdentity[] = [];
  const plan: PlanOf = {
    toAnalyse: [], moved: [], unchanged: survey.unchanged, restored: [], missing: [], gone: [],
    cueSheets: new Map(runs.flatMap((run) => [[run.folder, folderCueSignature(run.folderFiles)] as const]).filter((pair): pair is [string, string] => pair[1] !== null)),
  };
  await surveyFolder(asAsync(runs), known[Symbol.iterator](), level, survey, {
    toAnalyse: async (_run, files) => {
      surveyed.push(...files);
    },
    absent: (file) => absentHere.push(identities.find((identity) => identity.guid === file.guid)!),
    restored: (guid) => plan.restored.push(guid),
    gone: (path) => plan.gone.push(path),
  });
  const absent = new PlanSpill<never>(heldRows);
  try {
    absent.addAbsent(absentHere, 'here');
    absent.addAbsent(missingElsewhere, 'elsewhere');
    for (const { file, unknown, changedOnDisk } of surveyed) {
      if (changedOnDisk) plan.toAnalyse.push({ ...file, sameAs: sameAsBefore(identities.find((identity) => identity.guid === file.knownGuid)) });
      else if (!unknown) plan.toAnalyse.push(file);
      else {
        const pairing = pairUnknown(file, absent, level);
        if (pairing.kind === 'moved') plan.moved.push(pairing.move);
        if (pairing.analyse !== null) plan.toAnalyse.push(pairing.analyse);
      }
    }
    plan.missing = absent.notMovedPage(0, 1000).map((row) => row.value);
  } finally {
    absent.close();
  }
  return plan;
}

describe.each([['in the heap', spillAfterRows], ['on disk', 0]])('with the plan\'s rows %s', (_where, rows) => {
  beforeEach(() => {
    heldRows = rows;
  });

  describe('the plan (surveyFolder, pairUnknown)', () => {
    it('plans an audio file the database does not know as new, with no guid to keep', async () => {
      const plan = await planOf([onDisk('A/new.flac')], []);
      expect(plan.toAnalyse).toEqual([{ action: 'new', entry: onDisk('A/new.flac'), knownGuid: null, expectsAudio: true, cueSignature: null, sameAs: [] }]);
      expect(plan.unchanged).toEqual({ ...none, audio: 0 });
      expect(plan.missing).toEqual([]);
    });

    it('plans a known file whose size differs as changed, keeping its guid', async () => {
      const plan = await planOf([onDisk('A/one.mp3', 2000)], [known('A/one.mp3', 'guid-1', 1000)]);
      expect(plan.toAnalyse).toEqual([{ action: 'changed', entry: onDisk('A/one.mp3', 2000), knownGuid: 'guid-1', expectsAudio: true, cueSignature: null,
        sameAs: [{ guid: 'guid-1', hash: 'hash of A/one.mp3', audioHash: null, recordingMbid: null }] }]);
      expect(plan.unchanged).toEqual({ ...none, audio: 0 });
    });

    it('plans a known file whose modification time differs as changed, even at the same size', async () => {
      const plan = await planOf([onDisk('A/one.mp3', 1000, mtime + 1000)], [known('A/one.mp3', 'guid-1')]);
      expect(plan.toAnalyse.map((file) => [file.action, file.knownGuid])).toEqual([['changed', 'guid-1']]);
    });

    it('plans a known file whose size is unknown in the database as changed', async () => {
      const plan = await planOf([onDisk('A/one.mp3')], [known('A/one.mp3', 'guid-1', null)]);
      expect(plan.toAnalyse.map((file) => file.action)).toEqual(['changed']);
    });

    it('skips a file with the same size and modification time (to the millisecond) without analysing it', async () => {
      // Sub-millisecond noise in mtimeMs is not a change: times are stored to the millisecond.
      const plan = await planOf([onDisk('A/one.mp3', 1000, mtime + 0.4)], [known('A/one.mp3', 'guid-1')]);
      expect(plan.toAnalyse).toEqual([]);
      expect(plan.unchanged).toEqual({ ...none, audio: 1 });
      expect(plan.restored).toEqual([]);
    });

    it('keeps known files that are no longer on disk in missing, including those already marked missing', async () => {
      const gone = known('A/gone.mp3', 'guid-gone');
      const stillGone = known('A/still-gone.mp3', 'guid-still', 1000, mtime, '2024-01-01T00:00:00.000Z');
      const plan = await planOf([onDisk('A/here.mp3')], [known('A/here.mp3', 'guid-here'), gone, stillGone]);
      expect(plan.missing).toEqual(expect.arrayContaining([gone, stillGone]));
      expect(plan.missing).toHaveLength(2);
      expect(plan.unchanged).toEqual({ ...none, audio: 1 });
    });

    it('finds missing the files of a folder gone whole, before, between and after the folders still there', async () => {
      const files = ['A/one.mp3', 'B/gone.mp3', 'B/Sub/gone too.mp3', 'C/three.mp3', 'D/last.mp3'].map((path, i) => known(path, `guid-${i}`));
      const plan = await planOf([onDisk('A/one.mp3'), onDisk('C/three.mp3')], files);
      expect(plan.missing.map((file) => file.path)).toEqual(['B/Sub/gone too.mp3', 'B/gone.mp3', 'D/last.mp3']);
      expect(plan.unchanged).toEqual({ ...none, audio: 2 });
      expect(plan.toAnalyse).toEqual([]);
    });

    it('lists an unchanged file that had been marked missing as restored', async () => {
      const back = known('A/back.mp3', 'guid-back', 1000, mtime, '2024-01-01T00:00:00.000Z');
      const plan = await planOf([onDisk('A/back.mp3')], [back]);
      expect(plan.restored).toEqual(['guid-back']);
      expect(plan.unchanged).toEqual({ ...none, audio: 1 });
      expect(plan.missing).toEqual([]);
    });

    it('analyses a file marked missing that came back changed, keeping its guid, and does not list it as restored', async () => {
      const back = known('A/back.mp3', 'guid-back', 1000, mtime, '2024-01-01T00:00:00.000Z');
      const plan = await planOf([onDisk('A/back.mp3', 1200)], [back]);
      expect(plan.toAnalyse.map((file) => [file.action, file.knownGuid])).toEqual([['changed', 'guid-back']]);
      expect(plan.restored).toEqual([]);
    });

    it('sends unknown files of any name to have their content looked at, only an audio name expecting audio', async () => {
      const cover = onDisk('A/cover.jpg', 500, mtime, 'image');
      const noExtension = onDisk('A/track', 5000, mtime, 'other');
      const plan = await planOf([cover, noExtension, onDisk('A/one.mp3')], []);
      // In path order: the order the walk and the database's rows are merged in.
      expect(plan.toAnalyse.map((file) => [file.entry.path, file.action, file.expectsAudio])).toEqual([
        ['A/cover.jpg', 'new', false], ['A/one.mp3', 'new', true], ['A/track', 'new', false],
      ]);
    });

    it('skips a remembered non-audio file unopened while it is unchanged, looks again when it changed, and forgets it when it is gone', async () => {
      const cover = onDisk('A/cover.jpg', 500, mtime, 'image');
      const notes = knownOther('A/notes.txt', 'other');
      const unchanged = await planOf([cover], [knownOther('A/cover.jpg', 'image'), notes]);
      expect(unchanged.toAnalyse).toEqual([]);
      expect(unchanged.unchanged).toEqual({ audio: 0, image: 1, video: 0, other: 0 });
      expect(unchanged.gone).toEqual([notes.path]);
      expect(unchanged.missing).toEqual([]);
      const changed = await planOf([onDisk('A/cover.jpg', 600, mtime, 'image')], [knownOther('A/cover.jpg', 'image')]);
      expect(changed.toAnalyse.map((file) => [file.action, file.expectsAudio])).toEqual([['new', false]]);
    });

    it('plans a known file with a non-audio extension (audio found by content before) by its path, not by sniffing', async () => {
      const renamed = onDisk('A/track', 5000, mtime, 'other');
      const unchanged = await planOf([renamed], [known('A/track', 'guid-track', 5000)]);
      expect(unchanged.toAnalyse).toEqual([]);
      expect(unchanged.unchanged).toEqual({ ...none, audio: 1 });

      const changed = await planOf([onDisk('A/track', 6000, mtime, 'other')], [known('A/track', 'guid-track', 5000)]);
      expect(changed.toAnalyse.map((file) => [file.action, file.knownGuid, file.expectsAudio])).toEqual([['changed', 'guid-track', true]]);
    });

    it('matches paths exactly: a file moved to another folder is new there and missing where it was', async () => {
      const plan = await planOf([onDisk('B/one.mp3')], [known('A/one.mp3', 'guid-1')]);
      expect(plan.toAnalyse.map((file) => [file.action, file.entry.path])).toEqual([['new', 'B/one.mp3']]);
      expect(plan.missing.map((file) => file.guid)).toEqual(['guid-1']);
    });

    it('plans an unchanged file that was only tagged for a full import, and leaves it alone in a tags import', async () => {
      const tagged = known('A/tagged.flac', 'g-tagged', 1000, mtime, null, 'tags');
      const full = known('A/full.flac', 'g-full');
      const disk = [onDisk('A/tagged.flac'), onDisk('A/full.flac')];

      expect((await planOf(disk, [tagged, full], 'full')).toAnalyse).toEqual([{ action: 'upgrade', entry: disk[0], knownGuid: 'g-tagged', expectsAudio: true, cueSignature: null, sameAs: [] }]);
      const tagsPlan = await planOf(disk, [tagged, full], 'tags');
      expect(tagsPlan.toAnalyse).toEqual([]);
      expect(tagsPlan.unchanged).toEqual({ ...none, audio: 2 });
    });

    it('re-analyses in a full import a file analysed under older rules, and leaves it alone in a tags import', async () => {
      const old = known('A/old.flac', 'g-old', 1000, mtime, null, 'full', { analysisVersion: ANALYSIS_VERSION - 1 });
      expect((await planOf([onDisk('A/old.flac')], [old], 'full')).toAnalyse.map((file) => file.action)).toEqual(['upgrade']);
      expect((await planOf([onDisk('A/old.flac')], [old], 'tags')).unchanged.audio).toBe(1);
    });

    it('re-imports the audio of a folder whose cue sheets were added, edited or removed, and passes the sheets on', async () => {
      const album = onDisk('A/album.flac');
      const sheet = onDisk('A/album.cue', 300, mtime, 'other');
      const first = await planOf([album, sheet], []);
      const signature = first.toAnalyse[0]!.cueSignature;
      expect(signature).not.toBeNull();
      expect(first.cueSheets.get('A')).toBe(signature);
      const recorded = known('A/album.flac', 'g-album', 1000, mtime, null, 'full', { cueSignature: signature });
      const sheetKnown = knownOther('A/album.cue', 'other', 300);
      expect((await planOf([album, sheet], [recorded, sheetKnown])).unchanged).toEqual({ audio: 1, image: 0, video: 0, other: 1 });
      const edited = onDisk('A/album.cue', 310, mtime, 'other');
      expect((await planOf([album, edited], [recorded, sheetKnown])).toAnalyse.map((file) => [file.entry.path, file.action]))
        .toEqual([['A/album.cue', 'new'], ['A/album.flac', 'changed']]);
      expect((await planOf([album], [recorded])).toAnalyse.map((file) => [file.action, file.cueSignature])).toEqual([['changed', null]]);
      const elsewhere = onDisk('B/other.cue', 300, mtime, 'other');
      expect((await planOf([album, sheet, elsewhere], [recorded, sheetKnown])).unchanged.audio).toBe(1);
    });
  });

  describe('the plan: moves', () => {
    /** The same file at another path: the same device and inode (a rename), size and time. */
    function renamed(from: string, to: string, sizeBytes = 1000, mtimeMs = mtime): ScanEntry {
      return { ...onDisk(to, sizeBytes, mtimeMs), inode: inodeOf(from) };
    }

    it('follows a renamed file to its new path unopened, and counts it neither new nor missing', async () => {
      const plan = await planOf([renamed('A/one.mp3', 'B/uno.mp3')], [known('A/one.mp3', 'guid-1')]);
      expect(plan.moved).toEqual([{ guid: 'guid-1', from: 'A/one.mp3', entry: renamed('A/one.mp3', 'B/uno.mp3'), wasMissing: false }]);
      expect(plan.toAnalyse).toEqual([]);
      expect(plan.missing).toEqual([]);
    });

    it('follows a file marked missing by an earlier import, met in another folder now (a move seen in two imports)', async () => {
      const earlier = known('Old/one.mp3', 'guid-1', 1000, mtime, '2026-01-01T00:00:00.000Z');
      const plan = await planOf([renamed('Old/one.mp3', 'New/one.mp3')], [], 'full', [earlier]);
      expect(plan.moved.map((move) => [move.guid, move.entry.path, move.wasMissing])).toEqual([['guid-1', 'New/one.mp3', true]]);
    });

    it('checks by content a file at the same place whose size changed (renamed and retagged, or an inode reused), and keeps the old one missing until then', async () => {
      const plan = await planOf([renamed('A/one.mp3', 'B/one.mp3', 1500)], [known('A/one.mp3', 'guid-1')]);
      expect(plan.moved).toEqual([]);
      expect(plan.toAnalyse.map((file) => [file.action, file.knownGuid, file.sameAs.map((candidate) => candidate.guid)])).toEqual([['new', null, ['guid-1']]]);
      expect(plan.missing.map((file) => file.guid)).toEqual(['guid-1']);
    });

    it('offers a new path the absent files of its size to compare bytes with (a copy to another drive), each to one path only', async () => {
      const plan = await planOf([onDisk('B/one.mp3', 1000), onDisk('C/one.mp3', 1000)], [known('A/one.mp3', 'guid-1', 1000)]);
      expect(plan.toAnalyse.map((file) => [file.entry.path, file.sameAs.map((candidate) => candidate.guid)])).toEqual([['B/one.mp3', ['guid-1']], ['C/one.mp3', []]]);
    });

    it('offers nothing of a file only tagged so far: it has no content hash to compare', async () => {
      const tagged: KnownFileIdentity = { ...known('A/one.mp3', 'guid-1', 1000), hash: '' };
      const plan = await planOf([onDisk('B/one.mp3', 1000)], [tagged]);
      expect(plan.toAnalyse[0]!.sameAs).toEqual([]);
    });

    it('analyses a renamed file again at its new path when the cue sheets beside it differ there', async () => {
      const sheet = onDisk('B/album.cue', 300, mtime, 'other');
      const plan = await planOf([renamed('A/one.flac', 'B/one.flac'), sheet], [known('A/one.flac', 'guid-1')]);
      expect(plan.moved.map((move) => move.guid)).toEqual(['guid-1']);
      expect(plan.toAnalyse.map((file) => [file.action, file.knownGuid, file.entry.path])).toEqual([['new', null, 'B/album.cue'], ['changed', 'guid-1', 'B/one.flac']]);
    });
  });
});
