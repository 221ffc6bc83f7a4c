import { describe, expect, it, vi } from 'vitest';
import { FolderDelivery } from './delivery.js';

/** A promise the test resolves when it chooses. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => { open = resolve; });
  return { promise, open };
}

describe('FolderDelivery', () => {
  it('calls at once when idle, and holds what comes meanwhile for one merged call after', async () => {
    const first = gate();
    const calls: string[][] = [];
    let running = 0;
    let mostAtOnce = 0;
    const delivery = new FolderDelivery(async (folders) => {
      calls.push(folders);
      mostAtOnce = Math.max(mostAtOnce, ++running);
      if (calls.length === 1) await first.promise;
      running--;
    }, () => undefined);
    delivery.deliver(['a']);
    expect(calls).toEqual([['a']]);
    delivery.deliver(['b/c']);
    delivery.deliver(['b', 'd']);
    expect(calls).toEqual([['a']]);
    first.open();
    await vi.waitFor(() => expect(calls).toEqual([['a'], ['b', 'd']]));
    await delivery.stop();
    expect(mostAtOnce).toBe(1);
  });

  it('takes new folders after a handler that returned at once', async () => {
    const calls: string[][] = [];
    const delivery = new FolderDelivery((folders) => { calls.push(folders); }, () => undefined);
    delivery.deliver(['a']);
    await vi.waitFor(() => expect(calls).toEqual([['a']]));
    await Promise.resolve();
    delivery.deliver(['b']);
    await vi.waitFor(() => expect(calls).toEqual([['a'], ['b']]));
  });

  it('reports a failed call and goes on with the next', async () => {
    const errors: string[] = [];
    const calls: string[][] = [];
    const delivery = new FolderDelivery((folders) => {
      calls.push(folders);
      if (calls.length === 1) throw new Error('database is locked');
    }, (message) => errors.push(message));
    delivery.deliver(['a']);
    delivery.deliver(['b']);
    await vi.waitFor(() => expect(calls).toEqual([['a'], ['b']]));
    await delivery.stop();
    expect(errors).toEqual(["folder watcher: the rescan of 'a' failed: database is locked"]);
  });

  it('stops: what waits is dropped, stop resolves once the running call is done, nothing more is delivered', async () => {
    const first = gate();
    const calls: string[][] = [];
    let done = false;
    const delivery = new FolderDelivery(async (folders) => {
      calls.push(folders);
      await first.promise;
      done = true;
    }, () => undefined);
    delivery.deliver(['a']);
    delivery.deliver(['b']);
    const stopped = delivery.stop();
    first.open();
    await stopped;
    expect(done).toBe(true);
    delivery.deliver(['c']);
    expect(calls).toEqual([['a']]);
  });
});
