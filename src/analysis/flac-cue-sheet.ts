/**
 * A cue sheet embedded in a FLAC file: its CUESHEET metadata block
 * (https://xiph.org/flac/format.html#metadata_block_cuesheet), offsets in samples, made into
 * `CueTrack`s with the STREAMINFO sample rate. Only metadata is read, never the audio frames.
 */
import { TICKS_PER_SECOND } from '../file-record.js';
import { startsWithAscii } from './bytes.js';
import { CueSheetError } from './cue-sheet-error.js';
import { flacBlockHeader, flacBlockHeaderBytes, flacBlockTypes, flacStreamInfo, type FlacStreamInfo } from './flac-metadata.js';
import type { CueTrack } from '../stored/file-cue-sheet.js';

/** `length` bytes from `position`, fewer at the end of the file. */
export type ReadBytes = (position: number, length: number) => Promise<Uint8Array>;

const ID3_HEADER_BYTES = 10;
/** Media catalog number (128), lead-in samples (8), is-CD flag and reserved (259), number of tracks (1). */
const CUESHEET_HEADER_BYTES = 396;
/** Offset (8), number (1), ISRC (12), type, pre-emphasis and reserved (14), number of index points (1). */
const TRACK_BYTES = 36;
/** Offset (8), number (1), reserved (3). */
const INDEX_BYTES = 12;
/** The lead-out track's number: 170 on a CD, 255 otherwise. */
const leadOutNumbers: ReadonlySet<number> = new Set([170, 255]);

interface FlacTrack {
  number: number;
  /** Samples from the start of the stream. */
  offset: bigint;
  isrc: string | null;
  isAudio: boolean;
  preEmphasis: boolean;
  /** Offsets in samples from the track's offset. */
  indexes: { number: number; offset: bigint }[];
}

/**
 * The audio tracks of the file's CUESHEET block; null when the file is not FLAC or has no such
 * block. A malformed block throws `CueSheetError`.
 */
export async function readFlacCueSheet(read: ReadBytes): Promise<CueTrack[] | null> {
  const firstBlock = await findFlacStream(read);
  if (firstBlock === null) return null;
  const blocks = await readMetadataBlocks(read, firstBlock);
  if (!blocks.cueSheet) return null;
  if (!blocks.streamInfo) throw new CueSheetError('FLAC has a CUESHEET block but no STREAMINFO block to give the sample rate');
  return cueTracks(parseCueSheetBlock(blocks.cueSheet), parseStreamInfo(blocks.streamInfo));
}

/** Where the first metadata block starts: after `fLaC`, itself after any ID3v2 tags. */
async function findFlacStream(read: ReadBytes): Promise<number | null> {
  let position = 0;
  for (;;) {
    const head = await read(position, ID3_HEADER_BYTES);
    if (startsWithAscii(head, 'fLaC')) return position + 4;
    const tagBytes = id3v2Bytes(head);
    if (tagBytes === null) return null;
    position += tagBytes;
  }
}

/** The whole ID3v2 tag's size: a 28-bit syncsafe size at bytes 6–9, the header, the footer if flagged. */
function id3v2Bytes(head: Uint8Array): number | null {
  if (head.length < ID3_HEADER_BYTES || !startsWithAscii(head, 'ID3')) return null;
  const sizeBytes = head.subarray(6, 10);
  if (sizeBytes.some((byte) => byte > 0x7f)) return null;
  const hasFooter = ((head[5] ?? 0) & 0x10) !== 0;
  return ID3_HEADER_BYTES + sizeBytes.reduce((size, byte) => size * 128 + byte, 0) + (hasFooter ? ID3_HEADER_BYTES : 0);
}

/** Walks the block headers, reading only the bodies of STREAMINFO and CUESHEET; stops once both are had. */
async function readMetadataBlocks(read: ReadBytes, start: number): Promise<{ streamInfo: Uint8Array | null; cueSheet: Uint8Array | null }> {
  let streamInfo: Uint8Array | null = null;
  let cueSheet: Uint8Array | null = null;
  let position = start;
  let isLast = false;
  while (!isLast && !(streamInfo && cueSheet)) {
    const { last, type, length } = flacBlockHeader(await readFully(read, position, flacBlockHeaderBytes, 'a metadata block header'));
    if (type === flacBlockTypes.invalid) throw new CueSheetError(`FLAC metadata block at byte ${position} has the invalid type 127`);
    if (type === flacBlockTypes.streamInfo) streamInfo ??= await readFully(read, position + flacBlockHeaderBytes, length, 'the STREAMINFO block');
    if (type === flacBlockTypes.cueSheet) cueSheet ??= await readFully(read, position + flacBlockHeaderBytes, length, 'the CUESHEET block');
    isLast = last;
    position += flacBlockHeaderBytes + length;
  }
  return { streamInfo, cueSheet };
}

