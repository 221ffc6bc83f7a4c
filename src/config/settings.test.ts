import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkSettings, maxJobs, readSettings, seededSettings, settingFields, settingOf, settings } from './settings.js';

describe('the settings, declared once', () => {
  it.each(settings.map((setting) => [setting.key, setting] as const))('%s: its default keeps its own rule, and its stored text reads back as it', (_key, setting) => {
    const seeded = setting.seeded();
    if (seeded !== null) expect(setting.parse(seeded)).toEqual(setting.defaultValue());
    const bounds = setting.bounds();
    if (bounds !== null) {
      expect(bounds.min).toBeLessThanOrEqual(bounds.max);
      expect(setting.defaultValue()).toBeGreaterThanOrEqual(bounds.min);
      expect(setting.defaultValue()).toBeLessThanOrEqual(bounds.max);
      expect(setting.normalise(bounds.min)).toBe(String(bounds.min));
      expect(setting.normalise(bounds.max)).toBe(String(bounds.max));
    }
    expect(setting.label).not.toBe('');
    expect(setting.help).not.toBe('');
  });

  it('refuses a value out of bounds with one line naming the setting by its label and key, the rule in its unit, and the value', () => {
    const check = checkSettings({ rms_window_ms: 0.01, silence_min_duration_ticks: '1000', apply_a_weighting: 'yes', no_such_setting: 1 });
    expect(check).toEqual({
      ok: false,
      problems: [
        'RMS window (rms_window_ms) must be a number from 10 to 1000 ms, got `0.01`',
        'shortest gap between songs (silence_min_duration_ticks) must be a whole number from 2822400 to 1693440000 ticks, got `"1000"`',
        'A-weighting (apply_a_weighting) must be `true` or `false`, got `"yes"`',
        'unknown setting `no_such_setting`',
      ],
    });
  });

  it('takes numbers as numbers or text, and stores their text', () => {
    expect(checkSettings({ rms_window_ms: 50, silence_threshold_dB: ' 40.5 ', apply_a_weighting: false, acoustid_api_key: '  Ab12  ' }))
      .toEqual({ ok: true, values: new Map<string, string | null>([['rms_window_ms', '50'], ['silence_threshold_dB', '40.5'], ['apply_a_weighting', 'false'], ['acoustid_api_key', 'Ab12']]) });
  });

  it('works out the worker count on the machine that runs: not seeded, one per core by default, at most four per core everywhere', () => {
    const jobs = settingOf('ingest_max_concurrent_jobs');
    expect(seededSettings().ingest_max_concurrent_jobs).toBeNull();
    expect(readSettings(new Map([['ingest_max_concurrent_jobs', null]])).ingest_max_concurrent_jobs).toBe(availableParallelism());
    expect(maxJobs()).toBe(4 * availableParallelism());
    expect(jobs.bounds()).toEqual({ min: 1, max: maxJobs() });
    expect(checkSettings({ ingest_max_concurrent_jobs: maxJobs() + 1 }).ok).toBe(false);
    expect(checkSettings({ ingest_max_concurrent_jobs: 0 }).ok).toBe(false);
    // Cleared: back to this machine's own.
    expect(checkSettings({ ingest_max_concurrent_jobs: null })).toEqual({ ok: true, values: new Map([['ingest_max_concurrent_jobs', null]]) });
    // A setting with a fixed default cannot be cleared to nothing.
    expect(checkSettings({ rms_window_ms: null }).ok).toBe(false);
  });

  it('marks the AcoustID key secret and names its environment variable', () => {
    const key = settingFields().find((field) => field.key === 'acoustid_api_key')!;
    expect(key).toMatchObject({ secret: true, env: 'WKMP_ACOUSTID_API_KEY', type: 'text' });
    expect(settingFields().filter((field) => field.secret).map((field) => field.key)).toEqual(['acoustid_api_key']);
  });

  it('describes numbers to the page in the unit people read: ticks as seconds', () => {
    const gap = settingFields().find((field) => field.key === 'silence_min_duration_ticks')!;
    expect(gap).toMatchObject({ unit: 's', min: 2_822_400, max: 1_693_440_000, default: '14112000' });
    expect(gap.perStored * Number(gap.default)).toBeCloseTo(0.5, 12);
  });
});
