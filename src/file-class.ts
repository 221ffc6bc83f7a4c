/** What a file's name says it is: the walk's guess (scan/walk.ts), which its content confirms or overrules (analysis/content-type.ts). */
import type { FileClass } from './file-record.js';

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

/** What a file's name says it is. Only a guess: content decides (analysis/content-type.ts). */
export function classifyByExtension(path: string): FileClass {
  const extension = extensionOf(path);
  if (audioExtensions.has(extension)) return 'audio';
  if (imageExtensions.has(extension)) return 'image';
  return 'other';
}
