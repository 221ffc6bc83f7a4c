import { describe, expect, it } from 'vitest';
import { describeLimitError, readWatchLimit } from './limits.js';

/**
 * The error chokidar emits when fs.watch meets the watch limit, field for field. It was made for
 * real once (in a user namespace whose user.max_inotify_watches was set to 3, by
 * `unshare -U -r`); watcher-fallback.test.ts makes it for real where the machine allows, this
 * copy keeps the classifier tested everywhere.
 */
function watchLimitError(path: string): Error {
  return Object.assign(new Error(`ENOSPC: System limit for number of file watchers reached, watch '${path}'`), {
    errno: -28, syscall: 'watch', code: 'ENOSPC', path, filename: path,
  });
}

describe('describeLimitError', () => {
  it('names the inotify watch limit and its value for ENOSPC', () => {
    expect(describeLimitError(watchLimitError('/music/a'), { setting: 'fs.inotify.max_user_watches', value: 8192 }))
      .toBe('the inotify watch limit (fs.inotify.max_user_watches = 8192) was reached');
    expect(describeLimitError(watchLimitError('/music/a'))).toBe('the inotify watch limit was reached');
  });

  it('names the instance and open-file limits for EMFILE', () => {
    const error = Object.assign(new Error('EMFILE: too many open files, watch'), { errno: -24, syscall: 'watch', code: 'EMFILE' });
    expect(describeLimitError(error)).toMatch(/fs\.inotify\.max_user_instances/);
  });

  it('is undefined for any other error', () => {
    expect(describeLimitError(Object.assign(new Error('EACCES'), { code: 'EACCES' }))).toBeUndefined();
    expect(describeLimitError(new Error('no code'))).toBeUndefined();
    expect(describeLimitError(null)).toBeUndefined();
  });
});

describe('readWatchLimit', () => {
  it("reads this machine's limit", async () => {
    const limit = await readWatchLimit();
    expect(limit?.value).toBeGreaterThan(0);
    expect(['fs.inotify.max_user_watches', 'user.max_inotify_watches']).toContain(limit?.setting);
  });
});
