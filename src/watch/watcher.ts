/**
 * Keeps the library in sync: tells the service which folders to rescan after changes on disk.
 * Events (chokidar, over inotify) are debounced and gathered into folders; a file still being
 * written holds its folder back until it settles. Where events cannot be trusted (a network or
 * FUSE mount, the inotify watch limit) it polls: the whole library, every `pollIntervalMs`.
 *
 * chokidar rather than @parcel/watcher, though parcel takes one inotify watch per folder where
 * chokidar takes one per file too: past the limit parcel stops watching new folders without a word
 * (tried in a user namespace with a lowered limit: no error reached its callback), while chokidar
 * emits fs.watch's ENOSPC for every watch it cannot add, so the watcher knows to poll.
 */
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { errorMessage } from '../errors.js';
import { isSkippedFolder } from '../scan/walk.js';
import { FolderDelivery, type FolderHandler } from './delivery.js';
import { relativeToRoot } from '../scan/folders.js';
import { folderToRescan, type PathEvent } from './folders.js';
import { isIgnoredPath, type IgnoreRules } from './ignore.js';
import { describeLimitError, readWatchLimit, type WatchLimit } from './limits.js';
import { checkEventDelivery, parseMountInfo, readMountInfo, type EventDelivery } from './mounts.js';
import { splitReadyFolders, WrittenFiles } from './stability.js';
import { SingleTimer, systemTimers, type Timers } from './timers.js';

const defaultDebounceMs = 3000;
const defaultStabilityMs = 2000;
const defaultPollIntervalMs = 15 * 60_000;

export interface FolderWatcherOptions {
  /** The library's folder. */
  root: string;
  /** Called with the folders to rescan, relative to the root ('' for the root), never two calls at once. */
  onChange: FolderHandler;
  /** Quiet time after the last event before folders are reported; each event restarts it. */
  debounceMs?: number;
  /** Time between two looks at a file still being written; it is reported when two looks agree. */
  stabilityMs?: number;
  /** In polling mode, `onChange([''])` this often. */
  pollIntervalMs?: number;
  /** Folder names never watched; the import's `isSkippedFolder` unless given. Hidden names are never watched. */
  isSkipped?: (name: string) => boolean;
  /** Absolute paths never reported: the database's files (`databaseFilePaths`). */
  ignorePaths?: ReadonlySet<string>;
  timers?: Timers;
  /** A mount table in /proc/self/mountinfo's format, instead of this process's own. */
  mountInfo?: string;
  /** Told of errors that do not stop the watcher: a failed `onChange`, a watch error other than the kernel's limits. console.warn unless given. */
  onError?: (message: string) => void;
}

export type WatcherState =
  | { mode: 'watching'; folders: number }
  | { mode: 'polling'; everyMs: number; reason: string }
  | { mode: 'stopped' };

function describeMissedEvents(delivery: Extract<EventDelivery, { events: 'missed' }>): string {
  const { fsType, source, mountPoint } = delivery.mount;
  const where = delivery.at === 'folder' ? `the library is on a ${fsType} mount (${source} at ${mountPoint})` : `${mountPoint}, inside the library, is a ${fsType} mount (${source})`;
  return `${where}: changes made from other machines send no events`;
}

export class FolderWatcher {
  private readonly root: string;
  private readonly timers: Timers;
  private readonly timer: SingleTimer;
  private readonly delivery: FolderDelivery;
  private readonly written = new WrittenFiles();
  /** Folders reported by events that need no settling (removals, new folders), and those held back. */
  private touched = new Set<string>();
  private settling: Promise<void> = Promise.resolve();
  private chokidar: FSWatcher | undefined;
  private closingChokidar: Promise<void> = Promise.resolve();
  private watchLimit: WatchLimit | undefined;
  private polling: { everyMs: number; reason: string } | undefined;
  private stopped = false;
  private stopWaitingForReady: (() => void) | undefined;
  private readonly reportError: (message: string) => void;

  private constructor(private readonly options: FolderWatcherOptions) {
    this.root = resolve(options.root);
    this.timers = options.timers ?? systemTimers;
    this.timer = new SingleTimer(this.timers);
    this.reportError = options.onError ?? ((message) => console.warn(message));
    this.delivery = new FolderDelivery(options.onChange, this.reportError);
  }

  /** Watches, or polls where events cannot be trusted; resolves once the first look at the tree is done. */
  static async start(options: FolderWatcherOptions): Promise<FolderWatcher> {
    const watcher = new FolderWatcher(options);
    const mounts = options.mountInfo === undefined ? await readMountInfo() : parseMountInfo(options.mountInfo);
    const delivery = mounts === undefined ? { events: 'delivered' as const } : checkEventDelivery(await realpath(watcher.root), mounts);
    if (delivery.events === 'missed') watcher.poll(describeMissedEvents(delivery));
    else await watcher.watch();
    return watcher;
  }

