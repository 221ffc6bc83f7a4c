/**
 * CUE sheets: the text file a ripper (EAC, XLD, foobar2000) writes beside a whole-disc image to say
 * where each track starts. Decoding, parsing and matching the sheet's FILE entries to the files of
 * its folder; pure functions, times in ticks from the start of each file.
 */
import { analyse } from 'chardet';
import iconv from 'iconv-lite';
import { TICKS_PER_SECOND } from '../file-record.js';
import { classifyByExtension } from '../file-class.js';
import type { CueAlbum, CueTrack } from '../stored/file-cue-sheet.js';
import { asMbid } from './mbid.js';
import { CueSheetError } from './cue-sheet-error.js';

export { CueSheetError };

export interface CueSheet {
  album: CueAlbum;
  /** In sheet order; a track belongs to the FILE of its INDEX 01. */
  files: { name: string; tracks: CueTrack[] }[];
}


const FRAMES_PER_SECOND = 75;
/** 376 320: a CD frame is a whole number of ticks. */
const TICKS_PER_FRAME = TICKS_PER_SECOND / FRAMES_PER_SECOND;

// ---------------------------------------------------------------------------------------------
// Decoding

const byteOrderMarks = [
  { encoding: 'utf-8', bytes: [0xef, 0xbb, 0xbf] },
  { encoding: 'utf-16le', bytes: [0xff, 0xfe] },
  { encoding: 'utf-16be', bytes: [0xfe, 0xff] },
] as const;

/**
 * The encodings chardet is trusted with, and their iconv-lite names. Its guesses among single-byte
 * code pages are not reliable on text as short as a CUE sheet (measured with chardet 2.2.0: a short
 * German windows-1252 sheet came out ISO-8859-9, a Russian windows-1251 one ISO-8859-1), while its
 * East-Asian multi-byte answers are (100 for GB18030, Big5 and Shift_JIS sheets, 81 for EUC-KR).
 */
const multiByteEncodings: ReadonlyMap<string, string> = new Map([
  ['Shift_JIS', 'shiftjis'], ['EUC-JP', 'eucjp'], ['EUC-KR', 'euckr'], ['GB18030', 'gb18030'], ['Big5', 'big5'],
]);
const MIN_CONFIDENCE = 50;

/**
 * The text of a CUE file: a BOM decides (UTF-8, UTF-16LE/BE); else valid UTF-8 is UTF-8; else
 * chardet may name an East-Asian multi-byte encoding; anything else is windows-1252, which EAC
 * writes on Western Windows. chardet detects, iconv-lite decodes: Node's own
 * `TextDecoder('windows-1252')` decodes as Latin-1 since Node 20.18.3 (0x92 gives U+0092, not ’;
 * nodejs/node#56542), so it is used only for UTF-8 and UTF-16.
 */
export function decodeCueText(bytes: Uint8Array): string {
  const bom = byteOrderMarks.find((mark) => mark.bytes.every((byte, i) => bytes[i] === byte));
  if (bom) return new TextDecoder(bom.encoding).decode(bytes);
  return strictUtf8(bytes) ?? iconv.decode(bytes, legacyEncoding(bytes));
}

function strictUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function legacyEncoding(bytes: Uint8Array): string {
  const [best] = analyse(bytes);
  const multiByte = best && best.confidence >= MIN_CONFIDENCE ? multiByteEncodings.get(best.name) : undefined;
  return multiByte ?? 'windows1252';
}

// ---------------------------------------------------------------------------------------------
// Parsing

interface Line {
  number: number;
  /** The line as written, whitespace collapsed: quoted in messages. */
  text: string;
  /** What follows the keyword. */
  rest: string;
}

interface IndexPoint {
  frames: number;
  /** Position in `Draft.fileNames`: the FILE current at the INDEX line. */
  file: number;
}

