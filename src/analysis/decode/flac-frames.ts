/**
 * Cutting a FLAC stream just before frame headers. @audio/decode-flac 1.3.5 finds a frame's end
 * by the next frame's header; when that header is split between two chunks it misses the
 * boundary and silently drops a frame (measured: 864 of 26,460,000 samples lost with 64 KiB
 * chunks, 42,336 with 4 KiB). Fed chunks that each end where a frame begins, it loses none.
 */

/** A frame header is at most 16 bytes (sync, codes, UTF-8 frame number, sizes, CRC-8). */
const maxHeaderBytes = 16;

const crc8Table = Uint8Array.from({ length: 256 }, (_, index) => {
  let crc = index;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  return crc;
});

/** Whether a whole, valid frame header (sync code, legal fields, matching CRC-8) starts at `at`. */
export function isFrameHeaderAt(bytes: Uint8Array, at: number): boolean {
  if (at + 5 > bytes.length || bytes[at] !== 0xff || ((bytes[at + 1] as number) & 0xfe) !== 0xf8) return false;
  const blockSizeCode = (bytes[at + 2] as number) >> 4;
  const rateCode = (bytes[at + 2] as number) & 0x0f;
  const channelCode = (bytes[at + 3] as number) >> 4;
  if (blockSizeCode === 0 || rateCode === 15 || channelCode > 10 || ((bytes[at + 3] as number) & 1) !== 0) return false;
  const lead = bytes[at + 4] as number;
  const numberBytes = lead < 0x80 ? 0 : lead < 0xe0 ? 1 : lead < 0xf0 ? 2 : lead < 0xf8 ? 3 : lead < 0xfc ? 4 : lead < 0xfe ? 5 : 6;
  const blockBytes = blockSizeCode === 6 ? 1 : blockSizeCode === 7 ? 2 : 0;
  const rateBytes = rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0;
  const crcAt = at + 5 + numberBytes + blockBytes + rateBytes;
  if (crcAt >= bytes.length) return false;
  let crc = 0;
  for (let i = at; i < crcAt; i++) crc = crc8Table[crc ^ (bytes[i] as number)] as number;
  return crc === bytes[crcAt];
}

/** The last position after 0 where a whole frame header starts, or -1. */
export function lastFrameStart(bytes: Uint8Array): number {
  for (let at = bytes.length - 1; at > 0; at--) {
    if (bytes[at] === 0xff && isFrameHeaderAt(bytes, at)) return at;
  }
  return -1;
}

/** Re-cuts a FLAC byte stream so that every chunk but the last ends where a frame header begins. */
export class FlacFrameCutter {
  private carry = new Uint8Array(0);

  push(data: Uint8Array): Uint8Array {
    const bytes = new Uint8Array(this.carry.length + data.length);
    bytes.set(this.carry);
    bytes.set(data, this.carry.length);
    const start = lastFrameStart(bytes);
    // no header yet: only the last bytes could be the start of one still arriving
    const cut = start > 0 ? start : Math.max(0, bytes.length - maxHeaderBytes);
    this.carry = bytes.slice(cut);
    return bytes.subarray(0, cut);
  }

  end(): Uint8Array {
    const rest = this.carry;
    this.carry = new Uint8Array(0);
    return rest;
  }
}
