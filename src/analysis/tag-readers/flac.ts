/**
 * Native FLAC: STREAMINFO (rate, channels, samples) and VORBIS_COMMENT blocks. A FLAC file with an
 * ID3v2 tag in front is left to music-metadata, which merges both tags.
 */
import { startsWithAscii } from '../bytes.js';
import { flacBlockHeader, flacBlockHeaderBytes, flacBlockTypes, flacStreamInfo } from '../flac-metadata.js';
import type { NativeTag } from './common-tags.js';
import type { ContainerTags } from './container-tags.js';
import type { FileBytes } from './file-bytes.js';
import { readVorbisComments, vorbisTagMap } from './vorbis-comments.js';

export function readFlac(file: FileBytes): ContainerTags | null {
  if (!startsWithAscii(file.read(0, 4), 'fLaC')) return null;
  let at = 4;
  let audio: ContainerTags['audio'] | null = null;
  const tags: NativeTag[] = [];
  for (let last = false; !last;) {
    const header = file.read(at, flacBlockHeaderBytes);
    if (header.length < flacBlockHeaderBytes) return null;
    const block = flacBlockHeader(header);
    last = block.last;
    at += flacBlockHeaderBytes;
    if (block.type === flacBlockTypes.streamInfo) {
      const info = flacStreamInfo(file.read(at, block.length));
      if (info === null) return null;
      const { sampleRate, channels } = info;
      const samples = Number(info.totalSamples);
      audio = { format: 'flac', codec: 'flac', sampleRate, channels, durationSeconds: samples > 0 && sampleRate > 0 ? samples / sampleRate : null };
    } else if (block.type === flacBlockTypes.vorbisComment) {
      const comments = readVorbisComments(file.read(at, block.length));
      if (comments === null) return null;
      tags.push(...comments);
    } else if (block.type === flacBlockTypes.invalid) {
      return null;
    }
    at += block.length;
  }
  return audio === null ? null : { tags, map: vorbisTagMap, audio };
}