interface TrackDraft extends Omit<CueTrack, 'startTicks' | 'endTicks'> {
  line: number;
  indexNumbers: Set<number>;
  index00: IndexPoint | null;
  index01: IndexPoint | null;
}

type ClosedTrack = TrackDraft & { index01: IndexPoint };

interface Draft {
  album: CueAlbum;
  fileNames: string[];
  closed: ClosedTrack[];
  open: TrackDraft | null;
  /** The last INDEX time in the current FILE: times may not go back within one file. */
  lastFrames: number | null;
}

/** Parses a CUE sheet's text; throws `CueSheetError` naming the line when the sheet is broken. */
export function parseCueSheet(text: string): CueSheet {
  const draft: Draft = {
    album: { title: null, performer: null, date: null, genre: null, releaseMbid: null, catalog: null, discId: null, comment: null },
    fileNames: [],
    closed: [],
    open: null,
    lastFrames: null,
  };
  text.split(/\r\n|\r|\n/).forEach((row, i) => readLine(draft, row, i + 1));
  if (draft.fileNames.length === 0) throw new CueSheetError('no FILE line: not a CUE sheet');
  closeTrack(draft);
  return assemble(draft);
}

/** Commands that are neither here nor an error (SONGWRITER, PREGAP, POSTGAP, CDTEXTFILE, …) are skipped. */
const commands = new Map<string, (draft: Draft, line: Line) => void>([
  ['REM', readRem],
  ['TITLE', (draft, line) => { (draft.open ?? draft.album).title = unquote(line.rest); }],
  ['PERFORMER', (draft, line) => { (draft.open ?? draft.album).performer = unquote(line.rest); }],
  ['CATALOG', (draft, line) => { draft.album.catalog = unquote(line.rest); }],
  ['FILE', readFile],
  ['TRACK', readTrack],
  ['INDEX', readIndex],
  ['ISRC', (draft, line) => { if (draft.open) draft.open.isrc = unquote(line.rest); }],
  ['FLAGS', (draft, line) => { if (draft.open) draft.open.flags = line.rest.toUpperCase().split(/\s+/).filter((flag) => flag !== ''); }],
]);

function readLine(draft: Draft, row: string, number: number): void {
  const text = row.trim();
  if (text === '') return;
  if (hasControlCharacter(text)) throw new CueSheetError('binary data, not a CUE sheet', number);
  const keyword = /^\S+/.exec(text)?.[0] ?? '';
  commands.get(keyword.toUpperCase())?.(draft, { number, text: text.replace(/\s+/g, ' '), rest: text.slice(keyword.length).trim() });
}

/** Tab is whitespace and SUB (0x1a) the DOS end-of-file mark; any other C0 control means binary. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x1a) || code === 0x7f) return true;
  }
  return false;
}

/** A value in quotes (which may hold spaces and even quotes) or running to the end of the line; '' is null. */
function unquote(value: string): string | null {
  const inner = value.startsWith('"') ? value.slice(1, value.length > 1 && value.endsWith('"') ? -1 : undefined) : value;
  const trimmed = inner.trim();
  return trimmed === '' ? null : trimmed;
}

function readRem(draft: Draft, line: Line): void {
  const [, key = '', value = ''] = /^(\S+)\s*(.*)$/.exec(line.rest) ?? [];
  const text = unquote(value);
  if (draft.open) readTrackRem(draft.open, key.toUpperCase(), text);
  else readAlbumRem(draft.album, key.toUpperCase(), text);
}

function readAlbumRem(album: CueAlbum, key: string, value: string | null): void {
  if (key === 'DATE') album.date = value;
  else if (key === 'GENRE') album.genre = value;
  else if (key === 'DISCID') album.discId = value;
  else if (key === 'COMMENT') album.comment = value;
  else if (key === 'MUSICBRAINZ_ALBUMID' || key === 'MUSICBRAINZ_RELEASEID') album.releaseMbid ??= asMbid(value);
}

