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
import { isCueSheet } from '../scan/cue-sheets.js';
import type { ScanEntry } from '../scan/walk.js';

/** No cue sheet is this large; a bigger `.cue` is not one. */
const largestSheetBytes = 1024 * 1024;

/** A folder's cue sheets, read once for all the folder's files. */
export interface FolderCueSheets {
  /** One per unusable sheet. */
  failures: FileFailure[];
  /** The tracks the folder's sheets give this audio file of it (its path), from the first sheet that names it; null when none does. */
  sheetFor(path: string): FileCueSheet | null;
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

/** The cue sheets of one folder (its files, as the walk lists them); null when it has none. */
export async function readFolderCueSheets(folderFiles: readonly ScanEntry[]): Promise<FolderCueSheets | null> {
  const cueEntries = folderFiles.filter((entry) => isCueSheet(entry.path));
  if (cueEntries.length === 0) return null;
  // The parser and its text decoders load only for a library that has cue sheets: a start-up cost otherwise.
  const parser = await import('../analysis/cue-sheet.js');
  const names = folderFiles.map((entry) => nameIn(entry.path));
  const failures: FileFailure[] = [];
  const sheets: { source: string; sheet: CueSheet }[] = [];
  for (const cueEntry of cueEntries) {
    const sheet = await readSheet(parser, cueEntry);
    if ('kind' in sheet) {
      failures.push(sheet);
      continue;
    }
    const missing = parser.missingFiles(sheet, names);
    if (missing.length > 0) {
      failures.push(fileFailure(cueEntry.path, 'cue', 'CUE_FILE_MISSING', `it names ${missing.map((name) => `"${name}"`).join(', ')}, not in its folder`));
    }
    sheets.push({ source: cueEntry.path, sheet });
  }
  return {
    failures,
    sheetFor(path) {
      for (const { source, sheet } of sheets) {
        const tracks = parser.tracksForFile(sheet, nameIn(path), names);
        if (tracks && tracks.length > 0) return { source, album: sheet.album, tracks };
      }
      return null;
    },
  };
}
