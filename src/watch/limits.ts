/**
 * The kernel limits that stop a watcher: every watched folder takes one inotify watch, and a large
 * library can use up fs.inotify.max_user_watches (shared by every process of the user). Node's
 * fs.watch then fails with ENOSPC ("System limit for number of file watchers reached"), or EMFILE
 * when no inotify instance (fs.inotify.max_user_instances) or file descriptor can be had.
 */
import { readFile } from 'node:fs/promises';

/** The watch limit in force, and the setting to raise. */
export interface WatchLimit {
  setting: string;
  value: number;
}

/** Why watching stopped, when `error` is one of the kernel's limits; undefined for any other error. */
export function describeLimitError(error: unknown, watchLimit?: WatchLimit): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC') {
    const limit = watchLimit === undefined ? 'the inotify watch limit' : `the inotify watch limit (${watchLimit.setting} = ${watchLimit.value})`;
    return `${limit} was reached`;
  }
  if (code === 'EMFILE') return 'the limit on inotify instances (fs.inotify.max_user_instances) or open files was reached';
  return undefined;
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const value = Number((await readFile(path, 'utf8')).trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lower of the two watch limits: fs.inotify.max_user_watches for the machine, and
 * user.max_inotify_watches for this user namespace (a container's own, or the same number outside one).
 */
export async function readWatchLimit(): Promise<WatchLimit | undefined> {
  const machine = await readNumber('/proc/sys/fs/inotify/max_user_watches');
  const namespace = await readNumber('/proc/sys/user/max_inotify_watches');
  if (namespace !== undefined && (machine === undefined || namespace < machine)) return { setting: 'user.max_inotify_watches', value: namespace };
  return machine === undefined ? undefined : { setting: 'fs.inotify.max_user_watches', value: machine };
}
