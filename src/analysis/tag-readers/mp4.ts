/**
 * MP4 audio (M4A: AAC or ALAC) with one track: the track's sample description and media header
 * (rate, channels, duration) and iTunes tags (moov/udta/meta/ilst), as music-metadata reads them
 * (lib/mp4/MP4Parser.js). A file with more tracks, fragments, or a tag music-metadata would read
 * otherwise is left to it.
 */
import { ascii, uint32BE, utf8 } from '../bytes.js';
import type { NativeTag, TagMap } from './common-tags.js';
import type { ContainerTags } from './container-tags.js';
import type { FileBytes } from './file-bytes.js';

/** music-metadata's iTunes names (lib/mp4/MP4TagMapper.js, compared in upper case) of the common tags analysis/tags.ts uses. */
const mp4TagMap: TagMap = {
  '©NAM': 'title', '©ART': 'artist', '----:COM.APPLE.ITUNES:ARTISTS': 'artists', '©ALB': 'album', '©DAY': 'date', TRKN: 'track', '©WRK': 'work',
  '----:COM.APPLE.ITUNES:ORIGINALDATE': 'originaldate', '----:COM.APPLE.ITUNES:ORIGINALYEAR': 'originalyear',
  '----:COM.APPLE.ITUNES:MUSICBRAINZ TRACK ID': 'musicbrainz_recordingid', '----:COM.APPLE.ITUNES:MUSICBRAINZ ALBUM ID': 'musicbrainz_albumid',
  '----:COM.APPLE.ITUNES:MUSICBRAINZ ARTIST ID': 'musicbrainz_artistid', '----:COM.APPLE.ITUNES:MUSICBRAINZ WORK ID': 'musicbrainz_workid',
};

/** The brands analysis/tags.ts names `mp4`, as music-metadata writes the first of them. */
const mp4Brands = /^(M4A|M4B|M4P|isom|iso\d|mp4|MP4|mp42|dash|3gp)/;
const codecs: Readonly<Record<string, string>> = { mp4a: 'aac', alac: 'alac' };

interface Box {
  type: string;
  /** Where its payload starts and ends, in the bytes it was read from. */
  start: number;
  end: number;
}

/** The boxes in `bytes` from `start` to `end`; null when one runs past the end. */
function boxesIn(bytes: Uint8Array, start: number, end: number): Box[] | null {
  const boxes: Box[] = [];
  for (let at = start; at + 8 <= end;) {
    const size = uint32BE(bytes, at);
    if (size < 8 || at + size > end) return null;
    boxes.push({ type: ascii(bytes, at + 4, 4), start: at + 8, end: at + size });
    at += size;
  }
  return boxes;
}

function child(bytes: Uint8Array, parent: Box | undefined, type: string): Box | undefined {
  return parent === undefined ? undefined : boxesIn(bytes, parent.start, parent.end)?.find((box) => box.type === type);
}

/** The top-level boxes' types and places in the file, read header by header. */
function topLevel(file: FileBytes): { type: string; at: number; size: number }[] | null {
  const boxes = [];
  for (let at = 0; at + 8 <= file.size;) {
    const header = file.read(at, 16);
    let size = uint32BE(header, 0);
    if (size === 1) size = uint32BE(header, 8) * 2 ** 32 + uint32BE(header, 12);
    else if (size === 0) size = file.size - at;
    if (size < 8) return null;
    boxes.push({ type: ascii(header, 4, 4), at, size });
    at += size;
  }
  return boxes;
}

