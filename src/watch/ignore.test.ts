import { describe, expect, it } from 'vitest';
import { isSkippedFolder } from '../scan/walk.js';
import { databaseFilePaths, isIgnoredPath, type IgnoreRules } from './ignore.js';

const rules: IgnoreRules = { root: '/srv/.music', isSkipped: isSkippedFolder, ignorePaths: new Set(databaseFilePaths('/srv/.music/wkmp.db')) };

describe('isIgnoredPath', () => {
  it('watches the root, even inside a hidden folder, and what the import imports', () => {
    expect(isIgnoredPath('/srv/.music', rules)).toBe(false);
    expect(isIgnoredPath('/srv/.music/Artist/Album/01.flac', rules)).toBe(false);
  });

  it('ignores hidden files and folders, and everything inside them', () => {
    expect(isIgnoredPath('/srv/.music/Artist/.DS_Store', rules)).toBe(true);
    expect(isIgnoredPath('/srv/.music/.git', rules)).toBe(true);
    expect(isIgnoredPath('/srv/.music/.git/objects/ab', rules)).toBe(true);
  });

  it('ignores system and NAS housekeeping folders, as the import skips them', () => {
    expect(isIgnoredPath('/srv/.music/Album/@eaDir/01.flac', rules)).toBe(true);
    expect(isIgnoredPath('/srv/.music/$RECYCLE.BIN', rules)).toBe(true);
  });

  it("ignores the database and SQLite's files beside it", () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) expect(isIgnoredPath(`/srv/.music/wkmp.db${suffix}`, rules)).toBe(true);
    expect(isIgnoredPath('/srv/.music/wkmp.db.bak', rules)).toBe(false);
  });
});
