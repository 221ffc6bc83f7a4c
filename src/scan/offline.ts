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

export interface Absence {
  missing: KnownFileIdentity[];
  offline: KnownFileIdentity[];
  /** Why files are offline, for the summary's warning: the folders whose filesystem is gone. */
  offlineFolders: string[];
}

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

/** Splits the files the walk did not find into missing and offline. `walked`: files the walk found under the imported folders. */
export function splitAbsent(root: string, absent: readonly KnownFileIdentity[], walked: number, wholeRoot: boolean): Absence {
  if (absent.length > 0 && walked === 0 && wholeRoot) return { missing: [], offline: [...absent], offlineFolders: [''] };
  const cache = new Map<string, number | null>();
  const absence: Absence = { missing: [], offline: [], offlineFolders: [] };
  const offlineFolders = new Set<string>();
  for (const file of absent) {
    const device = deviceHolding(root, folderOf(file.path), cache);
    if (file.deviceId !== null && device !== null && device !== file.deviceId) {
      absence.offline.push(file);
      offlineFolders.add(folderOf(file.path));
    } else absence.missing.push(file);
  }
  absence.offlineFolders = [...offlineFolders].sort();
  return absence;
}
