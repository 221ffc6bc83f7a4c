import { describe, expect, it } from 'vitest';
import { normalisedMbid, rateLimitOf } from './acousticbrainz-client.js';

describe('the AcousticBrainz client', () => {
  it('sends MBIDs lower-case and hyphenated, as AcousticBrainz keys its answer, and refuses what is not one', () => {
    expect(normalisedMbid('564CCD5C-C4D3-4752-9ABF-C33BB085D6A5')).toBe('564ccd5c-c4d3-4752-9abf-c33bb085d6a5');
    expect(normalisedMbid(' 564ccd5cc4d347529abfc33bb085d6a5 ')).toBe('564ccd5c-c4d3-4752-9abf-c33bb085d6a5');
    expect(normalisedMbid('564ccd5c-c4d3-4752-9abf')).toBeNull();
    expect(normalisedMbid('not-an-mbid')).toBeNull();
  });

  it('reads X-RateLimit-Remaining and X-RateLimit-Reset-In (seconds), and nothing from what is absent or unreadable', () => {
    expect(rateLimitOf(new Headers({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset-In': '7' }))).toEqual({ remaining: 0, resetInMs: 7000 });
    expect(rateLimitOf(new Headers({ 'X-RateLimit-Remaining': 'many', 'X-RateLimit-Reset-In': '-1' }))).toEqual({ remaining: null, resetInMs: null });
    expect(rateLimitOf(new Headers())).toEqual({ remaining: null, resetInMs: null });
  });
});