/** MUSICBRAINZ_TRACKID is a recording id, as Picard writes it in Vorbis comments. */
function readTrackRem(track: TrackDraft, key: string, value: string | null): void {
  if (key === 'MUSICBRAINZ_TRACKID' || key === 'MUSICBRAINZ_RECORDINGID') track.recordingMbid ??= asMbid(value);
  else if (key === 'MUSICBRAINZ_ARTISTID') {
    for (const id of (value ?? '').split(/[\s;,/]+/)) {
      const mbid = asMbid(id);
      if (mbid && !track.artistMbids.includes(mbid)) track.artistMbids.push(mbid);
    }
  }
}

function readFile(draft: Draft, line: Line): void {
  const name = fileName(line.rest);
  if (name === '') throw new CueSheetError(`${line.text} names no file`, line.number);
  draft.fileNames.push(name);
  draft.lastFrames = null;
}

/** `"name with spaces.wav" WAVE`, or unquoted: everything before the last word (the file type). */
function fileName(rest: string): string {
  if (rest.startsWith('"')) {
    const close = rest.lastIndexOf('"');
    return (close > 0 ? rest.slice(1, close) : rest.slice(1)).trim();
  }
  const typeAt = rest.search(/\s+\S+$/);
  return typeAt > 0 ? rest.slice(0, typeAt) : rest;
}

function readTrack(draft: Draft, line: Line): void {
  if (draft.fileNames.length === 0) throw new CueSheetError(`${line.text} comes before any FILE`, line.number);
  const match = /^(\d{1,3})(?:\s+(\S+))?$/.exec(line.rest);
  const number = Number(match?.[1] ?? 0);
  if (!match || number === 0) throw new CueSheetError(`${line.text} is not TRACK nn type`, line.number);
  closeTrack(draft);
  const earlier = draft.closed.find((track) => track.number === number);
  if (earlier) throw new CueSheetError(`${line.text} repeats track number ${number} of line ${earlier.line}`, line.number);
  draft.open = {
    number, kind: (match[2] ?? 'AUDIO').toUpperCase() === 'AUDIO' ? 'audio' : 'data', line: line.number,
    title: null, performer: null, recordingMbid: null, artistMbids: [], isrc: null, flags: [],
    indexNumbers: new Set(), index00: null, index01: null,
  };
}

function closeTrack(draft: Draft): void {
  const track = draft.open;
  if (!track) return;
  if (!track.index01) throw new CueSheetError(`TRACK ${twoDigits(track.number)} has no INDEX 01`, track.line);
  draft.closed.push({ ...track, index01: track.index01 });
  draft.open = null;
}

function readIndex(draft: Draft, line: Line): void {
  const track = draft.open;
  if (!track) throw new CueSheetError(`${line.text} is outside a TRACK`, line.number);
  const [, numberText, time = ''] = /^(\d{1,2})\s+(\S+)$/.exec(line.rest) ?? [];
  if (numberText === undefined) throw new CueSheetError(`${line.text} is not INDEX nn mm:ss:ff`, line.number);
  const number = Number(numberText);
  const frames = parseTime(time, line);
  if (track.indexNumbers.has(number)) throw new CueSheetError(`${line.text} repeats INDEX ${twoDigits(number)} of TRACK ${twoDigits(track.number)}`, line.number);
  if (draft.lastFrames !== null && frames < draft.lastFrames) {
    throw new CueSheetError(`${line.text} goes back before ${formatTime(draft.lastFrames)}, the previous INDEX in this FILE`, line.number);
  }
  draft.lastFrames = frames;
  track.indexNumbers.add(number);
  const point = { frames, file: draft.fileNames.length - 1 };
  if (number === 0) track.index00 = point;
  if (number === 1) track.index01 = point;
}

