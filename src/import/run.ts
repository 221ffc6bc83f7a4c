/**
 * One import, start to end. The body of `importFolder` is the table of contents of DESIGN.md's
 * flow: scan, plan, analyse in workers, record in batches. It only reports steps: the tracker
 * holds the one state (state.ts), and the recorder does every write.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { defaultDatabasePath, resolveImportPlace, type ImportPlace } from '../config/root-folder.js';
import { readSettings, settingOf } from '../config/settings.js';
import { markPresence, moveFiles } from '../db/queries/files.js';
import { claimSession, endSession as endSessionRow, releaseSession, saveSessionProgress } from '../db/import-sessions.js';
import { countImportErrors, listImportErrors } from '../db/queries/sessions.js';
import { listSettings } from '../db/queries/settings.js';
import type { FileRecording } from '../db/recorder.js';
import { openWkmpDatabase, type WkmpDatabase } from '../db/setup.js';
import { audioAnalysisOptions } from '../analysis/settings.js';
import type { AudioAnalysisOptions } from '../analysis/analyse-audio.js';
import type { SessionOrigin } from '../stored/session-parameters.js';
import { ffmpegForProbing, findFfmpeg } from '../analysis/decode/decoder.js';
import { errorMessage, InvalidInputError } from '../errors.js';
import type { AnalysisLevel, AnalysisResult, FileClass } from '../file-record.js';
import { collapseFolders } from '../scan/folders.js';
import { planImport, type ImportPlan, type PlannedWork } from './plan-files.js';
import { summaryErrorsLimit, type ImportEvent, type ImportPhase, type ImportSummary } from './events.js';
import { createAnalysisPool } from './pool.js';
import type { AnalyseTask } from '../analysis/worker.js';
import { summaryOf, type ImportStep, type SessionErrors } from './state.js';
import { ImportTracker } from './tracker.js';

export interface ImportRequest {
  rootFolder: string;
  /** The folder to import, the root or inside it; default the root. */
  folder?: string;
  /** Folders to import in one session instead (the watcher's touched folders): a file moved between them is found moved. */
  folders?: readonly string[];
  /** Default `<root>/wkmp.db`; ignored when `db` is given. */
  database?: string;
  /** An open database to import into (the service's, for its whole life); default: one opened and closed here. */
  db?: WkmpDatabase;
  /** Worker threads; default the `ingest_max_concurrent_jobs` setting. */
  jobs?: number;
  /** 'tags': a fast first pass (no decoding, no hash); 'full' (default) analyses audio, and upgrades tagged-only files. */
  analysis?: AnalysisLevel;
  /** The ffmpeg to decode with; default the system's on the PATH, else the one npm installed (decode/decoder.ts). */
  ffmpeg?: string;
  /** A file whose analysis runs longer has its worker stopped and becomes an error row. Default 10 minutes. */
  fileTimeLimitMs?: number;
  /** Aborting stops taking files: what is analysed is committed and the session ends CANCELLED. */
  signal?: AbortSignal;
  /** WKMP's events, as the tracker derives them from the state. */
  onEvent?: (event: ImportEvent) => void;
  /** Hands over the tracker before the first step, for what the service reads live. */
  onTracker?: (tracker: ImportTracker) => void;
  /** Who started it, kept with the session for the page's list of sessions. Default 'cli'. */
  origin?: SessionOrigin;
}

export async function runImport(request: ImportRequest): Promise<ImportSummary> {
  const place = importPlaces(request.rootFolder, request.folders ?? [request.folder ?? '']);
  const db = request.db ?? openWkmpDatabase(request.database ?? defaultDatabasePath(place.rootFolder));
  try {
    return await importInto(db, place, request);
  } finally {
    if (!request.db) await db.close();
  }
}

/** The folders one import walks, none inside another, with the label its session row and page show. */
interface ImportPlaces {
  rootFolder: string;
  folders: ImportPlace[];
  /** The folders relative to the root, comma-separated ('' for the root). */
  relativeFolder: string;
}

function importPlaces(rootFolder: string, folders: readonly string[]): ImportPlaces {
  const byFolder = new Map(folders.map((folder) => resolveImportPlace(rootFolder, folder)).map((place) => [place.relativeFolder, place]));
  const outermost = collapseFolders(byFolder.keys()).map((folder) => byFolder.get(folder)!);
  return { rootFolder: outermost[0]!.rootFolder, folders: outermost, relativeFolder: outermost.map((place) => place.relativeFolder).join(', ') };
}

