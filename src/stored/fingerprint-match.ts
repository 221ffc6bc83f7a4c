/**
 * Whether two stored Chromaprint fingerprints are the same recording: an MP3 replaced by a FLAC of
 * the same master, say. Passages keep only the compressed fingerprint (fingerprint.ts), so it is
 * first unpacked here (a port of chromaprint's FingerprintDecompressor), then two are slid against
 * each other and scored by bit error rate: about 0.5 for unrelated audio, under 0.1 for two
 * encodings of one recording.
 */

export interface DecompressedFingerprint {
  /**
   * Chromaprint's algorithm enum, from the first byte: 1 (CHROMAPRINT_ALGORITHM_TEST2) is the
   * default, what `fpcalc -algorithm 2` and AcoustID use. Only fingerprints of one algorithm compare.
   */
  algorithm: number;
  /** The sub-fingerprints, one per ~0.124 s: the numbers `fpcalc -raw` prints. */
  raw: Uint32Array;
}

/**
 * A fingerprint as `fpcalc` prints it without `-raw` (base64url, no padding) unpacked to its
 * sub-fingerprints, or null if the text is not one. Accepts what chromaprint's
 * `chromaprint_decode_fingerprint` accepts (bytes after the end are ignored, as there), except
 * where that decodes garbage: characters outside base64url, a length no base64 has, and bit
 * positions past 32 are refused here.
 */
export function decompressFingerprint(compressed: string): DecompressedFingerprint | null {
  const bytes = decodeBase64Url(compressed);
  if (bytes === null || bytes.length < HEADER_BYTES) return null;
  const count = (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!;
  const body = bytes.subarray(HEADER_BYTES);

  const normal = unpackInt3(body);
  const normalLength = lengthOfRuns(normal, count);
  if (normalLength < 0) return null;
  const runs = normal.subarray(0, normalLength);

  const escapes = countEscapes(runs);
  const exceptionalStart = packedSize(normalLength, 3);
  const exceptionalEnd = exceptionalStart + packedSize(escapes, 5);
  if (body.length < exceptionalEnd) return null;
  const exceptional = unpackInt5(body.subarray(exceptionalStart, exceptionalEnd));

  const raw = rebuildSubFingerprints(runs, exceptional, count);
  return raw === null ? null : { algorithm: bytes[0]!, raw };
}

export interface CompareOptions {
  /**
   * How far (in sub-fingerprints, ~0.124 s each) either fingerprint may be shifted against the
   * other; default `DEFAULT_MAX_OFFSET`.
   */
  maxOffset?: number;
}

export interface FingerprintComparison {
  /**
   * Fraction of differing bits over the overlap at the best offset: ~0.5 for unrelated audio, < 0.1
   * for two encodings of one recording. 1 when no offset overlapped enough (an empty fingerprint).
   */
  bitErrorRate: number;
  /**
   * Where `b` sits in `a`: sub-fingerprint `b[i]` lines up with `a[i + offset]`. Positive when
   * `b` starts later in the recording (its first `offset × 0.124 s` are cut off).
   */
  offset: number;
  /** Sub-fingerprints compared at that offset (0 when none qualified). */
  overlap: number;
}

/** ±80 sub-fingerprints: ±10 s of lead-in added or cut between two rips of one recording. */
export const DEFAULT_MAX_OFFSET = 80;

/**
 * An offset is scored only when the fingerprints overlap by at least this fraction of the shorter
 * one: over a few sub-fingerprints at the edge, unrelated audio can agree by chance.
 */
const MIN_OVERLAP_FRACTION = 0.5;

/**
 * The best alignment of two raw fingerprints of the same algorithm within ±`maxOffset`: the offset
 * whose overlap has the fewest differing bits, relative to its size. Ties go to the smaller shift.
 * Costs (2 × maxOffset + 1) × overlap popcounts: about 160 000 for two 120 s fingerprints.
 */
export function compareFingerprints(a: Uint32Array, b: Uint32Array, options: CompareOptions = {}): FingerprintComparison {
  // No shift past the longer one can overlap; the bound also keeps an Infinity from looping forever.
  const maxOffset = Math.min(Math.max(a.length, b.length), Math.max(0, Math.floor(options.maxOffset ?? DEFAULT_MAX_OFFSET)));
  const minOverlap = Math.max(1, Math.ceil(Math.min(a.length, b.length) * MIN_OVERLAP_FRACTION));
  let best: FingerprintComparison = { bitErrorRate: 1, offset: 0, overlap: 0 };
  for (let offset = 0 - maxOffset; offset <= maxOffset; offset++) { // 0 − x, not −x: −0 is no offset to report
    const aStart = Math.max(0, offset);
    const bStart = aStart - offset;
    const overlap = Math.min(a.length - aStart, b.length - bStart);
    if (overlap < minOverlap) continue;
    let differing = 0;
    for (let i = 0; i < overlap; i++) differing += popcount(a[aStart + i]! ^ b[bStart + i]!);
    const bitErrorRate = differing / (overlap * 32);
    const isBetter = bitErrorRate < best.bitErrorRate || (bitErrorRate === best.bitErrorRate && Math.abs(offset) < Math.abs(best.offset));
    if (best.overlap === 0 || isBetter) best = { bitErrorRate, offset, overlap };
  }
  return best;
}

/** Set bits of a 32-bit integer (SWAR: pairs, nibbles, bytes, then one multiply sums the bytes). */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

// --- The compressed format (chromaprint src/fingerprint_compressor.cpp) ---
// Byte 0 the algorithm, bytes 1–3 the number of sub-fingerprints (big-endian). Each
// sub-fingerprint is XORed with the one before, and its set bits written as the gaps between them
// (lowest first), 3 bits a gap, a 0 closing it; a gap of 7 or more is written as 7 and the rest
// goes, 5 bits each, into a second array after the first.

const HEADER_BYTES = 4;
/** The 3-bit value that says "7 or more: the rest is the next 5-bit exceptional value". */
const ESCAPE = 7;

/** Bytes that `count` values of `bits` bits each pack into (GetPackedInt{3,5}ArraySize). */
function packedSize(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

/**
 * The values packed `bits` to a value, least significant bit first, as Pack/UnpackInt{3,5}Array:
 * as many whole values as the bytes hold (the bits of a partial last one are padding).
 */
function unpackBits(bytes: Uint8Array, bits: number): Uint8Array {
  const values = new Uint8Array(Math.floor((bytes.length * 8) / bits));
  const mask = (1 << bits) - 1;
  let buffer = 0;
  let buffered = 0;
  let at = 0;
  for (const byte of bytes) {
    buffer |= byte << buffered;
    buffered += 8;
    while (buffered >= bits && at < values.length) {
      values[at++] = buffer & mask;
      buffer >>>= bits;
      buffered -= bits;
    }
  }
  return values;
}

const unpackInt3 = (bytes: Uint8Array): Uint8Array => unpackBits(bytes, 3);
const unpackInt5 = (bytes: Uint8Array): Uint8Array => unpackBits(bytes, 5);

/**
 * How many 3-bit values make up `count` sub-fingerprints (through the `count`-th 0), or −1 if the
 * values end first. For a count of 0, chromaprint wants no 0 at all (its search never stops).
 */
function lengthOfRuns(values: Uint8Array, count: number): number {
  if (count === 0) return values.includes(0) ? -1 : 0;
  let found = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === 0 && ++found === count) return i + 1;
  }
  return -1;
}

