import type { NativeTag, TagMap } from './common-tags.js';

/**
 * The audio as the container's headers describe it, named as ffmpeg names it (decode/stream-facts.ts):
 * what a tags pass records until a full pass replaces it with the decoded stream's facts.
 */
export interface AudioFormat {
  format: string | null;
  codec: string | null;
  sampleRate: number | null;
  channels: number | null;
  /** Seconds, only when the container states it reliably; null otherwise. */
  durationSeconds: number | null;
}

/**
 * Where an MPEG audio file's (MP3, MP2) duration comes from: `container` when its first frame
 * has a Xing/Info/VBRI header (mp3-header.ts), which gives the frame count; `frames` without one,
 * counting every frame (the container's figure is a guess from the first frame's bit rate);
 * `none` when no duration is wanted (a full pass takes the decoded one).
 */
export type MpegDurationSource = 'container' | 'frames' | 'none';

/** What one of the narrow readers read of a file: its native tags in order, how they map, and the audio as its headers describe it. */
export interface ContainerTags {
  tags: NativeTag[];
  map: TagMap;
  audio: AudioFormat;
}
