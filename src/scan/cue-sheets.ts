/**
 * Cue sheets beside audio files (`.cue`): they define a file's passages (analysis/cue-sheet.ts).
 * The plan needs no sheet's content, only whether a folder's sheets changed since its audio was
 * analysed: a signature of every `.cue` in the folder (name, size, modification time), recorded
 * with each file. Editing, adding or removing a sheet re-imports the folder's audio.
 */
import { formatModificationTime } from '../file-record.js';
import type { ScanEntry } from './walk.js';

export function isCueSheet(path: string): boolean {
  return /\.cue$/i.test(path);
}

export function folderOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

/** Each folder's cue sheets as one signature, by folder; a folder without sheets has none. */
export function cueSignatures(entries: readonly ScanEntry[]): Map<string, string> {
  const byFolder = new Map<string, string[]>();
  for (const entry of entries) {
    if (!isCueSheet(entry.path)) continue;
    const folder = folderOf(entry.path);
    const name = entry.path.slice(folder.length === 0 ? 0 : folder.length + 1);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), `${name}:${entry.sizeBytes}:${formatModificationTime(entry.mtimeMs)}`]);
  }
  return new Map([...byFolder].map(([folder, sheets]) => [folder, JSON.stringify(sheets.sort())]));
}
