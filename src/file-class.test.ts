import { describe, expect, it } from 'vitest';
import type { FileClass } from './file-record.js';
import { classifyByExtension } from './file-class.js';

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
