import { describe, expect, it } from 'vitest';
import { JumpingClock, ManualClock } from './clocks.js';

describe('ManualClock', () => {
  it('wakes sleepers only when advanced past their time, in time order, and lets an abort take one back', async () => {
    const clock = new ManualClock(1000);
    const woke: string[] = [];
    const late = clock.sleep(500).then(() => woke.push('late'));
    const early = clock.sleep(100).then(() => woke.push('early'));
    const controller = new AbortController();
    const cancelled = clock.sleep(50, controller.signal).catch(() => woke.push('cancelled'));
    expect(clock.sleeping).toBe(3);
    controller.abort(new Error('no longer'));
    await cancelled;
    clock.advance(99);
    await Promise.resolve();
    expect(woke).toEqual(['cancelled']);
    clock.advance(1000);
    await Promise.all([early, late]);
    expect(woke).toEqual(['cancelled', 'early', 'late']);
    expect(clock.now()).toBe(2099);
    expect(clock.sleeping).toBe(0);
  });
});

describe('JumpingClock', () => {
  it('moves to the end of each sleep at once', async () => {
    const clock = new JumpingClock(0);
    await clock.sleep(1100);
    await clock.sleep(0);
    expect(clock.now()).toBe(1100);
  });
});
