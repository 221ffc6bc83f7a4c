/**
 * The duration of an Ogg stream (Vorbis, Opus, FLAC, Speex) from its last page, read by seeking to
 * the end of the file: the granule position of the last page of the first logical stream counts
 * its samples. A tags pass needs no more; reading every page to find the last one is what made
 * Ogg files cost ~100 ms each.
 */
import { startsWithAscii } from './bytes.js';

/** A page is at most 27 + 255 header bytes and 255 × 255 body bytes: the last one starts in the last 64 KiB. */
const tailBytes = 65_307;
const capture = [0x4f, 0x67, 0x67, 0x53]; // "OggS"

export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

function isCapture(bytes: Uint8Array, at: number): boolean {
  return capture.every((byte, k) => bytes[at + k] === byte) && bytes[at + 4] === 0;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Opus counts granules at 48 kHz from before its pre-skip (OpusHead bytes 10–11); the others at their own rate from 0. */
function opusPreSkip(head: Uint8Array): number | null {
  for (let at = 0; at + 19 <= head.length; at += 1) {
    if (startsWithAscii(head, 'OpusHead', at)) return view(head).getUint16(at + 10, true);
  }
  return null;
}

/**
 * Seconds of audio in the Ogg file whose first bytes are `head` and whose size is `size`; null
 * when the last page can't be found or says nothing (a truncated file is then decoded to tell).
 * `sampleRate` is the stream's (for Opus, ignored: 48 kHz).
 */
export async function oggDurationSeconds(head: Uint8Array, size: number, sampleRate: number | null, readAt: ReadAt): Promise<number | null> {
  if (head.length < 27 || !isCapture(head, 0)) return null;
  const serial = view(head).getUint32(14, true);
  const preSkip = opusPreSkip(head);
  const rate = preSkip === null ? sampleRate : 48_000;
  if (rate === null || rate <= 0) return null;
  const start = Math.max(0, size - tailBytes);
  const tail = await readAt(start, size - start);
  const tailView = view(tail);
  for (let at = tail.length - 27; at >= 0; at -= 1) {
    if (!isCapture(tail, at) || tailView.getUint32(at + 14, true) !== serial) continue;
    const granule = tailView.getBigInt64(at + 6, true);
    if (granule < 0n) continue; // no packet ends on this page
    const samples = Number(granule) - (preSkip ?? 0);
    return samples > 0 ? samples / rate : null;
  }
  return null;
}
