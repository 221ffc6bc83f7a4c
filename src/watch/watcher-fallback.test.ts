/**
 * When the watcher polls instead: a library on (or holding) a network or FUSE mount, told by a
 * mount table the test writes in the kernel's format; and the inotify watch limit, met for real in
 * a child process inside a user namespace whose limit is set to a handful of watches.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualTimers } from './timers-test-support.js';
import { FolderWatcher, type WatcherState } from './watcher.js';

const everyMs = 60_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A library folder whose name has a space, which the mount table writes as \040. */
async function tempLibrary(): Promise<string> {
  const parent = await realpath(await mkdtemp(join(tmpdir(), 'wkmp-watch-')));
  cleanups.push(() => rm(parent, { recursive: true, force: true }));
  const root = join(parent, 'My Music');
  await mkdir(join(root, 'Remote'), { recursive: true });
  return root;
}

function mountTable(...lines: string[]): string {
  return ['27 1 254:0 / / rw,relatime - ext4 /dev/vda rw', ...lines].join('\n') + '\n';
}

const escaped = (path: string): string => path.replaceAll(' ', '\\040');

async function startPolling(root: string, mountInfo: string, onChange?: (folders: string[]) => Promise<void>) {
  const timers = new ManualTimers();
  const calls: string[][] = [];
  const watcher = await FolderWatcher.start({ root, timers, mountInfo, pollIntervalMs: everyMs, onChange: onChange ?? ((folders) => { calls.push(folders); }) });
  cleanups.push(() => watcher.close());
  return { watcher, timers, calls };
}

describe('FolderWatcher on a network or FUSE filesystem', () => {
  it('polls a library on an nfs4 mount: the whole library, every interval', async () => {
    const root = await tempLibrary();
    const nfs = `48 27 0:45 / ${escaped(root)} rw,relatime shared:30 - nfs4 nas.local:/volume1/music rw,vers=4.2,hard,proto=tcp`;
    const { watcher, timers, calls } = await startPolling(root, mountTable(nfs));
    expect(watcher.state()).toEqual({
      mode: 'polling', everyMs,
      reason: `the library is on a nfs4 mount (nas.local:/volume1/music at ${root}): changes made from other machines send no events`,
    });
    await timers.advance(everyMs - 1);
    expect(calls).toEqual([]);
    await timers.advance(1);
    expect(calls).toEqual([['']]);
    await timers.advance(everyMs);
    expect(calls).toEqual([[''], ['']]);
  });

  it('polls a local library with an sshfs mount inside it, and names that mount', async () => {
    const root = await tempLibrary();
    const sshfs = `60 27 0:55 / ${escaped(join(root, 'Remote'))} rw,nosuid,nodev,relatime shared:40 - fuse.sshfs me@server:/srv/music rw,user_id=1000`;
    const { watcher } = await startPolling(root, mountTable(sshfs));
    expect(watcher.state()).toMatchObject({ mode: 'polling', reason: `${join(root, 'Remote')}, inside the library, is a fuse.sshfs mount (me@server:/srv/music): changes made from other machines send no events` });
  });

  it('finds the mount of a library given through a symbolic link by its real path', async () => {
    const root = await tempLibrary();
    const link = join(root, '..', 'link to music');
    await symlink(root, link);
    const cifs = `52 27 0:50 / ${escaped(root)} rw,relatime shared:33 - cifs //nas/Music rw,vers=3.1.1`;
    const { watcher } = await startPolling(link, mountTable(cifs));
    expect(watcher.state()).toMatchObject({ mode: 'polling', reason: expect.stringContaining('cifs') });
  });

  it('merges polls that come while onChange runs into one call after it', async () => {
    const root = await tempLibrary();
    let releaseFirst = (): void => undefined;
    const firstBlocks = new Promise<void>((resolve) => { releaseFirst = resolve; });
    const calls: string[][] = [];
    const { timers } = await startPolling(root, mountTable(`48 27 0:45 / ${escaped(root)} rw - nfs srv:/m rw`), async (folders) => {
      calls.push(folders);
      if (calls.length === 1) await firstBlocks;
    });
    await timers.advance(everyMs * 3);
    expect(calls).toEqual([['']]);
    releaseFirst();
    await vi.waitFor(() => expect(calls).toEqual([[''], ['']]), { timeout: 20_000 });
  });

  it('close() stops polling', async () => {
    const root = await tempLibrary();
    const { watcher, timers, calls } = await startPolling(root, mountTable(`48 27 0:45 / ${escaped(root)} rw - 9p host0 rw`));
    await watcher.close();
    expect(watcher.state()).toEqual({ mode: 'stopped' });
    expect(timers.pending).toBe(0);
    await timers.advance(everyMs * 2);
    expect(calls).toEqual([]);
  });
});