async function readFully(read: ReadBytes, position: number, length: number, what: string): Promise<Uint8Array> {
  const bytes = await read(position, length);
  if (bytes.length < length) throw new CueSheetError(`FLAC file ends inside ${what} (${length} bytes at byte ${position})`);
  return bytes.subarray(0, length);
}

/** STREAMINFO (flac-metadata.ts), which a cue sheet needs whole and with a sample rate. */
function parseStreamInfo(body: Uint8Array): FlacStreamInfo {
  const info = flacStreamInfo(body);
  if (info === null) throw new CueSheetError(`FLAC STREAMINFO block is ${body.length} bytes, not 34`);
  if (info.sampleRate === 0) throw new CueSheetError('FLAC STREAMINFO block gives a sample rate of 0');
  return info;
}

function parseCueSheetBlock(body: Uint8Array): FlacTrack[] {
  const view = viewOf(body);
  const need = (end: number): void => {
    if (end > body.length) throw new CueSheetError(`FLAC CUESHEET block is ${body.length} bytes, too short for the tracks it lists`);
  };
  need(CUESHEET_HEADER_BYTES);
  const trackCount = view.getUint8(CUESHEET_HEADER_BYTES - 1);
  const tracks: FlacTrack[] = [];
  let at = CUESHEET_HEADER_BYTES;
  for (let t = 0; t < trackCount; t++) {
    need(at + TRACK_BYTES);
    const typeBits = view.getUint8(at + 21);
    const indexCount = view.getUint8(at + 35);
    const track: FlacTrack = {
      offset: view.getBigUint64(at),
      number: view.getUint8(at + 8),
      isrc: asciiField(body.subarray(at + 9, at + 21)),
      isAudio: (typeBits & 0x80) === 0,
      preEmphasis: (typeBits & 0x40) !== 0,
      indexes: [],
    };
    at += TRACK_BYTES;
    need(at + indexCount * INDEX_BYTES);
    for (let i = 0; i < indexCount; i++, at += INDEX_BYTES) track.indexes.push({ offset: view.getBigUint64(at), number: view.getUint8(at + 8) });
    tracks.push(track);
  }
  return tracks;
}

/**
 * Each audio track runs from its INDEX 01 to the next track's INDEX 00 (else INDEX 01); the last
 * one to the lead-out, or to the end of the sound (null) when the lead-out is at or past it.
 */
function cueTracks(tracks: FlacTrack[], stream: FlacStreamInfo): CueTrack[] {
  const leadOut = tracks.at(-1);
  if (!leadOut || !leadOutNumbers.has(leadOut.number)) throw new CueSheetError('FLAC CUESHEET block does not end with a lead-out track (170 or 255)');
  return tracks.slice(0, -1).flatMap((track, i): CueTrack[] => {
    if (!track.isAudio) return [];
    const next = tracks[i + 1] ?? leadOut;
    const start = indexSample(track, 1);
    const end = next === leadOut ? leadOutEnd(leadOut, stream) : indexSample(next, 0, 1);
    if (end !== null && end < start) throw new CueSheetError(`FLAC CUESHEET track ${track.number} ends at sample ${end}, before its start at sample ${start}`);
    return [{
      number: track.number,
      kind: 'audio',
      startTicks: samplesToTicks(start, stream.sampleRate),
      endTicks: end === null ? null : samplesToTicks(end, stream.sampleRate),
      title: null,
      performer: null,
      recordingMbid: null,
      artistMbids: [],
      isrc: track.isrc,
      flags: track.preEmphasis ? ['PRE'] : [],
    }];
  });
}

/** The sample of the first of `numbers` the track has an index point for. */
function indexSample(track: FlacTrack, ...numbers: number[]): bigint {
  for (const number of numbers) {
    const index = track.indexes.find((point) => point.number === number);
    if (index) return track.offset + index.offset;
  }
  throw new CueSheetError(`FLAC CUESHEET track ${track.number} has no index point ${numbers.join(' or ')}`);
}

function leadOutEnd(leadOut: FlacTrack, stream: FlacStreamInfo): bigint | null {
  return stream.totalSamples > 0n && leadOut.offset >= stream.totalSamples ? null : leadOut.offset;
}

/** Exact for every sample rate that divides TICKS_PER_SECOND, rounded to the nearest tick otherwise. */
function samplesToTicks(samples: bigint, sampleRate: number): number {
  const rate = BigInt(sampleRate);
  const ticks = (samples * BigInt(TICKS_PER_SECOND) + rate / 2n) / rate;
  if (ticks > BigInt(Number.MAX_SAFE_INTEGER)) throw new CueSheetError(`FLAC CUESHEET offset of ${samples} samples is out of range`);
  return Number(ticks);
}

function asciiField(bytes: Uint8Array): string | null {
  const end = bytes.indexOf(0);
  const text = new TextDecoder('latin1').decode(end === -1 ? bytes : bytes.subarray(0, end)).trim();
  return text === '' ? null : text;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
