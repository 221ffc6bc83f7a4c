import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FileClass } from '../file-record.js';
import { classifyByExtension, classifyContent, sniffBytes } from './classify.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

/** The first bytes of a fixture, as the worker reads them. */
async function headOf(relativePath: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(join(fixtures, relativePath))).subarray(0, sniffBytes);
}

describe('classifyByExtension', () => {
  it.each([
    ['Artist/Album/01 Song.mp3', 'audio'],
    ['Artist/Album/02 Song.FLAC', 'audio'],
    ['a.ogg', 'audio'], ['a.opus', 'audio'], ['a.m4a', 'audio'], ['a.wav', 'audio'], ['a.aiff', 'audio'],
    ['Album/cover.jpg', 'image'], ['Album/Folder.PNG', 'image'], ['scan.webp', 'image'],
    ['notes.txt', 'other'], ['playlist.m3u', 'other'], ['noext-audio', 'other'],
  ] as [string, FileClass][])('classifies %s as %s by its name', (path, expected) => {
    expect(classifyByExtension(path)).toBe(expected);
  });

  it('reads the extension of the file name only, not a dot in a folder name', () => {
    expect(classifyByExtension('Album.mp3/track')).toBe('other');
  });

  it('does not take a dot file name for an extension', () => {
    expect(classifyByExtension('Album/.mp3')).toBe('other');
  });
});

describe('classifyContent on the fixtures', () => {
  it.each([
    ['library/Artist A/Album One/01 First.mp3', 'audio', 'audio/mpeg'],
    ['library/Artist A/Album One/02 Second.flac', 'audio', 'audio/flac'],
    ['library/Artist B/Third.ogg', 'audio', 'audio/ogg'],
    ['library/Various/Sixth.wav', 'audio', 'audio/wav'],
    ['library/Artist A/Album One/cover.jpg', 'image', 'image/jpeg'],
    ['vbr-no-xing.mp3', 'audio', 'audio/mpeg'],
    ['bad/renamed-ogg.mp3', 'audio', 'audio/ogg'],
    ['bad/noext-audio', 'audio', 'audio/flac'],
    ['bad/picture.mp3', 'image', 'image/jpeg'],
  ] as [string, FileClass, string][])('recognises %s as %s (%s) from its bytes', async (path, fileClass, mime) => {
    expect(await classifyContent(await headOf(path))).toEqual({ fileClass, mime });
  });

  it.each(['library/Artist B/Fourth.opus', 'library/Various/Fifth.m4a'])('recognises %s as audio from its bytes', async (path) => {
    expect((await classifyContent(await headOf(path))).fileClass).toBe('audio');
  });

  it.each(['bad/text.flac', 'bad/random.flac', 'library/notes.txt', 'bad/empty.mp3'])(
    'classifies %s as other, with no MIME type, whatever its name says',
    async (path) => {
      expect(await classifyContent(await headOf(path))).toEqual({ fileClass: 'other', mime: null });
    },
  );
});
