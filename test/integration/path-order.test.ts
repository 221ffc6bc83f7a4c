/**
 * The plan merges the walk with the database's rows in path order (scan/plan.ts): the two orders
 * must agree to the byte, or a file the database knows would be taken for new and missing at
 * once. Real files under names that SQLite and JavaScript order differently (a character above
 * U+FFFF against U+E000–U+FFFF), names around a folder's ("a b/", "a.mp3", "a/"), imported and
 * rescanned in a real wkmp.db.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/import/run.js';
import { walkLibrary } from '../../src/scan/walk.js';
import { closeAfterTest } from './db-helpers.js';
import { fixtures, inspect, tempFolder } from './helpers.js';

const names = [
  'a b/x.wav', 'a.wav', 'a/x.wav', 'a-b/y.wav', 'A/z.wav', 'a/b c/d.wav', 'a/b/c.wav', 'a/b.wav', 'a/b0.wav',
  '\u00e9/1.wav', 'e/2.wav', '\u{1F3B5} song.wav', '\uFF21 wide.wav', '\uE000 private.wav', '\u{1F3B5}/inside.wav',
];

function libraryOfNames(): string {
  const root = tempFolder('wkmp-order-');
  for (const name of names) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    copyFileSync(join(fixtures, 'library', 'Various', 'Sixth copy.wav'), join(root, name));
  }
  return root;
}

describe('the walk and the database in one order', () => {
  it('walks files in the order SQLite sorts their paths, which JavaScript\'s sort does not', async () => {
    const root = libraryOfNames();
    await runImport({ rootFolder: root, jobs: 1, analysis: 'tags' });
    const db = closeAfterTest(inspect(join(root, 'wkmp.db')));
    const bySqlite = db.prepare('SELECT path FROM files ORDER BY path').pluck().all();
    const walked = (await walkLibrary(root, root, join(root, 'wkmp.db'))).entries.map((entry) => entry.path);
    expect(walked).toEqual(bySqlite);
    expect(bySqlite).toHaveLength(names.length);
    // JavaScript orders by UTF-16 unit: a character above U+FFFF comes before U+E000 there, after it in SQLite.
    expect(walked).not.toEqual([...names].sort());
  });

  it('finds every file unchanged on a rescan, none new and none missing', async () => {
    const root = libraryOfNames();
    const first = await runImport({ rootFolder: root, jobs: 1, analysis: 'tags' });
    expect(first.counts.new).toBe(names.length);
    const again = await runImport({ rootFolder: root, jobs: 1, analysis: 'tags' });
    expect(again.counts).toMatchObject({ unchanged: names.length, new: 0, changed: 0, missing: 0, moved: 0, recorded: 0 });
  });
});
