/**
 * One import, start to end. The body of `runImport` is the table of contents of DESIGN.md's flow:
 * scan, plan, analyse in workers, record in batches.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { defaultDatabasePath, resolveImportPlace, type ImportPlace } from '../config/root-folder.js';
import { readImportSettings } from '../config/settings.js';
import type { WriteDb } from '../db/connection.js';
import { setBusyTimeout } from '../db/connection.js';
import { clearFilesMissing, listKnownFiles, markFilesMissing } from '../db/queries/files.js';
import { listSettings } from '../db/queries/settings.js';
import type { Recorder } from '../db/recorder.js';
import { openWkmpDatabase } from '../db/setup.js';
import { audioAnalysisOptions } from '../config/analysis-settings.js';
import type { AudioAnalysisOptions } from '../analysis/analyse-audio.js';
import type { FileCueSheet } from '../analysis/cue-sheet.js';
import { chooseDecoder, type DecoderName } from '../analysis/decode/decoder.js';
import { errorMessage } from '../errors.js';
import type { AnalysisLevel } from '../file-record.js';
import { classifyFilesByContent } from '../scan/classify.js';
import { folderOf } from '../scan/cue-sheets.js';
import { planChanges, type ChangePlan, type PlannedFile } from '../scan/plan.js';
import { walkLibrary } from '../scan/walk.js';
import type { ImportEvent, ImportSummary } from './events.js';
import { readCueSheets } from './cue-sheets.js';
import { createAnalysisPool } from './pool.js';
import { ImportSession } from './session.js';
import { claimSession } from './session-claim.js';

export interface ImportRequest {
  rootFolder: string;
  /** The folder to import, the root or inside it; default the root. */
  folder?: string;
  /** Default `<root>/wkmp.db`. */
  database?: string;
  /** Worker threads; default the `ingest_max_concurrent_jobs` setting. */
  jobs?: number;
  /** 'tags': a fast first pass (no decoding, no hash); 'full' (default) analyses audio, and upgrades tagged-only files. */
  analysis?: AnalysisLevel;
  /** Default 'auto': ffmpeg when it is on the PATH, else the WebAssembly decoders. */
  decoder?: 'auto' | DecoderName;
  /** A file whose analysis runs longer has its worker stopped and becomes an error row. Default 10 minutes. */
  fileTimeLimitMs?: number;
  /** Aborting stops taking files: what is analysed is committed and the session ends CANCELLED. */
  signal?: AbortSignal;
  onEvent?: (event: ImportEvent) => void;
  /** Hands over the session object before its first event, for what the service reads live (classification, passages). */
  onSession?: (session: ImportSession) => void;
}

export async function runImport(request: ImportRequest): Promise<ImportSummary> {
  const place = resolveImportPlace(request.rootFolder, request.folder);
  const database = request.database ?? defaultDatabasePath(place.rootFolder);
  const db = openWkmpDatabase(database);
  try {
    const settingRows = listSettings(db);
    const settings = readImportSettings(settingRows);
    setBusyTimeout(db, settings.lockRetryMs);
    const jobs = request.jobs ?? settings.maxConcurrentJobs;
    const emit = request.onEvent ?? (() => undefined);
    const sessionId = randomUUID();
    const session = new ImportSession(
      sessionId, { rootFolder: place.rootFolder, folder: place.relativeFolder, database }, db, { maxLockWaitMs: settings.maxLockWaitMs }, emit,
    );
    request.onSession?.(session);
    // Claim the one running session: refused while another import runs, here or in another process.
    await session.recorder.write((writeDb) => claimSession(writeDb, { sessionId, rootFolder: place.rootFolder, folder: place.relativeFolder, parameters: { jobs } }));
    emit({ type: 'ImportSessionStarted', sessionId, rootFolder: place.rootFolder, folder: place.relativeFolder });
    try {
      const analysis: AnalysisPlan = {
        level: request.analysis ?? 'full',
        jobs,
        decoder: (await chooseDecoder(request.decoder ?? 'auto')).name,
        audio: audioAnalysisOptions(settingRows),
        fileTimeLimitMs: request.fileTimeLimitMs ?? defaultFileTimeLimitMs,
      };
      return await importFolder(db, { ...place, database }, session, analysis, request.signal);
    } catch (error) {
      emit({ type: 'ImportSessionFailed', sessionId, message: errorMessage(error) });
      await session.finish('FAILED', db, errorMessage(error)).catch(() => undefined);
      throw error;
    }
  } finally {
    db.close();
  }
}

