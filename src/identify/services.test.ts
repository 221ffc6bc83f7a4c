import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
