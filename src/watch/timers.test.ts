import { describe, expect, it } from 'vitest';
import { SingleTimer, systemTimers } from './timers.js';

describe('SingleTimer on the system timers', () => {
  it('runs the callback of the last arming only', async () => {
    const timer = new SingleTimer(systemTimers);
    const ran: string[] = [];
    const second = new Promise<void>((resolve) => {
      timer.arm(1, () => ran.push('first'));
      timer.arm(1, () => { ran.push('second'); resolve(); });
    });
    expect(timer.isArmed).toBe(true);
    await second;
    expect(ran).toEqual(['second']);
    expect(timer.isArmed).toBe(false);
  });

  it('runs nothing once cancelled', async () => {
    const timer = new SingleTimer(systemTimers);
    let ran = false;
    timer.arm(1, () => { ran = true; });
    timer.cancel();
    expect(timer.isArmed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20)); // past when it would have run
    expect(ran).toBe(false);
  });
});
