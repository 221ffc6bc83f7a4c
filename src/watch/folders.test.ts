import { describe, expect, it } from 'vitest';
import { collapseFolders, isWithinFolder, relativeToRoot } from '../scan/folders.js';
import { folderToRescan } from './folders.js';

describe('relativeToRoot', () => {
  it('is relative to the root, the root itself being the empty path', () => {
    expect(relativeToRoot('/lib', '/lib/Artist/Album/01.flac')).toBe('Artist/Album/01.flac');
    expect(relativeToRoot('/lib', '/lib')).toBe('');
  });

  it('is undefined outside the root, but not for a name that starts with two dots', () => {
    expect(relativeToRoot('/lib', '/')).toBeUndefined();
    expect(relativeToRoot('/lib', '/library/x')).toBeUndefined();
    expect(relativeToRoot('/lib', '/lib/..hidden')).toBe('..hidden');
  });
});

describe('folderToRescan', () => {
  it("is a file's folder, whatever happened to the file", () => {
    expect(folderToRescan('add', 'A/B/01.flac')).toBe('A/B');
    expect(folderToRescan('change', 'A/01.flac')).toBe('A');
    expect(folderToRescan('unlink', '01.flac')).toBe('');
  });

  it('is a new folder itself, and the parent of a folder that went away', () => {
    expect(folderToRescan('addDir', 'A/B')).toBe('A/B');
    expect(folderToRescan('unlinkDir', 'A/B')).toBe('A');
    expect(folderToRescan('unlinkDir', 'A')).toBe('');
    expect(folderToRescan('unlinkDir', '')).toBe('');
  });
});

describe('isWithinFolder', () => {
  it('holds a folder in itself, its ancestors and the root, on whole names', () => {
    expect(isWithinFolder('a/b', 'a')).toBe(true);
    expect(isWithinFolder('a/b', 'a/b')).toBe(true);
    expect(isWithinFolder('a/b', '')).toBe(true);
    expect(isWithinFolder('ab/c', 'a')).toBe(false);
  });
});

describe('collapseFolders', () => {
  it('keeps each folder once, sorted, and drops those inside another one of them', () => {
    expect(collapseFolders(['b', 'a/x/y', 'a', 'a b', 'a/z', 'b'])).toEqual(['a', 'a b', 'b']);
  });

  it('keeps only the root when the root is there', () => {
    expect(collapseFolders(['x', '', 'y/z'])).toEqual(['']);
  });

  it('keeps both ends of a moved folder: its old parent and its new place', () => {
    expect(collapseFolders(['Old', 'Old/Album', 'New/Album', 'New/Album/CD1'])).toEqual(['New/Album', 'Old']);
  });
});
