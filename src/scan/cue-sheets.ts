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

/** One folder's cue sheets (among its files) as one signature; null when it has none. */
export function folderCueSignature(folderFiles: readonly ScanEntry[]): string | null {
  const sheets = folderFiles.filter((entry) => isCueSheet(entry.path))
    .map((entry) => `${entry.path.slice(entry.path.lastIndexOf('/') + 1)}:${entry.sizeBytes}:${formatModificationTime(entry.mtimeMs)}`);
  return sheets.length === 0 ? null : JSON.stringify(sheets.sort());
}
