import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSettings } from '../config/settings.js';
import { openWkmpDatabase } from '../db/setup.js';
import { acoustIdKeyOf, identificationServices } from './services.js';

const folder = mkdtempSync(join(tmpdir(), 'wkmp-services-'));
const db = openWkmpDatabase(join(folder, 'wkmp.db'));
afterAll(async () => {
  await db.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('the identification services from the settings', () => {
  it('take the AcoustID key from the setting, else from WKMP_ACOUSTID_API_KEY, and none from blanks', () => {
    expect(acoustIdKeyOf(new Map([['acoustid_api_key', ' set ']]), { WKMP_ACOUSTID_API_KEY: 'env' })).toBe('set');
    expect(acoustIdKeyOf(new Map(), { WKMP_ACOUSTID_API_KEY: 'env' })).toBe('env');
    expect(acoustIdKeyOf(new Map(), { WKMP_ACOUSTID_API_KEY: '  ' })).toBeNull();
    expect(acoustIdKeyOf(new Map(), {})).toBeNull();
  });

  it('name wkmp-ai and its contact to MusicBrainz, and pace both services as the settings say', () => {
    const withContact = identificationServices(new Map([['musicbrainz_contact', 'me@example.org'], ['musicbrainz_min_interval_ms', '0'], ['acoustid_api_key', 'k']]), db, {});
    expect(withContact.musicBrainz.userAgent).toMatch(/^wkmp-ai\/\d+\.\d+\.\d+ \( me@example\.org \)$/);
    expect(withContact.acoustId).toMatchObject({ baseUrl: 'https://api.acoustid.org/v2', key: 'k' });
    const anonymous = identificationServices(new Map(), db, {});
    expect(anonymous.acoustId).toBeNull();
    expect(anonymous.musicBrainz.userAgent).toMatch(/^wkmp-ai\/\d+\.\d+\.\d+$/);
    expect(anonymous.cacheTtlDays).toBe(90);
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
