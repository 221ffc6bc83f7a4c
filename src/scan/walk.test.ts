import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { walkLibrary } from './walk.js';

const made: string[] = [];
afterEach(() => {
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
});

function tempFolder(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'wkmp-walk-')));
  made.push(dir);
  return dir;
}

/** Writes each file (relative path → content) under `root`, making folders as needed. */
function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

function paths(result: { entries: { path: string }[] }): string[] {
  return result.entries.map((entry) => entry.path).sort();
}

describe('walkLibrary', () => {
  it('lists every regular file with its path relative to the root, in forward slashes', async () => {
    const root = tempFolder();
    writeTree(root, { 'Artist A/Album One/01 First.mp3': 'aaaa', 'Artist A/cover.jpg': 'jj', 'notes.txt': 'n' });
    const result = await walkLibrary(root, root);
    expect(paths(result)).toEqual(['Artist A/Album One/01 First.mp3', 'Artist A/cover.jpg', 'notes.txt']);
    expect(result.skippedSymlinks).toEqual([]);
  });

  it('gives each file its absolute path, size, modification time and the class its extension says', async () => {
    const root = tempFolder();
    writeTree(root, { 'A/one.flac': '12345', 'A/cover.jpg': 'jj', 'A/track': 'x' });
    const result = await walkLibrary(root, root);
    const byPath = new Map(result.entries.map((entry) => [entry.path, entry]));
    expect(byPath.get('A/one.flac')).toMatchObject({ absolutePath: join(root, 'A', 'one.flac'), sizeBytes: 5, extensionClass: 'audio' });
    expect(byPath.get('A/one.flac')!.mtimeMs).toBeGreaterThan(0);
    expect(byPath.get('A/cover.jpg')!.extensionClass).toBe('image');
    expect(byPath.get('A/track')!.extensionClass).toBe('other');
  });

  it('skips hidden folders, hidden files and operating-system or NAS folders', async () => {
    const root = tempFolder();
    writeTree(root, {
      'A/kept.mp3': 'k',
      'A/.hidden.mp3': 'h',
      '.hidden/Hidden.mp3': 'h',
      'A/.git/objects/x.mp3': 'h',
      '$RECYCLE.BIN/deleted.mp3': 'h',
      'System Volume Information/x.mp3': 'h',
      'lost+found/x.mp3': 'h',
      'A/@eaDir/kept.mp3/SYNOFILE_THUMB.jpg': 'h',
      '#recycle/x.mp3': 'h',
    });
    expect(paths(await walkLibrary(root, root))).toEqual(['A/kept.mp3']);
  });

  it('walks only the folder asked for, with paths still relative to the root', async () => {
    const root = tempFolder();
    writeTree(root, { 'A/Album/one.mp3': 'a', 'B/two.mp3': 'b' });
    expect(paths(await walkLibrary(root, join(root, 'A')))).toEqual(['A/Album/one.mp3']);
  });

  it('does not follow symbolic links, and lists each one it met', async () => {
    const root = tempFolder();
    const outside = tempFolder();
    writeTree(root, { 'A/one.mp3': 'a' });
    writeTree(outside, { 'Elsewhere/out.mp3': 'o' });
    symlinkSync(join(root, 'A', 'one.mp3'), join(root, 'A', 'link-to-one.mp3'));
    symlinkSync(outside, join(root, 'Outside'));
    symlinkSync(root, join(root, 'A', 'loop'));
    symlinkSync(join(root, 'nowhere.mp3'), join(root, 'broken.mp3'));
    const result = await walkLibrary(root, root);
    expect(paths(result)).toEqual(['A/one.mp3']);
    expect(result.skippedSymlinks.sort()).toEqual(['A/link-to-one.mp3', 'A/loop', 'Outside', 'broken.mp3']);
  });

  it('leaves out the database file and its -wal, -shm and -journal files, but not other databases', async () => {
    const root = tempFolder();
    writeTree(root, {
      'wkmp.db': 'db', 'wkmp.db-wal': 'w', 'wkmp.db-shm': 's', 'wkmp.db-journal': 'j', 'A/one.mp3': 'a', 'other.db': 'o',
    });
    expect(paths(await walkLibrary(root, root, join(root, 'wkmp.db')))).toEqual(['A/one.mp3', 'other.db']);
  });

  it('finds nothing in an empty folder', async () => {
    const root = tempFolder();
    expect(await walkLibrary(root, root)).toEqual({ entries: [], skippedSymlinks: [] });
  });
});