/** How this import analyses its files, decided once in the main thread. */
interface AnalysisPlan {
  level: AnalysisLevel;
  jobs: number;
  /** Null when none runs here, which only a tags pass allows. */
  ffmpeg: string | null;
  audio: AudioAnalysisOptions;
  fileTimeLimitMs: number;
}

const defaultFileTimeLimitMs = 10 * 60_000;

/** Reports steps to the tracker and saves the session row every 10 s or 100 files (never per file). */
class Reporter {
  readonly tracker: ImportTracker;
  private savedAt = Date.now();
  private savedFiles = 0;

  /** Set once the recording has begun: the session's rows count in its figures. */
  recording: FileRecording | null = null;

  constructor(private readonly db: WkmpDatabase, onEvent: ImportRequest['onEvent']) {
    this.tracker = new ImportTracker(onEvent);
  }

  step(step: ImportStep): void {
    this.tracker.apply(step);
    const state = this.tracker.state!;
    // A new phase is saved at once, but for the last two: the last batch and the end row follow them
    // within milliseconds, and each transaction waits its gap after the one before (db/recorder.ts).
    const phaseToSave = step.type === 'phase' && step.phase !== 'recording' && step.phase !== 'finishing';
    if (!phaseToSave && state.filesDone - this.savedFiles < 100 && step.at - this.savedAt < 10_000) return;
    this.savedAt = step.at;
    this.savedFiles = state.filesDone;
    // Progress is a convenience: a failed save is reported, and the next one or the end row catches up.
    this.db.recorder.write(saveSessionProgress({
      sessionId: state.sessionId, state: state.state, filesTotal: state.filesTotal, filesProcessed: state.filesDone,
      currentOperation: state.phase, counts: JSON.stringify(state.counts), metrics: JSON.stringify(state.write),
    }), this.recording === null ? {} : { recording: this.recording }).catch((error: unknown) => this.log('warn', `saving progress of session ${state.sessionId}: ${errorMessage(error)}`));
  }

  phase(phase: ImportPhase): void {
    this.step({ type: 'phase', at: Date.now(), phase, state: phase === 'scanning' || phase === 'planning' ? 'SCANNING' : 'PROCESSING' });
  }

  log(level: 'info' | 'warn', message: string): void {
    this.tracker.apply({ type: 'log', at: Date.now(), level, message });
  }
}

async function importInto(db: WkmpDatabase, place: ImportPlaces, request: ImportRequest): Promise<ImportSummary> {
  const settingRows = listSettings(db.read);
  const settings = readSettings(settingRows);
  db.recorder.setMaxLockWait(settings.ai_database_max_lock_wait_ms);
  const jobs = request.jobs ?? settings.ingest_max_concurrent_jobs;
  // The setting's bound, whoever asks (the command line and the API check it too, with their own words).
  const jobsRule = settingOf('ingest_max_concurrent_jobs');
  if (jobsRule.parse(String(jobs)) === undefined) throw new InvalidInputError('startup', `jobs must be ${jobsRule.rule()}, got ${jobs}`);
  const sessionId = randomUUID();
  const reporter = new Reporter(db, request.onEvent);
  request.onTracker?.(reporter.tracker);
  const recording = db.recorder.beginRecording(sessionId, {
    onBatch: (report) => reporter.step({
      type: 'batch-committed', at: Date.now(), files: report.committed, write: recording.metrics.summary(),
      failed: report.failed.map(({ path, phase, code, message }) => ({ path, phase, code, message })),
    }),
    onBusy: (error) => reporter.log('warn', error.message),
  });
  reporter.recording = recording;
  try {
    // Claim the one running session: refused while another import runs, here or in another process.
    await db.recorder.write(claimSession({ sessionId, rootFolder: place.rootFolder, folder: place.relativeFolder, parameters: { jobs, origin: request.origin ?? 'cli' } }), { recording });
  } catch (error) {
    await recording.end();
    throw error;
  }
  reporter.step({ type: 'started', at: Date.now(), sessionId, rootFolder: place.rootFolder, folder: place.relativeFolder, database: db.path });
  let ended: 'COMPLETED' | 'CANCELLED' | 'FAILED' = 'FAILED';
  let failure: string | undefined;
  let errors: SessionErrors;
  try {
    const level = request.analysis ?? 'full';
    const analysis: AnalysisPlan = {
      level,
      jobs,
      // A tags pass decodes nothing, but asks ffmpeg about the files whose bytes don't say what they are, when it has one.
      ffmpeg: level === 'full' ? await findFfmpeg(request.ffmpeg) : ffmpegForProbing(request.ffmpeg),
      audio: audioAnalysisOptions(settingRows),
      fileTimeLimitMs: request.fileTimeLimitMs ?? defaultFileTimeLimitMs,
    };
    const completed = await importFolder(db, place, recording, reporter, analysis, request.signal);
    ended = completed ? 'COMPLETED' : 'CANCELLED';
  } catch (error) {
    failure = errorMessage(error);
    throw error;
  } finally {
    errors = await endSession(db, recording, reporter, ended, failure);
  }
  return summaryOf(reporter.tracker.state!, errors);
}

