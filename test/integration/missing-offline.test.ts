/**
 * Missing files are never deleted silently: marked with when they went missing, removed only by
 * `wkmp-ai prune` when the user asks; a drive that is not mounted (or a root that is gone) is
 * offline, not missing. Real mounts (tmpfs) where this machine lets the test mount, real files.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneMissing } from '../../src/cli/prune.js';
import { runImport } from '../../src/import/run.js';
import { closeAfterTest } from './db-helpers.js';
import { copyFixtureRoot, count, fixtures, inspect, spawnCli, tempFolder } from './helpers.js';

const day = 86_400_000;

describe('wkmp-ai prune', () => {
  async function withTwoMissing(): Promise<{ root: string; database: string }> {
    const root = copyFixtureRoot();
    await runImport({ rootFolder: root, jobs: 2 });
    rmSync(join(root, 'Artist B'), { recursive: true });
    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts.missing).toBe(2);
    return { root, database: join(root, 'wkmp.db') };
  }

  it('lists in a dry run what has been missing longer than asked, and removes nothing', async () => {
    const { database } = await withTwoMissing();
    const text = await pruneMissing({ database, missingForMs: 30 * day, dryRun: true, json: false, now: Date.now() + 31 * day });
    expect(text).toMatch(/^would remove 2 files missing for longer than asked, with 2 passages:/);
    expect(text).toContain('Artist B/Third.ogg');
    expect(text).toContain('(a dry run: nothing was removed)');
    expect(count(closeAfterTest(inspect(database)), 'files')).toBe(7);
  });

  it('removes those files and their passages, keeps files missing for less, and never touches present ones', async () => {
    const { database } = await withTwoMissing();
    expect(await pruneMissing({ database, missingForMs: 30 * day, dryRun: false, json: false, now: Date.now() + 29 * day }))
      .toMatch(/^no file has been missing since before .*: nothing to prune$/);
    const json = JSON.parse(await pruneMissing({ database, missingForMs: 30 * day, dryRun: false, json: true, now: Date.now() + 31 * day })) as { removed: number; files: { path: string }[] };
    expect(json.removed).toBe(2);
    expect(json.files.map((file) => file.path)).toEqual(['Artist B/Fourth.opus', 'Artist B/Third.ogg']);
    const db = closeAfterTest(inspect(database));
    expect(count(db, 'files')).toBe(5);
    expect((db.prepare('SELECT count(*) AS n FROM passages p LEFT JOIN files f ON f.guid = p.file_id WHERE f.guid IS NULL').get() as { n: number }).n).toBe(0);
    expect((db.prepare('SELECT count(*) AS n FROM files WHERE missing_since IS NOT NULL').get() as { n: number }).n).toBe(0);
  });

  it('refuses an age it cannot read, in one line', async () => {
    const { code, stderr } = await spawnCli(['prune', '--missing-for', '30 days']).exited;
    expect(code).toBe(1);
    expect(stderr.split('\n')[0]).toBe("error: option '--missing-for <age>' argument '30 days' is invalid. expected a number and a unit (m, h, d or w), e.g. 30d, got `30 days`");
  });

  it('says there is no database to prune where there is none', async () => {
    const { code, stderr } = await spawnCli(['prune', '--missing-for', '30d', '--db', join(tempFolder(), 'none.db')]).exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/^wkmp-ai: no database at .*none\.db: nothing to prune\n$/);
  });
});

describe('a folder gone whole', () => {
  it('marks every file of it missing, however many (more than a page of the plan), keeps the rest, and unmarks them all when it is back', async () => {
    const root = tempFolder();
    const gone = 600;
    for (let i = 0; i < gone; i++) {
      mkdirSync(join(root, 'Gone', `Album ${i % 7}`), { recursive: true });
      cpSync(join(fixtures, 'library', 'Various', 'Sixth copy.wav'), join(root, 'Gone', `Album ${i % 7}`, `${i}.wav`));
    }
    mkdirSync(join(root, 'Kept'));
    cpSync(join(fixtures, 'library', 'Various', 'Sixth copy.wav'), join(root, 'Kept', 'kept.wav'));
    await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    const aside = tempFolder();
    renameSync(join(root, 'Gone'), join(aside, 'Gone'));
    const again = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    expect(again.counts).toMatchObject({ missing: gone, unchanged: 1, offline: 0, new: 0 });
    const db = closeAfterTest(inspect(join(root, 'wkmp.db')));
    const markedMissing = db.prepare("SELECT count(*) FROM files WHERE missing_since IS NOT NULL AND path LIKE 'Gone/%'").pluck();
    expect(markedMissing.get()).toBe(gone);
    expect(db.prepare('SELECT missing_since FROM files WHERE path = ?').pluck().get('Kept/kept.wav')).toBeNull();
    expect(count(db, 'files')).toBe(gone + 1);
    renameSync(join(aside, 'Gone'), join(root, 'Gone'));
    const back = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    expect(back.counts).toMatchObject({ missing: 0, unchanged: gone + 1, new: 0 });
    expect(markedMissing.get()).toBe(0);
  });
});

/** Whether this machine lets the test mount a tmpfs (root in a container that allows it). */
function canMount(): boolean {
  const point = tempFolder('wkmp-mount-probe-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', 'none', point]).status === 0;
  if (mounted) spawnSync('umount', [point]);
  return mounted;
}
const mounts = canMount();

