import { fileTypeFromBuffer } from 'file-type';
import type { FileClass } from '../file-record.js';

const audioExtensions = new Set([
  'mp3', 'mp2', 'flac', 'ogg', 'oga', 'opus', 'm4a', 'm4b', 'mp4', 'aac', 'wav', 'wave', 'aif', 'aiff',
  'aifc', 'wv', 'ape', 'mpc', 'wma', 'asf', 'dsf', 'dff', 'mka', 'webm', 'spx',
]);
const imageExtensions = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'tif', 'tiff', 'heic', 'avif']);

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** What a file's name says it is. Only a guess: content decides (`classifyContent`). */
export function classifyByExtension(path: string): FileClass {
  const extension = extensionOf(path);
  if (audioExtensions.has(extension)) return 'audio';
  if (imageExtensions.has(extension)) return 'image';
  return 'other';
}

export interface ContentType {
  fileClass: FileClass;
  /** The MIME type the bytes show, e.g. `audio/flac`; null when nothing is recognised. */
  mime: string | null;
}

/** Containers that file-type reports as video or application but that hold audio here. */
const audioContainers = new Set(['video/mp4', 'video/ogg', 'video/webm', 'video/x-matroska', 'application/ogg']);

/** How many leading bytes `classifyContent` needs to see. */
export const sniffBytes = 4100;

/** What a file is, from its first bytes (magic numbers), whatever its name says. */
export async function classifyContent(head: Uint8Array): Promise<ContentType> {
  const type = await fileTypeFromBuffer(head);
  if (!type) return { fileClass: 'other', mime: null };
  if (type.mime.startsWith('audio/') || audioContainers.has(type.mime)) return { fileClass: 'audio', mime: type.mime };
  if (type.mime.startsWith('image/')) return { fileClass: 'image', mime: type.mime };
  return { fileClass: 'other', mime: type.mime };
}