/**
 * The inotify limit can be lowered for real only in a user namespace of one's own
 * (user.max_inotify_watches, per namespace since Linux 5.11): the check runs in a child process
 * made by `unshare`, and is skipped where user namespaces cannot be made.
 */
const canLowerWatchLimit = spawnSync('unshare', ['-U', '-r', 'sh', '-c', 'echo 3 > /proc/sys/user/max_inotify_watches']).status === 0;

/** The child: watch `ROOT` with real timers, make `ADD` new folders, report the states it went through. */
const childScript = `
  import { mkdir } from 'node:fs/promises';
  const { FolderWatcher } = await import(process.env.WATCHER_URL);
  const polled = [];
  const watcher = await FolderWatcher.start({
    root: process.env.ROOT, pollIntervalMs: 20, mountInfo: '27 1 254:0 / / rw - ext4 /dev/vda rw\\n',
    onChange: (folders) => { polled.push(folders); }, onError: () => undefined,
  });
  const atStart = watcher.state();
  for (let i = 0; i < Number(process.env.ADD); i++) await mkdir(process.env.ROOT + '/new ' + i);
  setTimeout(() => { console.error('no poll within 20 s: ' + JSON.stringify(watcher.state())); process.exit(2); }, 20_000).unref();
  while (watcher.state().mode !== 'polling' || polled.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const polling = watcher.state();
  await watcher.close();
  console.log(JSON.stringify({ atStart, polling, polled: polled[0] }));
`;

interface ChildReport { atStart: WatcherState; polling: WatcherState; polled: string[] }

async function watchWithLimit(limit: number, root: string, add: number): Promise<ChildReport> {
  const child = spawn('unshare', ['-U', '-r', 'sh', '-c', `echo ${limit} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`,
    process.execPath, '--import', 'tsx', '--input-type=module', '-e', childScript], {
    env: { ...process.env, ROOT: root, ADD: String(add), WATCHER_URL: pathToFileURL(join(import.meta.dirname, 'watcher.ts')).href },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`child exited with ${code}: ${err}`);
  return JSON.parse(out) as ChildReport;
}

describe.skipIf(!canLowerWatchLimit)('FolderWatcher at the inotify watch limit (real, in a user namespace)', () => {
  it('polls from the start when the tree has more folders than the limit allows watches', async () => {
    const root = await tempLibrary();
    for (let i = 0; i < 6; i++) await mkdir(join(root, `Album ${i}`));
    const report = await watchWithLimit(3, root, 0);
    expect(report.atStart).toEqual({ mode: 'polling', everyMs: 20, reason: 'the inotify watch limit (user.max_inotify_watches = 3) was reached: watching takes one watch per file and per folder' });
    expect(report.polled).toEqual(['']);
  }, 30_000);

  it('goes from watching to polling when new folders go past the limit', async () => {
    const root = await tempLibrary(); // the root and Remote: two watches
    const report = await watchWithLimit(4, root, 4);
    expect(report.atStart).toEqual({ mode: 'watching', folders: 2 });
    expect(report.polling).toEqual({ mode: 'polling', everyMs: 20, reason: 'the inotify watch limit (user.max_inotify_watches = 4) was reached: watching takes one watch per file and per folder' });
    expect(report.polled).toEqual(['']);
  }, 30_000);
});
