/**
 * The narrow readers (docs/adr/0009): the common containers' tags and audio headers, read
 * synchronously in a few reads, as music-metadata reads them. Null when the file is none of them,
 * or holds what only music-metadata reads as it should (analysis/tags.ts then asks it).
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import type { ContainerTags, MpegDurationSource } from './container-tags.js';
import { FileBytes } from './file-bytes.js';
import { readFlac } from './flac.js';
import { readMp4 } from './mp4.js';
import { readMpeg } from './mpeg.js';
import { readOgg } from './ogg.js';

type Reader = (file: FileBytes, mpegDuration: MpegDurationSource) => Promise<ContainerTags | null> | ContainerTags | null;

/** The reader for the MIME type the content showed (content-type.ts, file-type's names). */
function readerFor(mime: string): Reader | null {
  const type = mime.split(';')[0]!.trim();
  if (type === 'audio/ogg' || type === 'audio/opus' || type === 'application/ogg') return readOgg;
  if (type === 'audio/flac' || type === 'audio/x-flac') return readFlac;
  if (type === 'audio/mpeg') return readMpeg;
  if (type === 'audio/mp4' || type === 'audio/x-m4a' || type === 'video/mp4') return readMp4;
  return null;
}

/** `mime`: what the content showed (content-type.ts). */
export async function readOwnTags(path: string, mime: string, mpegDuration: MpegDurationSource): Promise<ContainerTags | null> {
  const reader = readerFor(mime);
  if (reader === null) return null;
  const fd = openSync(path, 'r');
  try {
    return await reader(new FileBytes(fd, fstatSync(fd).size), mpegDuration);
  } catch {
    // What a narrow reader cannot make sense of, music-metadata reads, or says what is wrong with it.
    return null;
  } finally {
    closeSync(fd);
  }
}
