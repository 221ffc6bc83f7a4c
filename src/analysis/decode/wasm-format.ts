/**
 * Which audio-decode codec reads a file: from the sniffed content type when it is unambiguous,
 * else from the first bytes (an `audio/ogg` stream may hold Vorbis or Opus).
 */

/** audio-decode's names for the formats the wasm decoder reads. */
export type WasmFormat = 'mp3' | 'flac' | 'oga' | 'opus' | 'm4a' | 'wav';

/** How many leading bytes `sniffWasmFormat` looks at. */
export const wasmSniffBytes = 64;

const byMime: ReadonlyMap<string, WasmFormat> = new Map([
  ['audio/mpeg', 'mp3'],
  ['audio/flac', 'flac'],
  ['audio/x-flac', 'flac'],
  ['audio/opus', 'opus'],
  ['audio/ogg; codecs=opus', 'opus'],
  ['audio/x-m4a', 'm4a'],
  ['audio/mp4', 'm4a'],
  ['video/mp4', 'm4a'],
  ['audio/wav', 'wav'],
  ['audio/x-wav', 'wav'],
  ['audio/wave', 'wav'],
  ['audio/vnd.wave', 'wav'],
]);

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** The format the magic numbers show, or undefined. */
export function sniffWasmFormat(head: Uint8Array): WasmFormat | undefined {
  const first = head[0] ?? 0;
  const second = head[1] ?? 0;
  if (ascii(head, 0, 4) === 'fLaC') return 'flac';
  if (ascii(head, 0, 4) === 'OggS') {
    if (ascii(head, 28, 8) === 'OpusHead') return 'opus';
    if (ascii(head, 29, 6) === 'vorbis') return 'oga';
    return undefined;
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WAVE') return 'wav';
  if (ascii(head, 4, 4) === 'ftyp') return 'm4a';
  if (ascii(head, 0, 3) === 'ID3') return 'mp3';
  // MPEG audio frame sync with a layer (ADTS AAC has layer bits 00)
  if (first === 0xff && (second & 0xe0) === 0xe0 && (second & 0x06) !== 0) return 'mp3';
  return undefined;
}

export function wasmFormatOf(mime: string | undefined, head: Uint8Array): WasmFormat | undefined {
  return (mime === undefined ? undefined : byMime.get(mime.toLowerCase())) ?? sniffWasmFormat(head);
}
