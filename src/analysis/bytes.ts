/**
 * Reading numbers and magic words out of a file's bytes: the few ways the container readers
 * (content type, tags, durations, FLAC cue sheets) look at them, in one place.
 */

/** Whether `bytes` hold the ASCII `text` at `at`. */
export function startsWithAscii(bytes: Uint8Array, text: string, at = 0): boolean {
  if (at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i += 1) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Latin-1 as music-metadata decodes it (ISO-8859-1: each byte its code point; not windows-1252, which TextDecoder gives). */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return text;
}

const utf8Decoder = new TextDecoder('utf-8');
export function utf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** `length` bytes at `at` as text of one byte a character: a box type, a brand. */
export function ascii(bytes: Uint8Array, at: number, length: number): string {
  return latin1(bytes.subarray(at, at + length));
}

export function uint32BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

export function uint32LE(bytes: Uint8Array, at: number): number {
  return ((bytes[at + 3]! << 24) >>> 0) + (bytes[at + 2]! << 16) + (bytes[at + 1]! << 8) + bytes[at]!;
}

/** ID3v2's 28-bit size, seven bits a byte (the high bit ignored), at `at`. */
export function syncsafe(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! & 0x7f) << 21) | ((bytes[at + 1]! & 0x7f) << 14) | ((bytes[at + 2]! & 0x7f) << 7) | (bytes[at + 3]! & 0x7f);
}
