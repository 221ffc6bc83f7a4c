import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSeekHeader, id3v2Size } from './mp3-header.js';

const first = new Uint8Array(readFileSync(new URL('../../test/fixtures/library/Artist A/Album One/01 First.mp3', import.meta.url)));
const vbrNoXing = new Uint8Array(readFileSync(new URL('../../test/fixtures/vbr-no-xing.mp3', import.meta.url)));

function isFrameSync(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0xff && (bytes[at + 1]! & 0xe0) === 0xe0;
}

/** An ID3v2 header announcing `size` bytes of tag body (syncsafe), optionally with a footer. */
function id3Header(size: number, footer = false): Uint8Array {
  return Uint8Array.from([
    0x49, 0x44, 0x33, 4, 0, footer ? 0x10 : 0,
    (size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f,
  ]);
}

/** An MPEG-1 Layer III frame start: `padding` stray bytes, the 4-byte header, then `marker` at `offset` into the frame. */
function frame(marker: string | null, offset: number, padding = 0): Uint8Array {
  const bytes = new Uint8Array(padding + 200);
  bytes.set([0xff, 0xfb, 0x90, 0x64], padding);
  if (marker !== null) bytes.set(Array.from(marker, (c) => c.charCodeAt(0)), padding + offset);
  return bytes;
}

describe('id3v2Size', () => {
  it('gives the size of the fixture ID3v2 tag, after which the first MPEG frame starts', () => {
    const size = id3v2Size(first);
    expect(size).toBeGreaterThan(10);
    expect(isFrameSync(first, size)).toBe(true);
  });

  it('is 0 for an MP3 that starts with its first frame', () => {
    expect(id3v2Size(vbrNoXing)).toBe(0);
    expect(isFrameSync(vbrNoXing, 0)).toBe(true);
  });

  it('decodes the syncsafe size and adds the 10-byte header', () => {
    expect(id3v2Size(id3Header(257))).toBe(267);
    expect(id3v2Size(id3Header(0x0fffffff))).toBe(10 + 0x0fffffff);
  });

  it('adds 10 bytes when the tag has a footer', () => {
    expect(id3v2Size(id3Header(257, true))).toBe(277);
  });

  it('ignores the high bit of each size byte', () => {
    const header = id3Header(257);
    header[8] = header[8]! | 0x80;
    header[9] = header[9]! | 0x80;
    expect(id3v2Size(header)).toBe(267);
  });

  it('is 0 without an ID3 signature or with fewer than 10 bytes', () => {
    expect(id3v2Size(Uint8Array.from([0x49, 0x44, 0x34, 4, 0, 0, 0, 0, 2, 1]))).toBe(0);
    expect(id3v2Size(id3Header(257).subarray(0, 9))).toBe(0);
    expect(id3v2Size(new Uint8Array(0))).toBe(0);
  });
});

describe('hasSeekHeader', () => {
  it('finds the Info header of the CBR fixture in the frame after its ID3 tag', () => {
    const size = id3v2Size(first);
    expect(hasSeekHeader(first.subarray(size, size + 4096))).toBe(true);
  });

  it('finds no header in the VBR fixture written without one', () => {
    expect(hasSeekHeader(vbrNoXing.subarray(0, 4096))).toBe(false);
  });

  it.each([
    ['Xing', 36], ['Info', 21], ['Info', 13], ['VBRI', 36],
  ])('finds a %s marker %i bytes into the first frame', (marker, offset) => {
    expect(hasSeekHeader(frame(marker, offset))).toBe(true);
  });

  it('finds the marker when a few stray bytes come before the frame sync', () => {
    expect(hasSeekHeader(frame('Xing', 36, 3))).toBe(true);
  });

  it('does not take a marker beyond the side information for a seek header', () => {
    expect(hasSeekHeader(frame('Xing', 120))).toBe(false);
  });

  it('does not take a marker before the frame sync for a seek header', () => {
    const bytes = new Uint8Array(300);
    bytes.set(Array.from('Xing', (c) => c.charCodeAt(0)), 0);
    bytes.set([0xff, 0xfb, 0x90, 0x64], 10);
    expect(hasSeekHeader(bytes)).toBe(false);
  });

  it('is false for a frame with no marker, bytes with no frame sync, and a buffer too short to hold one', () => {
    expect(hasSeekHeader(frame(null, 0))).toBe(false);
    expect(hasSeekHeader(new Uint8Array(500))).toBe(false);
    expect(hasSeekHeader(Uint8Array.from([0xff, 0xfb, 0x90]))).toBe(false);
  });
});
