/**
 * FLAC's metadata blocks (https://xiph.org/flac/format.html#metadata_block) as both their readers
 * walk them: the cue sheet's (flac-cue-sheet.ts) and the tags' (tag-readers/flac.ts).
 */

export const flacBlockHeaderBytes = 4;
export const flacBlockTypes = { streamInfo: 0, vorbisComment: 4, cueSheet: 5, invalid: 127 } as const;

export interface FlacBlockHeader {
  /** The last metadata block before the audio frames. */
  last: boolean;
  type: number;
  /** Bytes of the block's body, after its header. */
  length: number;
}

/** The block header in the first 4 bytes of `bytes`. */
export function flacBlockHeader(bytes: Uint8Array): FlacBlockHeader {
  const [flags = 0, high = 0, middle = 0, low = 0] = bytes;
  return { last: (flags & 0x80) !== 0, type: flags & 0x7f, length: (high << 16) | (middle << 8) | low };
}

export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  /** 0 when the encoder did not know it. */
  totalSamples: bigint;
}

/** STREAMINFO: the sample rate in 20 bits at byte 10, channels − 1 in the next 3, total samples in 36 bits from the low nibble of byte 13; null when the body is shorter than that. */
export function flacStreamInfo(body: Uint8Array): FlacStreamInfo | null {
  if (body.length < 18) return null;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return {
    sampleRate: view.getUint32(10) >>> 12,
    channels: ((body[12]! >> 1) & 7) + 1,
    totalSamples: (BigInt(body[13]! & 0x0f) << 32n) | BigInt(view.getUint32(14)),
  };
}