/** mm:ss:ff in CD frames; minutes may pass 99 (a long image). */
function parseTime(time: string, line: Line): number {
  const match = /^(\d{1,5}):(\d{1,2}):(\d{1,2})$/.exec(time);
  if (!match) throw new CueSheetError(`${line.text} is not mm:ss:ff`, line.number);
  const [minutes, seconds, frames] = match.slice(1).map(Number) as [number, number, number];
  if (seconds >= 60) throw new CueSheetError(`${line.text} has ${seconds} seconds (at most 59)`, line.number);
  if (frames >= FRAMES_PER_SECOND) throw new CueSheetError(`${line.text} has ${frames} frames (at most 74)`, line.number);
  return (minutes * 60 + seconds) * FRAMES_PER_SECOND + frames;
}

function formatTime(frames: number): string {
  const seconds = Math.floor(frames / FRAMES_PER_SECOND);
  return `${twoDigits(Math.floor(seconds / 60))}:${twoDigits(seconds % 60)}:${twoDigits(frames % FRAMES_PER_SECOND)}`;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** Each track goes to the FILE of its INDEX 01 and ends where the next track's first index in that file is. */
function assemble(draft: Draft): CueSheet {
  const files = draft.fileNames.map((name) => ({ name, tracks: [] as CueTrack[] }));
  draft.closed.forEach((track, i) => {
    const next = draft.closed[i + 1];
    const end = [next?.index00, next?.index01].find((point) => point?.file === track.index01.file);
    files[track.index01.file]?.tracks.push({
      number: track.number,
      kind: track.kind,
      startTicks: track.index01.frames * TICKS_PER_FRAME,
      endTicks: end ? end.frames * TICKS_PER_FRAME : null,
      title: track.title,
      performer: track.performer,
      recordingMbid: track.recordingMbid,
      artistMbids: track.artistMbids,
      isrc: track.isrc,
      flags: track.flags,
    });
  });
  return { album: draft.album, files };
}

// ---------------------------------------------------------------------------------------------
// Matching FILE entries to the files of the folder

/** How a FILE entry names a file, strongest first; 'extension': same base name, another extension (album.wav → album.flac). */
type FileMatch = 'exact' | 'case' | 'extension';
const fileMatches: readonly FileMatch[] = ['exact', 'case', 'extension'];

/**
 * The audio tracks of the sheet's FILE entry that names `audioFileName`, or null when none does.
 * A FILE entry may name the file with other letter case or another extension only when no file
 * of `namesInFolder` has the entry's exact name.
 */
export function tracksForFile(sheet: CueSheet, audioFileName: string, namesInFolder: readonly string[]): CueTrack[] | null {
  for (const kind of fileMatches) {
    const file = sheet.files.find((entry) => fileMatch(entry.name, audioFileName, namesInFolder) === kind);
    if (file) return file.tracks.filter((track) => track.kind === 'audio');
  }
  return null;
}

/** The sheet's FILE names that no file of the folder answers to (by another extension: only an audio file). */
export function missingFiles(sheet: CueSheet, namesInFolder: readonly string[]): string[] {
  return sheet.files
    .map((entry) => entry.name)
    .filter((name) => !namesInFolder.some((candidate) => {
      const match = fileMatch(name, candidate, namesInFolder);
      return match === 'exact' || match === 'case' || (match === 'extension' && classifyByExtension(candidate) === 'audio');
    }));
}

/** Only the base name of a FILE entry counts: rippers sometimes write a full Windows path. */
function fileMatch(entryName: string, candidate: string, namesInFolder: readonly string[]): FileMatch | null {
  const entry = entryName.slice(Math.max(entryName.lastIndexOf('/'), entryName.lastIndexOf('\\')) + 1);
  if (entry === candidate) return 'exact';
  if (namesInFolder.includes(entry)) return null;
  const lower = entry.toLowerCase();
  if (lower === candidate.toLowerCase()) return 'case';
  if (namesInFolder.some((name) => name.toLowerCase() === lower)) return null;
  return stem(lower) === stem(candidate.toLowerCase()) ? 'extension' : null;
}

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
