/**
 * Ogg Vorbis and Opus: the identification packet (rate, channels), the comment packet (tags) and
 * the duration from the last page (ogg-duration.ts). Anything else in Ogg (FLAC, Speex, a stream
 * multiplexed with another) is left to music-metadata.
 */
import { oggDurationSeconds } from '../ogg-duration.js';
import { startsWithAscii, uint32LE } from '../bytes.js';
import type { ContainerTags } from './container-tags.js';
import type { FileBytes } from './file-bytes.js';
import { readVorbisComments, vorbisTagMap } from './vorbis-comments.js';

/** The first two packets of the file's first logical stream; null when its pages are not plain. */
function firstPackets(file: FileBytes): Uint8Array[] | null {
  const packets: Uint8Array[] = [];
  let pieces: Uint8Array[] = [];
  let serial: number | null = null;
  let at = 0;
  while (packets.length < 2) {
    const header = file.read(at, 27);
    if (header.length < 27 || !startsWithAscii(header, 'OggS') || header[4] !== 0) return null;
    const pageSerial = uint32LE(header, 14);
    if (serial !== null && pageSerial !== serial) return null;
    serial = pageSerial;
    const segments = header[26]!;
    const lacing = file.read(at + 27, segments);
    if (lacing.length < segments) return null;
    let body = at + 27 + segments;
    let length = 0;
    for (const [i, lace] of lacing.entries()) {
      length += lace;
      if (lace === 255 && i < segments - 1) continue;
      const piece = file.read(body, length);
      if (piece.length < length) return null;
      pieces.push(piece);
      body += length;
      length = 0;
      if (lace < 255) {
        packets.push(joined(pieces));
        pieces = [];
        if (packets.length === 2) break;
      }
    }
    at = body;
  }
  return packets;
}

function joined(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const whole = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    whole.set(piece, at);
    at += piece.length;
  }
  return whole;
}

export async function readOgg(file: FileBytes): Promise<ContainerTags | null> {
  const packets = firstPackets(file);
  if (packets === null) return null;
  const [identification, comments] = packets as [Uint8Array, Uint8Array];
  let codec: 'vorbis' | 'opus';
  let sampleRate: number;
  let channels: number;
  let tags;
  if (identification.length >= 30 && identification[0] === 1 && startsWithAscii(identification, 'vorbis', 1)) {
    codec = 'vorbis';
    channels = identification[11]!;
    sampleRate = uint32LE(identification, 12);
    tags = comments[0] === 3 && startsWithAscii(comments, 'vorbis', 1) ? readVorbisComments(comments.subarray(7)) : null;
  } else if (identification.length >= 19 && startsWithAscii(identification, 'OpusHead')) {
    codec = 'opus';
    channels = identification[9]!;
    // Opus always decodes at 48 kHz; the header's rate is the encoder's input (tags.ts says so too).
    sampleRate = 48_000;
    tags = startsWithAscii(comments, 'OpusTags') ? readVorbisComments(comments.subarray(8)) : null;
  } else {
    return null;
  }
  if (tags === null || sampleRate <= 0) return null;
  const seconds = await oggDurationSeconds(file.read(0, 4096), file.size, sampleRate, file.readAt);
  return { tags, map: vorbisTagMap, audio: { format: 'ogg', codec, sampleRate, channels, durationSeconds: seconds !== null && seconds > 0 && Number.isFinite(seconds) ? seconds : null } };
}
