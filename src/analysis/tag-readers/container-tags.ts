import type { AudioFormat } from '../tags.js';
import type { NativeTag, TagMap } from './common-tags.js';

/** What one of the narrow readers read of a file: its native tags in order, how they map, and the audio as its headers describe it. */
export interface ContainerTags {
  tags: NativeTag[];
  map: TagMap;
  audio: AudioFormat;
}