function mount(point: string): void {
  mkdirSync(point, { recursive: true });
  const result = spawnSync('mount', ['-t', 'tmpfs', 'none', point], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mount ${point}: ${result.stderr}`);
}

function unmount(point: string): void {
  const result = spawnSync('umount', [point], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`umount ${point}: ${result.stderr}`);
}

describe('offline is not missing', () => {
  it('a root folder that is gone stops the import with its reason, and nothing is marked missing', async () => {
    const root = copyFixtureRoot();
    const database = join(tempFolder(), 'wkmp.db');
    await runImport({ rootFolder: root, database, jobs: 2 });
    rmSync(root, { recursive: true });

    await expect(runImport({ rootFolder: root, database, jobs: 2 })).rejects.toThrow(`root folder ${root} does not exist or is not a folder`);
    expect((closeAfterTest(inspect(database)).prepare('SELECT count(*) AS n FROM files WHERE missing_since IS NULL').get() as { n: number }).n).toBe(7);
  });

  it.runIf(mounts)('a drive mounted inside the root and then unmounted leaves its files offline, not missing; back, they are unchanged', async () => {
    const root = copyFixtureRoot();
    const drive = join(root, 'USB');
    mount(drive);
    try {
      cpSync(join(root, 'Artist B'), join(drive, 'Artist B'), { recursive: true, preserveTimestamps: true });
      await runImport({ rootFolder: root, jobs: 2 });
    } finally {
      unmount(drive);
    }
    const away = await runImport({ rootFolder: root, jobs: 2 });
    expect(away.counts).toMatchObject({ offline: 2, missing: 0 });
    const db = closeAfterTest(inspect(join(root, 'wkmp.db')));
    expect((db.prepare("SELECT count(*) AS n FROM files WHERE path LIKE 'USB/%' AND missing_since IS NULL").get() as { n: number }).n).toBe(2);

    mount(drive);
    try {
      cpSync(join(root, 'Artist B'), join(drive, 'Artist B'), { recursive: true, preserveTimestamps: true });
      const back = await runImport({ rootFolder: root, jobs: 2 });
      expect(back.counts).toMatchObject({ offline: 0, missing: 0, new: 0, unchanged: 9 });
    } finally {
      unmount(drive);
    }
  });

  it.runIf(mounts)('a root that is a mount point whose drive is gone (an empty folder) leaves the whole library offline', async () => {
    const root = join(tempFolder(), 'music');
    const database = join(tempFolder(), 'wkmp.db');
    mount(root);
    try {
      cpSync(join(fixtures, 'library'), root, { recursive: true });
      await runImport({ rootFolder: root, database, jobs: 2 });
    } finally {
      unmount(root);
    }
    const away = await runImport({ rootFolder: root, database, jobs: 2 });
    expect(away.counts).toMatchObject({ offline: 7, missing: 0 });
    expect((closeAfterTest(inspect(database)).prepare('SELECT count(*) AS n FROM files WHERE missing_since IS NOT NULL').get() as { n: number }).n).toBe(0);
  });
});