  state(): WatcherState {
    if (this.stopped) return { mode: 'stopped' };
    if (this.polling !== undefined) return { mode: 'polling', ...this.polling };
    return { mode: 'watching', folders: this.countWatchedFolders() };
  }

  /** Folders reported while `onChange` was running, waiting for it to end. */
  queuedFolders(): string[] {
    return this.delivery.queued;
  }

  /** Stops watching and polling; resolves when no `onChange` call is running. Changes not yet reported are dropped. */
  async close(): Promise<void> {
    this.stopped = true;
    this.timer.cancel();
    this.written.clear();
    this.touched.clear();
    this.closingChokidar = Promise.all([this.closingChokidar, this.chokidar?.close()]).then(() => undefined);
    this.chokidar = undefined;
    await Promise.all([this.closingChokidar, this.settling, this.delivery.stop()]);
  }

  private async watch(): Promise<void> {
    this.watchLimit = await readWatchLimit();
    const rules: IgnoreRules = { root: this.root, isSkipped: this.options.isSkipped ?? isSkippedFolder, ignorePaths: this.options.ignorePaths ?? new Set() };
    const chokidar = watch(this.root, {
      ignoreInitial: true,
      followSymlinks: false, // as the import's walk: a link inside the tree points at what is watched anyway
      ignorePermissionErrors: true, // an unreadable folder is the import's to report, once, not on every event
      ignored: (path) => isIgnoredPath(path, rules),
    });
    this.chokidar = chokidar;
    chokidar.on('all', (event, path) => this.onEvent(event, path));
    chokidar.on('error', (error) => this.onWatchError(error));
    await new Promise<void>((resolveReady) => {
      this.stopWaitingForReady = resolveReady;
      chokidar.once('ready', resolveReady);
    });
  }

  private onEvent(event: string, absolutePath: string): void {
    if (this.stopped || this.polling !== undefined) return;
    const rel = relativeToRoot(this.root, absolutePath);
    if (rel === undefined || !['add', 'change', 'unlink', 'addDir', 'unlinkDir'].includes(event)) return;
    const folder = folderToRescan(event as PathEvent, rel);
    if (event === 'add' || event === 'change') this.written.changed(absolutePath, folder);
    else this.touched.add(folder);
    this.timer.arm(this.options.debounceMs ?? defaultDebounceMs, () => this.settle());
  }

  /** One settling at a time: a stability look that outlasts the next timer waits for the one before. */
  private settle(): Promise<void> {
    this.settling = this.settling.then(() => this.lookAndReport()).catch((error: unknown) => this.reportError(`folder watcher: ${errorMessage(error)}`));
    return this.settling;
  }

  private async lookAndReport(): Promise<void> {
    if (this.stopped || this.polling !== undefined) return;
    for (const folder of await this.written.look()) this.touched.add(folder);
    if (this.stopped || this.polling !== undefined) return;
    const { ready, held } = splitReadyFolders(this.touched, this.written.busyFolders());
    this.touched = new Set(held);
    if (ready.length > 0) this.delivery.deliver(ready);
    if (this.written.size > 0 && !this.timer.isArmed) this.timer.arm(this.options.stabilityMs ?? defaultStabilityMs, () => this.settle());
  }

  private onWatchError(error: unknown): void {
    if (this.stopped || this.polling !== undefined) return;
    const limit = describeLimitError(error, this.watchLimit);
    if (limit === undefined) this.reportError(`folder watcher: ${errorMessage(error)}`);
    // chokidar watches each file as well as each folder (its 'change' events come from the file's own watch).
    else this.poll(`${limit}: watching takes one watch per file and per folder`);
  }

  /** From now on, report the whole library every poll interval. */
  private poll(reason: string): void {
    if (this.chokidar !== undefined) this.closingChokidar = this.chokidar.close();
    this.chokidar = undefined;
    this.written.clear();
    this.touched.clear();
    const everyMs = this.options.pollIntervalMs ?? defaultPollIntervalMs;
    this.polling = { everyMs, reason };
    this.stopWaitingForReady?.();
    const tick = (): void => {
      this.delivery.deliver(['']);
      this.timer.arm(everyMs, tick);
    };
    this.timer.arm(everyMs, tick);
  }

  /**
   * Folders watched: the root and those reached from it. chokidar's list also has the root's
   * parent, and keeps an empty entry for a folder after it was removed; neither is reached.
   */
  private countWatchedFolders(): number {
    const watched = this.chokidar?.getWatched() ?? {};
    let count = 0;
    const toVisit = [this.root];
    for (let dir = toVisit.pop(); dir !== undefined; dir = toVisit.pop()) {
      count++;
      for (const name of watched[dir] ?? []) if (join(dir, name) in watched) toVisit.push(join(dir, name));
    }
    return count;
  }
}
