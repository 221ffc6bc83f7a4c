/**
 * What a file is from its first bytes (magic numbers), whatever its name says: the workers' first
 * look at a file, before its tags and its audio (worker.ts). What the name says is
 * file-class.ts's, and only a guess.
 */
import type { FileClass } from '../file-record.js';
import { startsWithAscii } from './bytes.js';
import { id3v2Size } from './mp3-header.js';
import { framePairAt } from './mpeg-frames.js';

export interface ContentType {
  fileClass: FileClass;
  /** The MIME type the bytes show, e.g. `audio/flac`; null when nothing is recognised. */
  mime: string | null;
  /**
   * Whether the bytes settle what the file is. They don't for containers that hold audio or video
   * (MP4, Ogg, Matroska, WebM, ASF) nor for binary bytes nothing recognises: ffmpeg then decides
   * (worker.ts): a file is audio when ffmpeg finds an audio stream in it, and no video.
   */
  settled: boolean;
}

/**
 * Containers that may hold audio only, or video, whatever file-type answers. For ASF (WMA, WMV)
 * it reads the type of the first stream whose properties lie in the head it is given: a WMV's
 * first stream is often its audio, and a Windows Media Player rip keeps its tags and cover in
 * header objects before any stream's properties, where the head ends (`application/vnd.ms-asf`).
 */
const audioOrVideoContainers = new Set([
  'video/mp4', 'video/ogg', 'video/webm', 'video/matroska', 'video/x-matroska', 'application/ogg',
  'application/vnd.ms-asf', 'audio/x-ms-asf', 'video/x-ms-asf',
]);

/** How many leading bytes `classifyContent` needs to see, after any tag in front (`tagInFront`). */
export const sniffBytes = 4100;

/** Text (no NUL, valid UTF-8): a playlist, a cue sheet, a log; never audio. */
function isText(head: Uint8Array): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - 4)); // a character may be cut at the end
    return true;
  } catch {
    return false;
  }
}

/**
 * The MIME type of the containers most music comes in (FLAC, Ogg Vorbis, Opus, M4A, MP3), known by
 * their first bytes and named as file-type names them (checked against it on every file of two
 * corpora: tag-readers.test.ts, formats.test.ts); null for anything else. A worker whose files are
 * all of these never loads file-type, whose detection is most of what classifying costs.
 */
export function commonAudioType(head: Uint8Array): string | null {
  if (startsWithAscii(head, 'fLaC')) return 'audio/flac';
  if (startsWithAscii(head, 'OggS')) return startsWithAscii(head, 'OpusHead', 28) ? 'audio/ogg; codecs=opus' : startsWithAscii(head, '\x01vorbis', 28) ? 'audio/ogg' : null;
  if (startsWithAscii(head, 'ftypM4A ', 4)) return 'audio/x-m4a';
  // An MPEG Layer III frame and the one after it: two headers in a row are no accident (mpeg-frames.ts).
  return framePairAt(head, 0)?.layer === 3 ? 'audio/mpeg' : null;
}

/** What a file is, from its first bytes after any tag in front (magic numbers), whatever its name says. */
export async function classifyContent(head: Uint8Array): Promise<ContentType> {
  const common = commonAudioType(head);
  if (common !== null) return { fileClass: 'audio', mime: common, settled: true };
  // Loaded on first use, by the workers: the main thread classifies by name only and starts that much sooner.
  const { fileTypeFromBuffer } = await import('file-type');
  const type = await fileTypeFromBuffer(head);
  if (!type) return isText(head) ? { fileClass: 'other', mime: null, settled: true } : { fileClass: 'other', mime: null, settled: false };
  if (type.mime.startsWith('image/')) return { fileClass: 'image', mime: type.mime, settled: true };
  if (audioOrVideoContainers.has(type.mime)) return { fileClass: 'audio', mime: type.mime, settled: false };
  if (type.mime.startsWith('audio/')) return { fileClass: 'audio', mime: type.mime, settled: true };
  return { fileClass: 'other', mime: type.mime, settled: true };
}

/** The size of a tag in front of the audio (ID3v2, as often in front of FLAC as of MP3; an APEv2 header), 0 when there is none. */
export function tagInFront(head: Uint8Array): number {
  const id3 = id3v2Size(head);
  if (id3 > 0) return id3;
  if (head.length >= 32 && startsWithAscii(head, 'APETAGEX')) {
    const size = head[12]! | (head[13]! << 8) | (head[14]! << 16) | (head[15]! << 24);
    return 32 + size; // the header, then items and footer (`size` counts those)
  }
  return 0;
}
