import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFile, parseFromTokenizer } from 'music-metadata';
import { EndOfStreamError } from 'strtok3';
import { describe, expect, it } from 'vitest';
import { ReadAheadTokenizer } from './read-ahead-tokenizer.js';

const fixture = (path: string): string => fileURLToPath(new URL(`../../test/fixtures/${path}`, import.meta.url));
const library = [
  'library/Artist A/Album One/01 First.mp3', 'library/Artist A/Album One/02 Second.flac', 'library/Artist B/Third.ogg',
  'library/Artist B/Fourth.opus', 'library/Various/Fifth.m4a', 'library/Various/Sixth.wav',
];

describe('ReadAheadTokenizer', () => {
  it.each(library)('gives music-metadata what reading %s itself gives', async (path) => {
    const tokenizer = new ReadAheadTokenizer(fixture(path));
    try {
      const ours = await parseFromTokenizer(tokenizer, { skipCovers: true });
      const theirs = await parseFile(fixture(path), { skipCovers: true });
      expect(ours.common).toEqual(theirs.common);
      expect(ours.format.container).toBe(theirs.format.container);
      expect(ours.format.sampleRate).toBe(theirs.format.sampleRate);
    } finally {
      await tokenizer.close();
    }
  });

  it('reads at any position, small and large, peeking without moving, and stops at the end only when told it may', async () => {
    const path = fixture('library/Artist A/Album One/02 Second.flac');
    const bytes = new Uint8Array(readFileSync(path));
    const tokenizer = new ReadAheadTokenizer(path);
    try {
      expect(tokenizer.fileInfo.size).toBe(statSync(path).size);
      const small = new Uint8Array(10);
      expect(await tokenizer.peekBuffer(small, { position: 100 })).toBe(10);
      expect(small).toEqual(bytes.subarray(100, 110));
      expect(tokenizer.position).toBe(0);
      expect(await tokenizer.readBuffer(small)).toBe(10);
      expect(tokenizer.position).toBe(10);
      const large = new Uint8Array(bytes.length - 5);
      expect(await tokenizer.readBuffer(large, { position: 5 })).toBe(large.length);
      expect(large).toEqual(bytes.subarray(5));
      const past = new Uint8Array(100);
      expect(await tokenizer.peekBuffer(past, { position: bytes.length - 40, mayBeLess: true })).toBe(40);
      await expect(tokenizer.readBuffer(past, { position: bytes.length - 40 })).rejects.toBeInstanceOf(EndOfStreamError);
    } finally {
      await tokenizer.close();
    }
  });

  it('names the file that cannot be opened', () => {
    expect(() => new ReadAheadTokenizer(fixture('library/none.flac'))).toThrow(/ENOENT.*none\.flac/);
  });
});
