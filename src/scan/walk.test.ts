import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { walkLibrary, walkSorted } from './walk.js';

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

  it('gives the files in the order SQLite sorts their paths, which JavaScript\'s sort does not (the plan merges the two)', async () => {
    const root = tempFolder();
    const names = [
      'a b/x.mp3', 'a.mp3', 'a/x.mp3', 'a-b/y.mp3', 'A/z.mp3', 'a/b c/d.mp3', 'a/b/c.mp3', 'a/b.mp3', 'a/b0.mp3',
      '\u00e9/1.mp3', 'e/2.mp3', '\u{1F3B5} song.mp3', '\uFF21 wide.mp3', '\uE000 private.mp3', '\u{1F3B5}/inside.mp3',
    ];
    writeTree(root, Object.fromEntries(names.map((name) => [name, 'x'])));
    const walked: string[] = [];
    const runs: string[] = [];
    for await (const run of walkSorted(root, root)) {
      walked.push(...run.entries.map((entry) => entry.path));
      runs.push(run.folder);
    }
    const db = new Database(':memory:');
    db.exec('CREATE TABLE files (path TEXT PRIMARY KEY)');
    for (const name of names) db.prepare('INSERT INTO files (path) VALUES (?)').run(name);
    const bySqlite = db.prepare('SELECT path FROM files ORDER BY path').pluck().all();
    db.close();
    expect(walked).toEqual(bySqlite);
    // JavaScript orders by UTF-16 unit: a character above U+FFFF comes before U+E000 there, after it in SQLite.
    expect(walked).not.toEqual([...names].sort());
    // The root's files come in two runs, around the folders that sort between them.
    expect(runs.filter((folder) => folder === '').length).toBeGreaterThan(1);
  });
});
