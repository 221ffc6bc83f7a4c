/**
 * A file is missing when its folder is there and it is not; it is offline when what held it is not
 * there: a drive that is not mounted, a network share that is absent. Then the folder left behind
 * (an empty mount point) or the nearest folder that still exists lives on another filesystem than
 * the file did, and nothing about the file may be concluded: it is neither marked nor counted
 * missing. A root folder the walk finds empty while the database knows files in it is offline too
 * (a mount point whose drive is gone, before wkmp-ai knew where files lived).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { KnownFileIdentity } from '../db/queries/files.js';
import { folderOf } from './cue-sheets.js';

/** The device of the nearest existing folder holding `folder` (relative to root), cached by folder. */
function deviceHolding(root: string, folder: string, cache: Map<string, number | null>): number | null {
  const cached = cache.get(folder);
  if (cached !== undefined) return cached;
  let device: number | null;
  try {
    const stat = statSync(join(root, folder));
    device = stat.isDirectory() ? stat.dev : null;
  } catch {
    device = folder === '' ? null : deviceHolding(root, folderOf(folder), cache);
  }
  cache.set(folder, device);
  return device;
}

/** Tells the files the walk did not find apart, one at a time: missing, or offline. */
export class Absence {
  private readonly devices = new Map<string, number | null>();
  private readonly folders = new Set<string>();
  missing = 0;
  offline = 0;

  /** `rootEmpty`: the walk found nothing in the whole root, whose files are then all offline. */
  constructor(private readonly root: string, private readonly rootEmpty: boolean) {}

  /** Whether this absent file is offline (counted so) or missing (counted so). */
  isOffline(file: KnownFileIdentity): boolean {
    const offline = this.rootEmpty || this.onAnotherDevice(file);
    if (offline) {
      this.offline += 1;
      this.folders.add(this.rootEmpty ? '' : folderOf(file.path));
    } else this.missing += 1;
    return offline;
  }

  /** Why files are offline, for the summary's warning: the folders whose filesystem is gone. */
  get offlineFolders(): string[] {
    return [...this.folders].sort();
  }

  private onAnotherDevice(file: KnownFileIdentity): boolean {
    const device = deviceHolding(this.root, folderOf(file.path), this.devices);
    return file.deviceId !== null && device !== null && device !== file.deviceId;
  }
}
