/**
 * Keeps wkmp.db in step with the root folder while the service runs: first a rescan of the whole
 * root (what changed while the service was stopped), then the folders the watcher reports, each
 * batch through the same import engine and recorder as any import (ImportService). One session at
 * a time: folders reported while an import runs (the watcher's or one someone started) wait in the
 * watcher's queue and are imported after it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, SessionRunningError } from '../errors.js';
import { folderOf } from '../scan/cue-sheets.js';
import { databaseFilePaths } from '../watch/ignore.js';
import { FolderWatcher, type FolderWatcherOptions, type WatcherState } from '../watch/watcher.js';
import type { ImportService } from './import-service.js';

export interface LibrarySyncOptions {
  rootFolder: string;
  database: string;
  /** The ai_rescan_interval_minutes setting, in ms: how often to rescan where events don't arrive. */
  pollIntervalMs: number;
  /** The timing, for tests; the defaults otherwise (a 3 s debounce, asking again every 10 s for a session another process holds). */
  timing?: SyncTiming;
  onError(message: string): void;
}

export type SyncTiming = Pick<FolderWatcherOptions, 'debounceMs' | 'stabilityMs' | 'mountInfo'> & {
  /** How long to wait before asking again when another process's import holds the session. */
  retryMs?: number;
};

/** What the watcher last had imported. */
export interface SyncedImport {
  /** The folders, relative to the root ('' the root itself). */
  folders: string[];
  sessionId: string | null;
  /** When it ended, ISO 8601. */
  endedAt: string;
  state: string;
  /** Why it could not run, when it could not. */
  failure: string | null;
}

export type SyncState =
  | { mode: 'off'; reason: string }
  | { mode: 'catching up'; waiting: string[] }
  | (WatcherState & {
    lastImport: SyncedImport | null;
    /** Folders reported and waiting for the import that runs now, whoever started it (one session at a time). */
    waiting: string[];
  });

/** The nearest folder of `folder` (relative) that still exists: a folder removed since it was reported leaves its parent to rescan. */
function existingFolder(root: string, folder: string): string {
  let at = folder;
  while (at !== '' && !existsSync(join(root, at))) at = folderOf(at);
  return at;
}

export class LibrarySync {
  private watcher: FolderWatcher | null = null;
  private catchingUp = true;
  private closed = false;
  private lastImport: SyncedImport | null = null;
  private waiting: string[] = [];
  private wakeRetry: (() => void) | null = null;

  private constructor(private readonly service: ImportService, private readonly options: LibrarySyncOptions) {}

  /** Starts the catch-up rescan and, behind it, the watcher; returns at once. */
  static start(service: ImportService, options: LibrarySyncOptions): LibrarySync {
    const sync = new LibrarySync(service, options);
    void sync.run();
    return sync;
  }

  state(): SyncState {
    if (this.catchingUp && !this.closed) return { mode: 'catching up', waiting: this.waiting };
    const waiting = [...new Set([...this.waiting, ...(this.watcher?.queuedFolders() ?? [])])];
    return { ...(this.watcher?.state() ?? { mode: 'stopped' }), lastImport: this.lastImport, waiting };
  }

  private async run(): Promise<void> {
    await this.importFolders(['']);
    this.catchingUp = false;
    if (this.closed) return;
    try {
      this.watcher = await FolderWatcher.start({
        root: this.options.rootFolder,
        onChange: (folders) => this.importFolders(folders),
        pollIntervalMs: this.options.pollIntervalMs,
        ignorePaths: new Set(databaseFilePaths(this.options.database)),
        onError: this.options.onError,
        ...(this.options.timing === undefined ? {} : watcherTiming(this.options.timing)),
      });
      if (this.closed) await this.watcher.close();
    } catch (error) {
      this.options.onError(`folder watcher: ${errorMessage(error)}; the root folder is imported only when someone starts an import`);
    }
  }

  /** Imports the folders once no import runs; waits and asks again while another process's session holds the database. */
  private async importFolders(reported: readonly string[]): Promise<void> {
    const folders = [...new Set(reported.map((folder) => existingFolder(this.options.rootFolder, folder)))];
    // Waiting, until its session starts: behind this service's import, or another process's.
    this.waiting = folders;
    while (!this.closed) {
      await this.service.whenIdle();
      if (this.closed) return;
      try {
        const started = await this.service.start({ folder: '', folders, origin: 'watch' });
        this.waiting = [];
        await this.service.whenIdle();
        const ended = this.service.find(started.sessionId);
        this.lastImport = { folders, sessionId: started.sessionId, endedAt: new Date().toISOString(), state: ended?.state ?? 'ENDED', failure: ended?.failure ?? null };
        return;
      } catch (error) {
        if (error instanceof SessionRunningError) {
          await this.pause(this.options.timing?.retryMs ?? 10_000);
          continue;
        }
        this.waiting = [];
        this.lastImport = { folders, sessionId: null, endedAt: new Date().toISOString(), state: 'FAILED', failure: errorMessage(error) };
        this.options.onError(`importing ${folders.map((folder) => folder || 'the root folder').join(', ')}: ${errorMessage(error)}`);
        return;
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeRetry = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Stops watching; an import it started is the service's to cancel (ImportService.shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeRetry?.();
    await this.watcher?.close();
  }
}

function watcherTiming({ debounceMs, stabilityMs, mountInfo }: SyncTiming): Partial<FolderWatcherOptions> {
  return { ...(debounceMs === undefined ? {} : { debounceMs }), ...(stabilityMs === undefined ? {} : { stabilityMs }), ...(mountInfo === undefined ? {} : { mountInfo }) };
}

/** Why the service does not watch, when it does not: the state the page shows. */
export function syncOff(reason: string): SyncState {
  return { mode: 'off', reason };
}
