/**
 * ID3v2.3 and ID3v2.4 tags, the frames that give the common tags, decoded and split as
 * music-metadata does (lib/id3v2/FrameParser.js). A tag it would have to undo first
 * (unsynchronisation, an extended header, compressed, encrypted or grouped frames) or an older
 * version is left to music-metadata: null.
 */
import { latin1, syncsafe, uint32BE, utf8 } from '../bytes.js';
import type { NativeTag, TagMap } from './common-tags.js';

/** music-metadata's ID3v2.3/2.4 names (lib/id3v2/ID3v24TagMapper.js, compared in upper case) of the common tags analysis/tags.ts uses. */
export const id3v2TagMap: TagMap = {
  TIT2: 'title', TPE1: 'artist', 'TXXX:ARTISTS': 'artists', 'TXXX:DISCOGS_ARTISTS': 'artists', 'TXXX:DISCOGS_ARTIST_NAME': 'artists',
  TALB: 'album', TDRV: 'date', TDRC: 'date', 'TXXX:DISCOGS_RELEASED': 'date', TYER: 'year', TDOR: 'originaldate', 'TXXX:DISCOGS_DATE': 'originaldate',
  TORY: 'originalyear', 'TXXX:ORIGINALYEAR': 'originalyear', TRCK: 'track', 'UFID:HTTP://MUSICBRAINZ.ORG': 'musicbrainz_recordingid',
  'TXXX:MUSICBRAINZ ALBUM ID': 'musicbrainz_albumid', 'TXXX:MUSICBRAINZ ARTIST ID': 'musicbrainz_artistid', 'TXXX:MUSICBRAINZ WORK ID': 'musicbrainz_workid',
};

type Encoding = 'latin1' | 'utf-16le' | 'utf-16be' | 'utf8';
const encodings: readonly Encoding[] = ['latin1', 'utf-16le', 'utf-16be', 'utf8'];

function swapped(bytes: Uint8Array): Uint8Array {
  const swap = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    swap[i] = bytes[i + 1]!;
    swap[i + 1] = bytes[i]!;
  }
  return swap;
}

const utf16le = new TextDecoder('utf-16le');

/** music-metadata's decodeString (lib/common/Util.js): a little-endian BOM is dropped whatever the encoding. */
function decodeString(bytes: Uint8Array, encoding: Encoding): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeString(bytes.subarray(2), encoding);
  if (encoding === 'utf-16le' && bytes[0] === 0xfe && bytes[1] === 0xff) {
    if (bytes.length % 2 !== 0) throw new Error('odd UTF-16');
    return decodeString(swapped(bytes), encoding);
  }
  if (encoding === 'utf-16be') {
    if (bytes.length % 2 !== 0) throw new Error('odd UTF-16');
    return utf16le.decode(swapped(bytes));
  }
  return encoding === 'latin1' ? latin1(bytes) : encoding === 'utf8' ? utf8(bytes) : utf16le.decode(bytes);
}

function trimNullPadding(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0) end -= 1;
  return value.slice(0, end);
}

/** Where a string ends: the first NUL (two, on a 16-bit boundary, in UTF-16). */
function findZero(bytes: Uint8Array, encoding: Encoding): number {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    for (let i = 0; i + 1 < bytes.length; i += 2) if (bytes[i] === 0 && bytes[i + 1] === 0) return i;
    return bytes.length;
  }
  const zero = bytes.indexOf(0);
  return zero === -1 ? bytes.length : zero;
}

/** A description (TXXX, UFID) and the bytes after its terminator. */
function descriptionAndData(bytes: Uint8Array, encoding: Encoding): { description: string; data: Uint8Array } {
  const zero = findZero(bytes, encoding);
  const terminator = encoding.startsWith('utf-16') ? 2 : 1;
  return { description: decodeString(bytes.subarray(0, zero), encoding), data: bytes.subarray(Math.min(bytes.length, zero + terminator)) };
}

/** Frames whose values ID3v2.3 separates with '/' (Picard flattens lists so), as music-metadata splits them. */
const slashLists = new Set(['TPE1', 'TPE2', 'TPE3', 'TPE4', 'TCOM', 'TEXT', 'TOLY', 'TOPE', 'TXXX', 'TSRC', 'IPLS']);

function splitValue(major: number, frame: string, text: string): string[] {
  let values = text.split('\0');
  if (major < 4 && values.length === 1 && slashLists.has(frame)) values = text.split('/');
  return values.map((value) => trimNullPadding(value).trim());
}

/** One text frame's values, as music-metadata gives them for the frames mapped (TIT2 and TRCK whole; lists split). */
function textValues(major: number, frame: string, text: string): string[] {
  if (frame === 'TIT2' || frame === 'TRCK') return text === '' ? [] : [text];
  if (frame === 'TPE1') return splitValue(major, frame, text);
  return major >= 4 ? splitValue(major, frame, text) : [text];
}

function frameTags(major: number, frame: string, data: Uint8Array): NativeTag[] {
  if (data.length === 0) return [];
  if (frame === 'UFID') {
    const { description, data: identifier } = descriptionAndData(data, 'latin1');
    return description === 'http://musicbrainz.org' ? [{ id: `UFID:${description}`, value: latin1(identifier) }] : [];
  }
  if (frame[0] !== 'T') return [];
  const encoding = encodings[data[0]!] ?? 'utf8';
  if (frame === 'TXXX') {
    const { description, data: value } = descriptionAndData(data.subarray(1), encoding);
    const id = description === '' ? 'TXXX' : `TXXX:${description}`;
    return splitValue(major, 'TXXX', trimNullPadding(decodeString(value, encoding))).map((text) => ({ id, value: text }));
  }
  return textValues(major, frame, trimNullPadding(decodeString(data.subarray(1), encoding))).map((value) => ({ id: frame, value }));
}

/** The tags of the ID3v2 tag `tag` (its 10-byte header included); null when music-metadata must read it. */
export function readId3v2(tag: Uint8Array): NativeTag[] | null {
  const major = tag[3]!;
  const flags = tag[5]!;
  // Unsynchronised (0x80) or with an extended header (0x40): left to music-metadata.
  if ((major !== 3 && major !== 4) || (flags & 0xc0) !== 0) return null;
  const end = Math.min(tag.length, 10 + syncsafe(tag, 6));
  const tags: NativeTag[] = [];
  let at = 10;
  while (at + 10 <= end && tag[at] !== 0) {
    const frame = String.fromCharCode(tag[at]!, tag[at + 1]!, tag[at + 2]!, tag[at + 3]!);
    if (!/^[A-Z0-9]{4}$/.test(frame)) return null;
    const size = major === 4 ? syncsafe(tag, at + 4) : uint32BE(tag, at + 4);
    // ID3v2.3: compressed, encrypted, grouped; ID3v2.4: grouped, compressed, encrypted, unsynchronised, with a data length.
    if ((tag[at + 9]! & (major === 4 ? 0x4f : 0xe0)) !== 0) return null;
    at += 10;
    if (at + size > end) return null;
    try {
      tags.push(...frameTags(major, frame, tag.subarray(at, at + size)));
    } catch {
      return null;
    }
    at += size;
  }
  return tags;
}
