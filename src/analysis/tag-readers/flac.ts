/**
 * Native FLAC: STREAMINFO (rate, channels, samples) and VORBIS_COMMENT blocks. A FLAC file with an
 * ID3v2 tag in front is left to music-metadata, which merges both tags.
 */
import { startsWithAscii } from '../bytes.js';
import type { NativeTag } from './common-tags.js';
import type { ContainerTags } from './container-tags.js';
import type { FileBytes } from './file-bytes.js';
import { readVorbisComments, vorbisTagMap } from './vorbis-comments.js';

const streamInfo = 0;
const vorbisComment = 4;

export function readFlac(file: FileBytes): ContainerTags | null {
  if (!startsWithAscii(file.read(0, 4), 'fLaC', 0)) return null;
  let at = 4;
  let audio: ContainerTags['audio'] | null = null;
  const tags: NativeTag[] = [];
  for (let last = false; !last;) {
    const header = file.read(at, 4);
    if (header.length < 4) return null;
    last = (header[0]! & 0x80) !== 0;
    const type = header[0]! & 0x7f;
    const length = (header[1]! << 16) | (header[2]! << 8) | header[3]!;
    at += 4;
    if (type === streamInfo) {
      const info = file.read(at, 18);
      if (info.length < 18) return null;
      const sampleRate = (info[10]! << 12) | (info[11]! << 4) | (info[12]! >> 4);
      const channels = ((info[12]! >> 1) & 7) + 1;
      const samples = (info[13]! & 0x0f) * 2 ** 32 + ((info[14]! << 24) >>> 0) + (info[15]! << 16) + (info[16]! << 8) + info[17]!;
      audio = { format: 'flac', codec: 'flac', sampleRate, channels, durationSeconds: samples > 0 && sampleRate > 0 ? samples / sampleRate : null };
    } else if (type === vorbisComment) {
      const comments = readVorbisComments(file.read(at, length));
      if (comments === null) return null;
      tags.push(...comments);
    } else if (type === 127) {
      return null;
    }
    at += length;
  }
  return audio === null ? null : { tags, map: vorbisTagMap, audio };
}
