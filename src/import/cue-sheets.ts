/**
 * Reads the cue sheets of the folders whose audio this import analyses, once per folder, in the
 * main thread (a sheet is a few KB): each audio file gets the tracks its folder's sheets give it;
 * a sheet that cannot be read or parsed, or that names a file the folder lacks, becomes an error
 * row under the sheet's path, and its audio is segmented at its silences as if it had none.
 */
import { open } from 'node:fs/promises';
import type { CueSheet } from '../analysis/cue-sheet.js';
import type { FileCueSheet } from '../stored/file-cue-sheet.js';
import type * as CueSheetModule from '../analysis/cue-sheet.js';
import { fileFailure } from '../analysis/file-failure.js';
import { errorMessage } from '../errors.js';
import type { FileFailure } from '../file-record.js';
import { folderOf, isCueSheet } from '../scan/cue-sheets.js';
import type { PlannedFile } from '../scan/plan.js';
import type { ScanEntry } from '../scan/walk.js';

/** No cue sheet is this large; a bigger `.cue` is not one. */
const largestSheetBytes = 1024 * 1024;

export interface FolderCueSheets {
  /** By the audio file's path. */
  sheets: Map<string, FileCueSheet>;
  /** One per unusable sheet. */
  failures: FileFailure[];
}

function nameIn(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

async function readSheet({ decodeCueText, parseCueSheet }: typeof CueSheetModule, entry: ScanEntry): Promise<CueSheet | FileFailure> {
  if (entry.sizeBytes > largestSheetBytes) {
    return fileFailure(entry.path, 'cue', 'CUE_INVALID', `${entry.sizeBytes} bytes is too large for a cue sheet`);
  }
  try {
    const handle = await open(entry.absolutePath, 'r');
    try {
      return parseCueSheet(decodeCueText(await handle.readFile()));
    } finally {
      await handle.close();
    }
  } catch (error) {
    return fileFailure(entry.path, 'cue', 'CUE_INVALID', errorMessage(error));
  }
}

export async function readCueSheets(toAnalyse: readonly PlannedFile[], scanned: readonly ScanEntry[]): Promise<FolderCueSheets> {
  const wanted = new Set(toAnalyse.map((file) => folderOf(file.entry.path)));
  const byFolder = new Map<string, ScanEntry[]>();
  for (const entry of scanned) {
    const folder = folderOf(entry.path);
    if (wanted.has(folder)) byFolder.set(folder, [...(byFolder.get(folder) ?? []), entry]);
  }
  const result: FolderCueSheets = { sheets: new Map(), failures: [] };
  let parser: typeof CueSheetModule | undefined;
  for (const [folder, entries] of byFolder) {
    const cueEntries = entries.filter((entry) => isCueSheet(entry.path));
    if (cueEntries.length === 0) continue;
    // The parser and its text decoders load only for a library that has cue sheets: a start-up cost otherwise.
    parser ??= await import('../analysis/cue-sheet.js');
    const { missingFiles, tracksForFile } = parser;
    const names = entries.map((entry) => nameIn(entry.path));
    const audio = toAnalyse.filter((file) => folderOf(file.entry.path) === folder);
    for (const cueEntry of cueEntries) {
      const sheet = await readSheet(parser, cueEntry);
      if ('kind' in sheet) {
        result.failures.push(sheet);
        continue;
      }
      const missing = missingFiles(sheet, names);
      if (missing.length > 0) {
        result.failures.push(fileFailure(cueEntry.path, 'cue', 'CUE_FILE_MISSING', `it names ${missing.map((name) => `"${name}"`).join(', ')}, not in its folder`));
      }
      for (const file of audio) {
        const tracks = tracksForFile(sheet, nameIn(file.entry.path), names);
        if (tracks && tracks.length > 0 && !result.sheets.has(file.entry.path)) {
          result.sheets.set(file.entry.path, { source: cueEntry.path, album: sheet.album, tracks });
        }
      }
    }
  }
  return result;
}
