/**
 * The watcher on the real filesystem: real files, real inotify events through chokidar. Only the
 * watcher's own timers are the test's (ManualTimers), so each debounce or look happens when the
 * test moves time; waiting for an event is `vi.waitFor` with a generous timeout, never a sleep.
 */
import { watch as fsWatch } from 'node:fs';
import { appendFile, mkdir, mkdtemp, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collapseFolders } from '../scan/folders.js';
import { databaseFilePaths } from './ignore.js';
import { ManualTimers } from './timers-test-support.js';
import { FolderWatcher, type FolderWatcherOptions } from './watcher.js';

/** Every path on a local disk, whatever this machine mounts: the watcher watches. */
const localDisk = '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n';
const patience = { timeout: 20_000, interval: 20 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function tempLibrary(folders: string[] = []): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'wkmp-watch-')));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  for (const folder of folders) await mkdir(join(root, folder), { recursive: true });
  return root;
}

async function writeIn(root: string, path: string, content = 'audio'): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

async function startWatcher(root: string, options: Partial<FolderWatcherOptions> = {}) {
  const timers = new ManualTimers();
  const calls: string[][] = [];
  const watcher = await FolderWatcher.start({ root, timers, mountInfo: localDisk, onChange: (folders) => { calls.push(folders); }, ...options });
  cleanups.push(() => watcher.close());
  /** Moves time on, look after look, until `check` holds (events may come late on a loaded machine). */
  const settleUntil = (check: () => void): Promise<void> => vi.waitFor(async () => {
    await timers.advance(5000);
    check();
  }, patience);
  return { watcher, timers, calls, settleUntil };
}

describe('FolderWatcher on a local disk', () => {
  it('watches every folder of the tree, and reports a new file by its folder', async () => {
    const root = await tempLibrary(['Artist/Album', 'Other']);
    const { watcher, calls, settleUntil } = await startWatcher(root);
    expect(watcher.state()).toEqual({ mode: 'watching', folders: 4 });
    await writeIn(root, 'Artist/Album/01.flac');
    await settleUntil(() => expect(calls).toEqual([['Artist/Album']]));
  });

  it('reports a file written slowly only once it stopped growing', async () => {
    const root = await tempLibrary(['Album']);
    const song = join(root, 'Album', '01.flac');
    const sizesSeen: number[] = [];
    const { timers, calls, settleUntil } = await startWatcher(root, {
      debounceMs: 2000, stabilityMs: 2000, // one look per step of 2000 ms
      onChange: async (folders) => {
        sizesSeen.push((await stat(song)).size);
        calls.push(folders);
      },
    });
    await writeFile(song, 'chunk;');
    await vi.waitFor(() => expect(timers.pending).toBe(1), patience); // the watcher saw the file
    for (let chunk = 2; chunk <= 5; chunk++) {
      await timers.advance(2000); // a look at the file: it differs from the one before, or is the first
      expect(calls).toEqual([]);
      await appendFile(song, 'chunk;');
    }
    await settleUntil(() => expect(calls).toEqual([['Album']]));
    expect(sizesSeen).toEqual(['chunk;'.length * 5]);
  });

  it('reports a moved folder by its old parent and its new place', async () => {
    const root = await tempLibrary(['Incoming/Album', 'Artist']);
    await writeIn(root, 'Incoming/Album/01.flac');
    const { calls, settleUntil } = await startWatcher(root);
    await rename(join(root, 'Incoming/Album'), join(root, 'Artist/Album'));
    await settleUntil(() => expect(collapseFolders(calls.flat())).toEqual(['Artist/Album', 'Incoming']));
  });

  it('reports a deleted folder by its parent', async () => {
    const root = await tempLibrary(['Artist/Album/CD1']);
    await writeIn(root, 'Artist/Album/CD1/01.flac');
    const { calls, settleUntil } = await startWatcher(root);
    await rm(join(root, 'Artist/Album'), { recursive: true });
    await settleUntil(() => expect(collapseFolders(calls.flat())).toEqual(['Artist']));
  });

  it('holds what comes while onChange runs, and delivers it after, one call at a time', async () => {
    const root = await tempLibrary(['One', 'Two']);
    let releaseFirst = (): void => undefined;
    const firstBlocks = new Promise<void>((resolve) => { releaseFirst = resolve; });
    let running = 0;
    let mostAtOnce = 0;
    const { timers, calls, settleUntil } = await startWatcher(root, {
      onChange: async (folders) => {
        calls.push(folders);
        mostAtOnce = Math.max(mostAtOnce, ++running);
        if (calls.length === 1) await firstBlocks;
        running--;
      },
    });
    await writeIn(root, 'One/01.flac');
    await settleUntil(() => expect(calls).toEqual([['One']]));
    await writeIn(root, 'Two/01.flac');
    await vi.waitFor(() => expect(timers.pending).toBe(1), patience); // the watcher saw it
    await settleUntil(() => expect(timers.pending).toBe(0)); // settled and handed on: it waits for the first call
    expect(calls).toEqual([['One']]);
    releaseFirst();
    await vi.waitFor(() => expect(calls).toHaveLength(2), patience);
    expect(calls[1]).toContain('Two');
    expect(mostAtOnce).toBe(1);
  });

  it('ignores hidden files and folders, housekeeping folders and the database files', async () => {
    const root = await tempLibrary(['Album', '.hidden-before']);
    const database = join(root, 'wkmp.db');
    const { watcher, calls, settleUntil } = await startWatcher(root, { ignorePaths: new Set(databaseFilePaths(database)) });
    await writeIn(root, '.hidden.flac');
    await writeIn(root, 'Album/.DS_Store');
    await writeIn(root, '.git/objects/ab');
    await writeIn(root, 'Album/@eaDir/01.flac');
    for (const file of databaseFilePaths(database)) await writeFile(file, 'sqlite');
    await writeIn(root, 'Visible/01.flac');
    await settleUntil(() => expect(calls.flat()).toContain('Visible'));
    // A second visible change: what the hidden writes above would have caused has come by now.
    await writeIn(root, 'Visible 2/01.flac');
    await settleUntil(() => expect(calls.flat()).toContain('Visible 2'));
    // A new folder can be reported twice: by itself, and again once its file settled.
    expect(new Set(calls.flat())).toEqual(new Set(['Visible', 'Visible 2']));
    expect(watcher.state()).toEqual({ mode: 'watching', folders: 4 }); // the root, Album, Visible, Visible 2
  });

  it('close() waits for the running onChange, then nothing more is watched or timed', async () => {
    const root = await tempLibrary(['Album']);
    let releaseCall = (): void => undefined;
    const callBlocks = new Promise<void>((resolve) => { releaseCall = resolve; });
    let callEnded = false;
    const { watcher, timers, calls, settleUntil } = await startWatcher(root, {
      onChange: async (folders) => {
        calls.push(folders);
        await callBlocks;
        callEnded = true;
      },
    });
    await writeIn(root, 'Album/01.flac');
    await settleUntil(() => expect(calls).toHaveLength(1));
    const closed = watcher.close();
    releaseCall();
    await closed;
    expect(callEnded).toBe(true);
    expect(watcher.state()).toEqual({ mode: 'stopped' });

    // A file written after close: the kernel tells a watcher of our own, the closed one hears nothing.
    const kernelSaw = new Promise<void>((resolve) => {
      const probe = fsWatch(join(root, 'Album'), () => { probe.close(); resolve(); });
    });
    await writeIn(root, 'Album/02.flac');
    await kernelSaw;
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers.pending).toBe(0);
    await timers.advance(60_000);
    expect(calls).toHaveLength(1);
  });
});
