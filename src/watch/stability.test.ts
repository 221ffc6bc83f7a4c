import { appendFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { splitReadyFolders, WrittenFiles } from './stability.js';

const made: string[] = [];
afterEach(() => {
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wkmp-stability-'));
  made.push(dir);
  const file = join(dir, 'song.flac');
  writeFileSync(file, 'chunk 1;');
  return file;
}

describe('WrittenFiles', () => {
  it('settles a file when two looks agree, not at the first look', async () => {
    const file = tempFile();
    const written = new WrittenFiles();
    written.changed(file, 'Album');
    expect(await written.look()).toEqual([]);
    expect(await written.look()).toEqual(['Album']);
    expect(written.size).toBe(0);
  });

  it('keeps a file that grew between two looks, and one whose modification time moved', async () => {
    const file = tempFile();
    const written = new WrittenFiles();
    written.changed(file, 'Album');
    await written.look();
    appendFileSync(file, 'chunk 2;');
    expect(await written.look()).toEqual([]);
    utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    expect(await written.look()).toEqual([]);
    expect(written.busyFolders()).toEqual(['Album']);
    expect(await written.look()).toEqual(['Album']);
  });

  it('needs two fresh looks after an event, even if the file looks the same', async () => {
    const file = tempFile();
    const written = new WrittenFiles();
    written.changed(file, 'Album');
    await written.look();
    written.changed(file, 'Album');
    expect(await written.look()).toEqual([]);
    expect(await written.look()).toEqual(['Album']);
  });

  it('settles a file that went away at once: its folder is to rescan', async () => {
    const written = new WrittenFiles();
    written.changed('/nonexistent/wkmp/song.flac', 'Gone');
    expect(await written.look()).toEqual(['Gone']);
  });
});

describe('splitReadyFolders', () => {
  it('holds a folder that holds a file still being written, at any depth', () => {
    expect(splitReadyFolders(['a', 'a/b', 'c', ''], ['a/b/x'])).toEqual({ ready: ['c'], held: ['a', 'a/b', ''] });
  });

  it('does not hold a folder for a file in its parent or beside it', () => {
    expect(splitReadyFolders(['a/b', 'ab'], ['a'])).toEqual({ ready: ['a/b', 'ab'], held: [] });
  });
});
