import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileClass } from '../file-record.js';
import { classifyByExtension, classifyContent, classifyFilesByContent, readHead } from './classify.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

/** The first bytes of a fixture, as the scanner reads them. */
function headOf(relativePath: string): Promise<Uint8Array> {
  return readHead(join(fixtures, relativePath));
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

describe('classifyFilesByContent', () => {
  const made: string[] = [];
  afterEach(() => {
    while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
  });

  it('finds renamed audio among files whose names do not say audio, and keeps the name class of a file it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wkmp-classify-'));
    made.push(dir);
    writeFileSync(join(dir, 'notes.txt'), 'just some words\n');
    const entries = [
      { absolutePath: join(fixtures, 'bad/noext-audio'), extensionClass: 'other' as FileClass },
      { absolutePath: join(fixtures, 'bad/picture.mp3'), extensionClass: 'audio' as FileClass },
      { absolutePath: join(dir, 'notes.txt'), extensionClass: 'other' as FileClass },
      { absolutePath: join(dir, 'vanished.jpg'), extensionClass: 'image' as FileClass },
    ];
    const results = await classifyFilesByContent(entries, 2);
    const byPath = new Map(results.map((result) => [result.entry.absolutePath, result.fileClass]));
    expect(byPath).toEqual(new Map([
      [join(fixtures, 'bad/noext-audio'), 'audio'],
      [join(fixtures, 'bad/picture.mp3'), 'image'],
      [join(dir, 'notes.txt'), 'other'],
      [join(dir, 'vanished.jpg'), 'image'],
    ]));
  });
});