async function importFolder(
  db: WriteDb, place: ImportPlace & { database: string }, session: ImportSession, analysis: AnalysisPlan, signal?: AbortSignal,
): Promise<ImportSummary> {
  // scan: every file under the folder, hidden and system folders skipped, links not followed
  const scan = await walkLibrary(place.rootFolder, place.folder, realDatabasePath(place.database));
  for (const entry of scan.entries) session.fileClasses.set(entry.path, entry.extensionClass);
  // plan: new, changed, unchanged or missing, against one read of what the database knows
  session.phase = 'planning';
  const plan = planChanges(scan.entries, listKnownFiles(db, place.relativeFolder), analysis.level);
  // files named as something else whose content is audio join the new ones
  const toAnalyse = [...plan.toAnalyse, ...(await findRenamedAudio(plan, session))];
  countPlan(session, plan, toAnalyse, scan.skippedSymlinks.length);
  // missing files are marked, never deleted; unchanged ones that came back are unmarked
  await recordPresence(session.recorder, plan);
  // the cue sheets beside the files to analyse give them their tracks; a sheet that cannot be used is an error row
  const cues = await readCueSheets(toAnalyse, scan.entries);
  for (const failure of cues.failures) await session.recorder.add(failure);
  // analyse in worker threads, record in batches
  await session.enter('analysing', 'PROCESSING');
  const completed = await analyseFiles(toAnalyse, cues.sheets, session, analysis, signal);
  return session.finish(completed ? 'COMPLETED' : 'CANCELLED', db);
}

function realDatabasePath(database: string): string {
  try {
    return realpathSync(database);
  } catch {
    return database;
  }
}

async function findRenamedAudio(plan: ChangePlan, session: ImportSession): Promise<PlannedFile[]> {
  const renamed: PlannedFile[] = [];
  for (const { entry, fileClass } of await classifyFilesByContent(plan.toSniff)) {
    session.fileClasses.set(entry.path, fileClass);
    if (fileClass === 'audio') renamed.push({ action: 'new', entry, knownGuid: null, cueSignature: plan.cueSheets.get(folderOf(entry.path)) ?? null });
    else session.counts.classes[fileClass] += 1;
  }
  return renamed;
}

function countPlan(session: ImportSession, plan: ChangePlan, toAnalyse: readonly PlannedFile[], skippedSymlinks: number): void {
  const counts = session.counts;
  counts.new = toAnalyse.filter((file) => file.action === 'new').length;
  counts.changed = toAnalyse.filter((file) => file.action === 'changed').length;
  counts.upgraded = toAnalyse.length - counts.new - counts.changed;
  counts.unchanged = plan.unchanged;
  counts.missing = plan.missing.length;
  counts.classes.audio += toAnalyse.length + plan.unchanged;
  counts.skippedSymlinks = skippedSymlinks;
  session.filesTotal = toAnalyse.length;
  if (plan.missing.length > 0) session.log('warn', `${plan.missing.length} known files are missing from disk; they are kept and marked`);
}

async function recordPresence(recorder: Recorder, plan: ChangePlan): Promise<void> {
  const newlyMissing = plan.missing.filter((file) => file.missingSince === null).map((file) => file.guid);
  const restored = plan.restored.map((file) => file.guid);
  if (newlyMissing.length === 0 && restored.length === 0) return;
  await recorder.write((db) => {
    markFilesMissing(db, newlyMissing);
    clearFilesMissing(db, restored);
  });
}

/** How this import analyses its files, decided once in the main thread. */
interface AnalysisPlan {
  level: AnalysisLevel;
  jobs: number;
  decoder: DecoderName;
  audio: AudioAnalysisOptions;
  fileTimeLimitMs: number;
}

const defaultFileTimeLimitMs = 10 * 60_000;

/** Keeps every worker busy and hands each result to the recorder. Returns false when cancelled. */
async function analyseFiles(
  files: readonly PlannedFile[], cueSheets: ReadonlyMap<string, FileCueSheet>, session: ImportSession, analysis: AnalysisPlan, signal?: AbortSignal,
): Promise<boolean> {
  if (files.length === 0) return !signal?.aborted;
  const pool = createAnalysisPool({
    jobs: Math.max(1, Math.min(analysis.jobs, files.length)),
    // Tag reading waits on I/O, so a few files per worker help; decoding keeps a core busy alone.
    tasksPerWorker: analysis.level === 'tags' ? 4 : 1,
    fileTimeLimitMs: analysis.fileTimeLimitMs,
  });
  let next = 0;
  let stopped = 0;
  async function lane(): Promise<void> {
    while (next < files.length && !signal?.aborted) {
      const { entry, knownGuid, cueSignature } = files[next++]!;
      session.fileStarted(entry.path);
      const result = await pool.analyse({
        kind: 'analyse', absolutePath: entry.absolutePath, path: entry.path, knownGuid, cueSignature, cueSheet: cueSheets.get(entry.path) ?? null,
        analysis: analysis.level, decoder: analysis.decoder, audio: analysis.audio,
      }, signal);
      if (result === null) {
        session.fileStopped(entry.path);
        stopped += 1; // cancelled in flight: not recorded, the next import does it
        continue;
      }
      session.fileAnalysed(result);
      await session.recorder.add(result);
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(pool.capacity, files.length) }, lane));
  } finally {
    await pool.close();
  }
  return next >= files.length && stopped === 0;
}
