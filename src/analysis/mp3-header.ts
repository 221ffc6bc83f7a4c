/**
 * Whether an MP3's first frame carries a Xing, Info or VBRI header: the only MP3s whose
 * container-reported duration can be trusted. Without one, the duration is a guess from the first
 * frame's bitrate, wrong by several times for a VBR file (FACTS.md: 1029 s for a 224 s track):
 * a tags pass counts the frames instead (mpeg-frames.ts).
 */
import { startsWithAscii, syncsafe } from './bytes.js';

/** Size of an ID3v2 tag at the start of `head` (0 when there is none): the audio starts after it. */
export function id3v2Size(head: Uint8Array): number {
  if (head.length < 10 || !startsWithAscii(head, 'ID3')) return 0;
  const hasFooter = (head[5]! & 0x10) !== 0;
  return 10 + syncsafe(head, 6) + (hasFooter ? 10 : 0);
}

const markers = ['Xing', 'Info', 'VBRI'].map((text) => Array.from(text, (c) => c.charCodeAt(0)));

/** `frame` starts at (or a little before) the first MPEG frame, after any ID3v2 tag. */
export function hasSeekHeader(frame: Uint8Array): boolean {
  let sync = 0;
  while (sync + 1 < frame.length && !(frame[sync] === 0xff && (frame[sync + 1]! & 0xe0) === 0xe0)) sync += 1;
  // The tag sits after the side information: at most 36 bytes into the frame (VBRI), 13–36 for Xing.
  const end = Math.min(frame.length - 4, sync + 40);
  for (let i = sync + 4; i <= end; i += 1) {
    if (markers.some((m) => m.every((byte, k) => frame[i + k] === byte))) return true;
  }
  return false;
}
