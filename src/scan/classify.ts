import { open } from 'node:fs/promises';
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

/** The first `sniffBytes` of a file: what `classifyContent` looks at. */
export async function readHead(absolutePath: string): Promise<Uint8Array> {
  const handle = await open(absolutePath, 'r');
  try {
    const buffer = new Uint8Array(sniffBytes);
    const { bytesRead } = await handle.read(buffer, 0, sniffBytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The content class of files whose name does not say audio, a few at a time: audio that was
 * renamed (or has no extension) is found here. An unreadable file keeps its extension's class.
 */
export async function classifyFilesByContent<T extends { absolutePath: string; extensionClass: FileClass }>(
  entries: readonly T[],
  concurrency = 8,
): Promise<{ entry: T; fileClass: FileClass }[]> {
  const results: { entry: T; fileClass: FileClass }[] = [];
  let next = 0;
  async function lane(): Promise<void> {
    while (next < entries.length) {
      const entry = entries[next++]!;
      let fileClass = entry.extensionClass;
      try {
        fileClass = (await classifyContent(await readHead(entry.absolutePath))).fileClass;
      } catch {
        // unreadable: counted by its name; it is not audio we could import anyway
      }
      results.push({ entry, fileClass });
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, lane));
  return results;
}