async function importFolder(
  db: WkmpDatabase, place: ImportPlaces, recording: FileRecording, reporter: Reporter, analysis: AnalysisPlan, signal?: AbortSignal,
): Promise<boolean> {
  // scan and plan: the walk merged folder by folder with what the database knows, hidden and system folders skipped, links not followed;
  // renamed files' rows follow them; a file whose drive or share is not there is offline, neither missing nor deleted
  const plan = await planImport(db, place, realDatabasePath(db.path), analysis.level, {
    onFailure: (failure) => recording.add(failure),
    onMoves: (moves) => db.recorder.write(moveFiles(moves.map(({ guid, entry, wasMissing }) => ({ guid, path: entry.path, device: entry.device, inode: entry.inode, wasMissing }))), { recording }),
    onPresence: (presence) => db.recorder.write(markPresence(presence), { recording }),
    warn: (message) => reporter.log('warn', message),
    onPairing: () => reporter.phase('planning'),
  });
  try {
    reportPlan(reporter, plan);
    // missing files are marked, never deleted; unchanged ones that came back are unmarked
    await plan.markPresence();
    // analyse in worker threads (what each file is, by its content, is found there), record in batches
    reporter.phase('analysing');
    const total = plan.toAnalyse.new + plan.toAnalyse.changed + plan.toAnalyse.upgrade;
    const completed = await analyseFiles(plan.files(), total, recording, reporter, analysis, plan.offeredMissing, signal);
    // what is analysed and not yet committed
    reporter.phase('recording');
    await recording.flush();
    return completed;
  } finally {
    plan.close();
  }
}

function reportPlan(reporter: Reporter, plan: ImportPlan): void {
  const { absence, survey } = plan;
  reporter.step({
    type: 'planned', at: Date.now(), toAnalyse: plan.toAnalyse, unchanged: survey.unchanged, moved: plan.moved, movedUnopened: plan.movedUnopened,
    missing: absence.missing, offline: absence.offline, skippedSymlinks: survey.skippedSymlinks,
  });
  if (absence.missing > 0) reporter.log('warn', `${absence.missing} known files are missing from disk; they are kept and marked`);
  if (absence.offline > 0) {
    const where = absence.offlineFolders.map((folder) => (folder === '' ? 'the root folder' : folder)).slice(0, 5).join(', ');
    reporter.log('warn', `${absence.offline} known files are offline (${where}: a drive not mounted or a share not there?); they are kept, not marked missing`);
  }
}

/** Commits what is left, writes the session's last row, and reports the end; returns the session's first per-file errors and their total. */
async function endSession(
  db: WkmpDatabase, recording: FileRecording, reporter: Reporter, state: 'COMPLETED' | 'CANCELLED' | 'FAILED', failure?: string,
): Promise<SessionErrors> {
  reporter.phase('finishing');
  let errors: SessionErrors;
  try {
    await recording.end().catch((error: unknown) => {
      if (state !== 'FAILED') throw error;
    });
  } finally {
    const current = reporter.tracker.state!;
    await db.recorder.write(endSessionRow({
      sessionId: current.sessionId, state, filesTotal: current.filesTotal, filesProcessed: current.filesDone,
      counts: JSON.stringify(current.counts), metrics: JSON.stringify(current.write), errors: JSON.stringify(failure === undefined ? [] : [failure]),
    }), { recording })
      .catch((error: unknown) => reporter.log('warn', `ending session ${current.sessionId}: ${errorMessage(error)}`))
      .finally(() => releaseSession(current.sessionId));
    errors = { first: listImportErrors(db.read, current.sessionId, summaryErrorsLimit), total: countImportErrors(db.read, current.sessionId) };
    reporter.tracker.apply({ type: 'ended', at: Date.now(), state, ...(failure === undefined ? {} : { message: failure }) }, errors);
  }
  return errors;
}

