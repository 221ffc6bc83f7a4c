import { describe, expect, it } from 'vitest';
import { checkSettings } from '../config/settings.js';
import { retryAfterMs } from './http.js';

describe('retryAfterMs', () => {
  it('reads Retry-After as seconds or as an HTTP date, and nothing else', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});

describe('the identification settings', () => {
  it('take http(s) base URLs, without their trailing slash, and whole milliseconds for the paces', () => {
    expect(checkSettings({ musicbrainz_base_url: 'http://mirror.local:5000/ws/2/', musicbrainz_min_interval_ms: 0 }))
      .toEqual({ ok: true, values: new Map([['musicbrainz_base_url', 'http://mirror.local:5000/ws/2'], ['musicbrainz_min_interval_ms', '0']]) });
    expect(checkSettings({ acoustid_base_url: 'ftp://api.acoustid.org', acoustid_min_interval_ms: 0.5 })).toEqual({
      ok: false,
      problems: [
        'AcoustID address (acoustid_base_url) must be an http(s) URL, got `"ftp://api.acoustid.org"`',
        'AcoustID request spacing (acoustid_min_interval_ms) must be a whole number from 0 to 60000 ms, got `0.5`',
      ],
    });
    expect(checkSettings({ acoustid_base_url: 'not a url' })).toMatchObject({ ok: false });
  });
});