/** An ilst item's values: text (UTF-8), or trkn's number and count as music-metadata writes them; null for what it would read otherwise. */
function itemTags(bytes: Uint8Array, item: Box): NativeTag[] | null {
  let id = item.type;
  const tags: NativeTag[] = [];
  for (const part of boxesIn(bytes, item.start, item.end) ?? []) {
    if (part.type === 'mean' || part.type === 'name') {
      id += `:${utf8(bytes.subarray(part.start + 4, part.end))}`;
    } else if (part.type === 'data') {
      if (part.end - part.start < 8 || bytes[part.start] !== 0) return null;
      const type = (bytes[part.start + 1]! << 16) | (bytes[part.start + 2]! << 8) | bytes[part.start + 3]!;
      const value = bytes.subarray(part.start + 8, part.end);
      if (type === 1 || type === 18) tags.push({ id, value: utf8(value) });
      else if (type === 0 && (id === 'trkn' || id === 'disk') && value.length >= 6) tags.push({ id, value: `${value[3]}/${value[5]}` });
      else if (mp4TagMap[id.toUpperCase()] !== undefined) return null;
    }
  }
  return tags;
}

export function readMp4(file: FileBytes): ContainerTags | null {
  const boxes = topLevel(file);
  const ftyp = boxes?.[0];
  const moovAt = boxes?.find((box) => box.type === 'moov');
  if (ftyp?.type !== 'ftyp' || moovAt === undefined || boxes!.some((box) => box.type === 'moof')) return null;
  const brand = ascii(file.read(ftyp.at + 8, 4), 0, 4).replace(/\W/g, '');
  if (!mp4Brands.test(brand)) return null;
  const bytes = file.read(moovAt.at, moovAt.size);
  const moov: Box = { type: 'moov', start: 8, end: bytes.length };
  const children = boxesIn(bytes, moov.start, moov.end);
  const tracks = children?.filter((box) => box.type === 'trak') ?? [];
  if (children === null || tracks.length !== 1 || children.some((box) => box.type === 'mvex')) return null;
  const mdia = child(bytes, tracks[0], 'mdia');
  const hdlr = child(bytes, mdia, 'hdlr');
  const mdhd = child(bytes, mdia, 'mdhd');
  const stsd = child(bytes, child(bytes, child(bytes, mdia, 'minf'), 'stbl'), 'stsd');
  if (hdlr === undefined || mdhd === undefined || stsd === undefined || !['soun', 'audi'].includes(ascii(bytes, hdlr.start + 8, 4))) return null;
  const entry = boxesIn(bytes, stsd.start + 8, stsd.end)?.[0];
  const codec = entry === undefined ? undefined : codecs[entry.type];
  if (entry === undefined || codec === undefined || entry.end - entry.start < 28) return null;
  const channels = (bytes[entry.start + 16]! << 8) | bytes[entry.start + 17]!;
  const sampleRate = ((bytes[entry.start + 24]! << 8) | bytes[entry.start + 25]!) + (((bytes[entry.start + 26]! << 8) | bytes[entry.start + 27]!) / 10000);
  const version = bytes[mdhd.start]!;
  const timeScale = uint32BE(bytes, mdhd.start + (version === 1 ? 20 : 12));
  const duration = version === 1 ? uint32BE(bytes, mdhd.start + 24) * 2 ** 32 + uint32BE(bytes, mdhd.start + 28) : uint32BE(bytes, mdhd.start + 16);
  if (sampleRate <= 0 || timeScale <= 0) return null;
  const tags: NativeTag[] = [];
  // meta is a full box: its children start after a version and flags.
  const meta = child(bytes, children.find((box) => box.type === 'udta'), 'meta');
  const inMeta = meta === undefined ? [] : boxesIn(bytes, meta.start + 4, meta.end);
  const ilst = inMeta?.find((box) => box.type === 'ilst');
  const items = ilst === undefined ? [] : boxesIn(bytes, ilst.start, ilst.end);
  if (inMeta === null || items === null) return null;
  for (const item of items) {
    const read = itemTags(bytes, item);
    if (read === null) return null;
    tags.push(...read);
  }
  return { tags, map: mp4TagMap, audio: { format: 'mp4', codec, sampleRate, channels, durationSeconds: duration > 0 ? duration / timeScale : null } };
}