function realDatabasePath(database: string): string {
  try {
    return realpathSync(database);
  } catch {
    return database;
  }
}

/** What a result says the file is, for the count by class. */
function classOf(result: AnalysisResult): FileClass {
  if (result.kind === 'other') return result.fileClass;
  if (result.kind === 'failure') return result.contentClass ?? 'audio';
  if (result.kind === 'same file') return 'audio';
  return 'audio';
}

/**
 * Files per worker thread in a tags pass: a thread takes some 60 ms to start and warm up, which
 * a second one earns back only past about 600 files on two cores (docs/adr/0009).
 */
const tagsFilesPerWorker = 500;
/** Files per task in a tags pass: each takes a fraction of a millisecond, and a task's round trip through the pool as much again. */
const tagsFilesPerTask = 16;

/**
 * Keeps every worker busy and hands each result to the recorder, taking the files as the workers
 * free up. A tags pass sends them several files per task. Returns false when cancelled.
 */
async function analyseFiles(
  files: Iterator<PlannedWork>, total: number, recording: FileRecording, reporter: Reporter,
  analysis: AnalysisPlan, offeredMissing: ReadonlySet<string>, signal?: AbortSignal,
): Promise<boolean> {
  if (total === 0) return !signal?.aborted;
  const tagsPass = analysis.level === 'tags';
  const pool = await createAnalysisPool({
    jobs: Math.max(1, Math.min(analysis.jobs, tagsPass ? Math.ceil(total / tagsFilesPerWorker) : total)),
    fileTimeLimitMs: analysis.fileTimeLimitMs,
  });
  const filesPerTask = tagsPass ? tagsFilesPerTask : 1;
  let exhausted = false;
  let stopped = 0;
  /** The next files to analyse, up to `filesPerTask`; fewer at the end. */
  function nextFiles(): PlannedWork[] {
    const taken: PlannedWork[] = [];
    while (taken.length < filesPerTask) {
      const next = files.next();
      if (next.done === true) {
        exhausted = true;
        break;
      }
      taken.push(next.value);
    }
    return taken;
  }
  function taskOf({ file: { entry, knownGuid, cueSignature, expectsAudio, sameAs }, cueSheet }: PlannedWork): AnalyseTask {
    reporter.step({ type: 'file-started', at: Date.now(), path: entry.path });
    return {
      kind: 'analyse', absolutePath: entry.absolutePath, path: entry.path, knownGuid, expectsAudio, cueSignature, sameAs,
      cueSheet, analysis: analysis.level, ffmpeg: analysis.ffmpeg, audio: analysis.audio,
    };
  }
  async function record({ file: { action, entry } }: PlannedWork, result: AnalysisResult | null): Promise<void> {
    if (result === null) {
      reporter.step({ type: 'file-stopped', at: Date.now(), path: entry.path });
      stopped += 1; // cancelled in flight: not recorded, the next import does it
      return;
    }
    reporter.step({
      type: 'file-analysed', at: Date.now(), path: entry.path, action, fileClass: classOf(result),
      audioSeconds: result.kind === 'record' ? result.decodedSeconds : 0, noAudio: result.kind === 'record' && result.status === 'NO AUDIO',
      ...(result.kind === 'same file' ? { found: { how: result.how, wasMissing: offeredMissing.has(result.guid) } } : {}),
    });
    await recording.add(result);
  }
  /** One worker's files: the next task is sent as soon as the last one's results are back, before they are recorded. */
  async function lane(): Promise<void> {
    let taken = signal?.aborted ? [] : nextFiles();
    let running = pool.analyseAll(taken.map(taskOf), signal);
    while (taken.length > 0) {
      const results = await running;
      const following = signal?.aborted ? [] : nextFiles();
      running = pool.analyseAll(following.map(taskOf), signal);
      for (const [i, result] of results.entries()) await record(taken[i]!, result);
      taken = following;
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(pool.capacity, Math.ceil(total / filesPerTask)) }, lane));
  } finally {
    await pool.close();
  }
  return exhausted && stopped === 0 && !signal?.aborted;
}
