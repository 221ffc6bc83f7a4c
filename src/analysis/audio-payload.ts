/**
 * The audio of a file apart from its tags, hashed without decoding: a file a tag editor rewrote
 * (new title, cover, padding) keeps its payload hash, so the caller can tell "only retagged" from
 * "new audio" for the price of one read, and skip the decode. Each container has a reader that
 * says where its audio lies (byte ranges); what a tag editor rewrites lies outside them. Anything
 * unknown or malformed gives null: the caller then analyses the file in full, which is always safe.
 */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { id3v2Size } from './mp3-header.js';

const chunkBytes = 1 << 20;

/** A stretch of the file, `start` included, `end` not. */
interface ByteRange { start: number; end: number }

interface OpenFile { fd: number; sizeBytes: number }

/** Where a container's audio lies, in file order; null when the bytes are not that container, or are cut short. */
type PayloadReader = (file: OpenFile) => ByteRange[] | null;

/** Up to `length` bytes at `position`, fewer at the end of the file. Read errors propagate: they are not malformed input. */
function bytesAt(file: OpenFile, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(Math.max(0, Math.min(length, file.sizeBytes - position)));
  let filled = 0;
  while (filled < buffer.length) {
    const bytesRead = readSync(file.fd, buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break; // the file shrank since its size was taken
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

const isText = (bytes: Buffer, at: number, text: string): boolean => bytes.toString('latin1', at, at + text.length) === text;

/**
 * Where MPEG frames (or FLAC's "fLaC") start: after the ID3v2 tags in front, however many, and the
 * zero bytes some taggers leave after one when they shrink it in place. A frame never starts with 0.
 */
function skipTagsInFront(file: OpenFile): number {
  for (let at = 0; ;) {
    const head = bytesAt(file, at, 4096);
    const tag = id3v2Size(head);
    if (tag > 0) {
      at += tag;
      continue;
    }
    const zeros = head.findIndex((byte) => byte !== 0);
    if (zeros === 0 || head.length === 0) return at;
    at += zeros < 0 ? head.length : zeros;
  }
}

/** The size of a tag that ends where `tail` (the last bytes before it) ends: ID3v1, APEv2 (or v1), Lyrics3v2; 0 when none does. */
function tagAtEndSize(tail: Buffer): number {
  const n = tail.length;
  if (n >= 32 && isText(tail, n - 32, 'APETAGEX')) {
    const hasHeader = (tail.readUInt32LE(n - 12) & 0x8000_0000) !== 0; // the flags; `size` counts items and footer only
    return tail.readUInt32LE(n - 20) + (hasHeader ? 32 : 0);
  }
  if (n >= 15 && isText(tail, n - 9, 'LYRICS200')) {
    const size = tail.toString('latin1', n - 15, n - 9);
    return /^\d{6}$/.test(size) ? Number(size) + 15 : 0; // the 6-digit size counts from "LYRICSBEGIN" to before itself
  }
  // ID3v1 last: in a 131-byte APEv2 tag (ffmpeg writes them), the "TAG" of the header's "APETAGEX" lies 128 bytes from the end.
  return n >= 128 && isText(tail, n - 128, 'TAG') ? 128 : 0;
}

/** Where the audio ends: before the tags appended to it (ID3v1, APEv2, Lyrics3v2), in whatever order taggers stacked them. */
function stripTagsAtEnd(file: OpenFile, start: number, end = file.sizeBytes): number {
  for (;;) {
    const from = Math.max(start, end - 128);
    const size = tagAtEndSize(bytesAt(file, from, end - from));
    if (size === 0 || size > end - start) return end;
    end -= size;
  }
}

/** MPEG audio (MP3, MP2) and ADTS AAC: the frames between the tags in front and the tags behind. A Xing/LAME frame is a frame: taggers leave it. */
function mpegStreamRanges(file: OpenFile): ByteRange[] | null {
  const start = skipTagsInFront(file);
  const end = stripTagsAtEnd(file, start);
  return end > start ? [{ start, end }] : null;
}

/** FLAC: STREAMINFO (what the audio is, MD5 included; taggers keep it) and the frames after the last metadata block. */
function flacRanges(file: OpenFile): ByteRange[] | null {
  let at = skipTagsInFront(file);
  if (!isText(bytesAt(file, at, 4), 0, 'fLaC')) return null;
  at += 4;
  let streamInfo: ByteRange | null = null;
  for (let isLast = false; !isLast;) {
    const header = bytesAt(file, at, 4);
    if (header.length < 4) return null;
    const start = at + 4;
    at = start + header.readUIntBE(1, 3);
    if ((header[0]! & 0x7f) === 0) streamInfo = { start, end: at };
    isLast = (header[0]! & 0x80) !== 0;
  }
  const end = stripTagsAtEnd(file, at); // an ID3v1 some old taggers append
  return streamInfo && end > at ? [streamInfo, { start: at, end }] : null;
}

interface ChunkForm { magic: string; types: readonly string[]; littleEndian: boolean; audioChunks: readonly string[] }

/**
 * RIFF WAVE and AIFF/AIFC: the contents of the chunks that describe and hold the samples; the
 * others (LIST/INFO, "id3 ", "ID3 ", bext, NAME…) are tags. Chunks are padded to an even size.
 */
function chunkRanges(file: OpenFile, form: ChunkForm): ByteRange[] | null {
  const head = bytesAt(file, 0, 12);
  if (head.length < 12 || !isText(head, 0, form.magic) || !form.types.some((type) => isText(head, 8, type))) return null;
  const declared = 8 + (form.littleEndian ? head.readUInt32LE(4) : head.readUInt32BE(4));
  const formEnd = declared >= 12 && declared <= file.sizeBytes ? declared : file.sizeBytes; // streamed writers leave the size 0 or ~0
  const ranges: ByteRange[] = [];
  const found = new Set<string>();
  for (let at = 12; at + 8 <= formEnd;) {
    const header = bytesAt(file, at, 8);
    const id = header.toString('latin1', 0, 4);
    const start = at + 8;
    const end = Math.min(formEnd, start + (form.littleEndian ? header.readUInt32LE(4) : header.readUInt32BE(4)));
    if (form.audioChunks.includes(id)) {
      ranges.push({ start, end });
      found.add(id);
    }
    at = end + ((end - start) % 2);
  }
  return form.audioChunks.every((id) => found.has(id)) ? ranges : null;
}

const wave: ChunkForm = { magic: 'RIFF', types: ['WAVE'], littleEndian: true, audioChunks: ['fmt ', 'data'] };
const aiff: ChunkForm = { magic: 'FORM', types: ['AIFF', 'AIFC'], littleEndian: false, audioChunks: ['COMM', 'SSND'] };

/**
 * MP4/M4A: the contents of the top-level `mdat` boxes. Taggers rewrite `moov/udta/meta` and may
 * move `mdat` (fixing the offsets in `moov`), but its bytes stay. A box past the end: cut short.
 */
function mdatRanges(file: OpenFile): ByteRange[] | null {
  const ranges: ByteRange[] = [];
  for (let at = 0; at < file.sizeBytes;) {
    const header = bytesAt(file, at, 16);
    if (header.length < 8) return null;
    const size32 = header.readUInt32BE(0);
    const headerBytes = size32 === 1 ? 16 : 8;
    if (header.length < headerBytes) return null;
    const size = size32 === 0 ? file.sizeBytes - at : size32 === 1 ? Number(header.readBigUInt64BE(8)) : size32;
    if (size < headerBytes || at + size > file.sizeBytes) return null;
    if (isText(header, 4, 'mdat')) ranges.push({ start: at + headerBytes, end: at + size });
    at += size;
  }
  return ranges.length > 0 ? ranges : null;
}

/** Granule positions of header pages: 0, or −1 on a page where no packet ends (a long comment, a cover). */
const noGranule = 0xffff_ffff_ffff_ffffn;

/**
 * Ogg (Vorbis, Opus, FLAC, Speex): from the first page with a granule position onwards (the
 * audio; header pages have none), each page's granule position, lacing values and body. A tagger
 * rewrites the comment packet and renumbers the pages after it (sequence number and CRC), but
 * leaves their packets, lacing and granules as they were. The lacing says where packets end,
 * which is part of the audio; sequence number and CRC are not hashed.
 */
function oggRanges(file: OpenFile): ByteRange[] | null {
  const ranges: ByteRange[] = [];
  for (let at = 0; at < file.sizeBytes;) {
    const header = bytesAt(file, at, 27 + 255);
    if (header.length < 27 || !isText(header, 0, 'OggS') || header.length < 27 + header[26]!) return null;
    const lacingEnd = 27 + header[26]!;
    const bodyBytes = header.subarray(27, lacingEnd).reduce((sum, lacing) => sum + lacing, 0);
    const end = at + lacingEnd + bodyBytes;
    if (end > file.sizeBytes) return null;
    const granule = header.readBigUInt64LE(6);
    if (ranges.length > 0 || (granule !== 0n && granule !== noGranule)) ranges.push({ start: at + 6, end: at + 14 }, { start: at + 27, end });
    at = end;
  }
  return ranges.length > 0 ? ranges : null;
}

/**
 * The readers by the MIME type file-type (21) gives. Not here, so null: WavPack, APE, Musepack,
 * DSF, ASF/WMA, Matroska/WebM, and RF64 (file-type does not recognise it).
 */
const readers = new Map<string, PayloadReader>([
  ['audio/mpeg', mpegStreamRanges],
  ['audio/aac', mpegStreamRanges],
  ['audio/flac', flacRanges],
  ['audio/wav', (file) => chunkRanges(file, wave)],
  ['audio/aiff', (file) => chunkRanges(file, aiff)],
  ['audio/mp4', mdatRanges],
  ['audio/x-m4a', mdatRanges],
  ['video/mp4', mdatRanges],
  ['audio/ogg', oggRanges],
  ['audio/ogg; codecs=opus', oggRanges],
  ['application/ogg', oggRanges],
  ['video/ogg', oggRanges],
]);

/** Feeds the ranges to one SHA-256, each in chunks of at most 1 MiB: never the whole file in memory. */
function hashRanges(fd: number, ranges: readonly ByteRange[]): string | null {
  const hash = createHash('sha256');
  const largest = ranges.reduce((max, range) => Math.max(max, range.end - range.start), 1);
  const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, largest));
  for (const range of ranges) {
    for (let position = range.start; position < range.end;) {
      const bytesRead = readSync(fd, buffer, 0, Math.min(buffer.length, range.end - position), position);
      if (bytesRead === 0) return null; // the file shrank under us: a range past its end
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  }
  return hash.digest('hex');
}

/** SHA-256 (hex) of the file's audio payload: its bytes without the tag blocks a tag editor rewrites; null when the container is not one this knows. */
export function hashAudioPayload(fd: number, sizeBytes: number, mime: string | null): string | null {
  const reader = mime === null ? undefined : readers.get(mime);
  const ranges = reader?.({ fd, sizeBytes }) ?? null;
  return ranges === null ? null : hashRanges(fd, ranges);
}
