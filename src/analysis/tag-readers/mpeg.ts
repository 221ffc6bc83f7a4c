/**
 * MP3 (and MP2, MP1) with an ID3v2.3/2.4 tag or none: the tag (id3v2.ts), the first frame's
 * header, and the duration as analysis/tags.ts asks for it: from a Xing or Info header's frame
 * count, or by counting every frame (mpeg-frames.ts). A file with an ID3v1, APE or Lyrics3 tag at
 * its end, which music-metadata merges with the ID3v2 tag by its priorities, or whose first frame
 * is not right after the tag, is left to music-metadata.
 */
import { hasSeekHeader, id3v2Size } from '../mp3-header.js';
import { framePairAt, walkMpegFrames, type MpegFrame } from '../mpeg-frames.js';
import { startsWithAscii, uint32BE } from '../bytes.js';
import type { NativeTag } from './common-tags.js';
import type { ContainerTags, MpegDurationSource } from './container-tags.js';
import type { FileBytes } from './file-bytes.js';
import { id3v2TagMap, readId3v2 } from './id3v2.js';

/** Whether the file ends with a tag music-metadata would merge with the ID3v2 one. */
function hasTagAtEnd(file: FileBytes): boolean {
  const tail = file.read(Math.max(0, file.size - 160), 160);
  const at = tail.length - 128;
  return (at >= 0 && startsWithAscii(tail, 'TAG', at)) || startsWithAscii(tail, 'APETAGEX', tail.length - 32);
}

/**
 * The frame count of a Xing or Info header in the first frame's `bytes` (at the end of its side information), as
 * music-metadata reads it for the duration; null when there is none, or it names no count.
 */
function seekHeaderFrames(bytes: Uint8Array, { mpeg1, channels }: MpegFrame): number | null {
  const mono = channels === 1;
  const at = 4 + (mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17));
  if (!startsWithAscii(bytes, 'Xing', at) && !startsWithAscii(bytes, 'Info', at)) return null;
  const flags = uint32BE(bytes, at + 4);
  // music-metadata takes the count only with the stream's size beside it.
  if ((flags & 1) === 0 || (flags & 2) === 0) return null;
  return uint32BE(bytes, at + 8);
}

export async function readMpeg(file: FileBytes, mpegDuration: MpegDurationSource): Promise<ContainerTags | null> {
  const head = file.read(0, 10);
  const tagBytes = id3v2Size(head);
  let tags: NativeTag[] = [];
  if (tagBytes > 0) {
    const read = readId3v2(file.read(0, tagBytes));
    if (read === null) return null;
    tags = read;
  }
  if (hasTagAtEnd(file)) return null;
  const frameBytes = file.read(tagBytes, 2881 + 4);
  const frame = framePairAt(frameBytes, 0);
  if (frame === null) return null;
  const seekHeader = hasSeekHeader(frameBytes.subarray(0, frame.bytes));
  let seconds: number | null = null;
  if (seekHeader && mpegDuration !== 'none') {
    const frames = seekHeaderFrames(frameBytes, frame);
    if (frames === null) return null;
    seconds = (frames * frame.samples) / frame.sampleRate;
  } else if (mpegDuration === 'container') {
    return null; // music-metadata's guess from the first frames is what is asked for
  } else if (mpegDuration === 'frames') {
    const walked = await walkMpegFrames(file.readAt, tagBytes, file.size);
    seconds = walked.kind === 'frames' ? walked.seconds : null;
  }
  return {
    tags, map: id3v2TagMap,
    audio: {
      format: 'mp3', codec: `mp${frame.layer}`, sampleRate: frame.sampleRate, channels: frame.channels,
      durationSeconds: seconds !== null && seconds > 0 && Number.isFinite(seconds) ? seconds : null,
    },
  };
}
