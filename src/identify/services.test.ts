import { describe, expect, it } from 'vitest';
import { acoustIdKeyOf, identificationServices } from './services.js';

describe('the identification services from the settings', () => {
  it('take the AcoustID key from the setting, else from WKMP_ACOUSTID_API_KEY, and none from blanks', () => {
    expect(acoustIdKeyOf(new Map([['acoustid_api_key', ' set ']]), { WKMP_ACOUSTID_API_KEY: 'env' })).toBe('set');
    expect(acoustIdKeyOf(new Map(), { WKMP_ACOUSTID_API_KEY: 'env' })).toBe('env');
    expect(acoustIdKeyOf(new Map(), { WKMP_ACOUSTID_API_KEY: '  ' })).toBeNull();
    expect(acoustIdKeyOf(new Map(), {})).toBeNull();
  });

  it('name wkmp-ai and its contact to MusicBrainz, and pace both services as the settings say', () => {
    const withContact = identificationServices(new Map([['musicbrainz_contact', 'me@example.org'], ['musicbrainz_min_interval_ms', '0'], ['acoustid_api_key', 'k']]), {});
    expect(withContact.musicBrainz.userAgent).toMatch(/^wkmp-ai\/\d+\.\d+\.\d+ \( me@example\.org \)$/);
    expect(withContact.acoustId).toMatchObject({ baseUrl: 'https://api.acoustid.org/v2', key: 'k' });
    const anonymous = identificationServices(new Map(), {});
    expect(anonymous.acoustId).toBeNull();
    expect(anonymous.musicBrainz.userAgent).toMatch(/^wkmp-ai\/\d+\.\d+\.\d+$/);
    expect(anonymous.cacheTtlDays).toBe(90);
  });
});