function countEscapes(runs: Uint8Array): number {
  let escapes = 0;
  for (const value of runs) if (value === ESCAPE) escapes++;
  return escapes;
}

/**
 * The sub-fingerprints from their gap runs (exceptional values added to the escapes in order),
 * undoing the XOR with the previous one as it goes; null if a bit lands past bit 31, which no
 * compressor writes.
 */
function rebuildSubFingerprints(runs: Uint8Array, exceptional: Uint8Array, count: number): Uint32Array | null {
  const raw = new Uint32Array(count);
  let value = 0; // never reset: XOR of this sub-fingerprint's bits into the previous one
  let bit = 0;
  let at = 0;
  let nextExceptional = 0;
  for (const run of runs) {
    if (run === 0) {
      raw[at++] = value;
      bit = 0;
      continue;
    }
    bit += run === ESCAPE ? ESCAPE + exceptional[nextExceptional++]! : run;
    if (bit > 32) return null;
    value ^= 1 << (bit - 1);
  }
  return raw;
}

// --- base64url without padding (chromaprint src/utils/base64.h) ---

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_VALUES = new Map([...BASE64URL].map((char, value) => [char.charCodeAt(0), value]));

/**
 * The bytes of unpadded base64url text, or null for any other character or a length that leaves a
 * single character over (6 bits cannot make a byte). Node's own decoder skips bad characters
 * silently, hence this one.
 */
function decodeBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let buffered = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const value = BASE64URL_VALUES.get(text.charCodeAt(i));
    if (value === undefined) return null;
    buffer = ((buffer << 6) | value) & 0xffff;
    buffered += 6;
    if (buffered >= 8) {
      buffered -= 8;
      bytes[at++] = (buffer >>> buffered) & 0xff;
    }
  }
  return bytes;
}
