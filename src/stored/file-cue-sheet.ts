/**
 * A cue sheet's tracks for one audio file: what its passages are, and where that was read. The
 * import hands one to a worker (a `.cue` beside the file: import/cue-sheets.ts); a worker reads
 * one inside the file (analysis/cue-sheet.ts, flac-cue-sheet.ts); identification keeps one for a
 * file that holds a whole release, in `wkmp_ai_release_plans.sheet` (identify/queue.ts), which the
 * next import reads back (import/run.ts).
 */
import { arrayOf, nullable, number, object, oneOf, readJsonColumn, string, type Stored } from './check.js';

export interface CueAlbum {
  title: string | null;
  performer: string | null;
  date: string | null;
  genre: string | null;
  releaseMbid: string | null;
  /** CATALOG: the disc's UPC/EAN. */
  catalog: string | null;
  /** REM DISCID: the freedb/CDDB disc id EAC writes. */
  discId: string | null;
  /** REM COMMENT: usually the ripper and its version. */
  comment: string | null;
}

/** TRACK nn AUDIO is 'audio'; every other type (MODE1/2352, CDG, …) is 'data' and never a passage. */
export type CueTrackKind = 'audio' | 'data';

export interface CueTrack {
  number: number;
  kind: CueTrackKind;
  /** INDEX 01 of the track, ticks from the start of its file. */
  startTicks: number;
  /** Where the track ends in the same file: the next track's INDEX 00 when it has one, else its INDEX 01; null for the last track of a file (it runs to the end of the file's sound). */
  endTicks: number | null;
  title: string | null;
  performer: string | null;
  recordingMbid: string | null;
  artistMbids: string[];
  isrc: string | null;
  /** FLAGS as written, upper-case: DCP, 4CH, PRE (pre-emphasis), SCMS. */
  flags: string[];
}

/** The tracks a cue sheet gives one audio file: what its passages are, and where that was read. */
export interface FileCueSheet {
  /** The sheet's path relative to the root, or `embedded` for one inside the audio file. */
  source: string;
  album: CueAlbum;
  tracks: CueTrack[];
}

const cueAlbum = object<CueAlbum>({
  title: nullable(string), performer: nullable(string), date: nullable(string), genre: nullable(string),
  releaseMbid: nullable(string), catalog: nullable(string), discId: nullable(string), comment: nullable(string),
});

const cueTrack = object<CueTrack>({
  number, kind: oneOf('audio', 'data'), startTicks: number, endTicks: nullable(number), title: nullable(string), performer: nullable(string),
  recordingMbid: nullable(string), artistMbids: arrayOf(string), isrc: nullable(string), flags: arrayOf(string),
});

const fileCueSheet = object<FileCueSheet>({ source: string, album: cueAlbum, tracks: arrayOf(cueTrack) });

/** A release plan's sheet, as identification stored it. */
export function parseReleasePlanSheet(text: string): Stored<FileCueSheet> {
  return readJsonColumn('wkmp_ai_release_plans.sheet', text, fileCueSheet);
}
