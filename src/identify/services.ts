/** The identification services as the settings describe them: base URLs, paces, key, contact. */
import { readSettings, type SettingRows } from '../config/settings.js';
import type { WkmpDatabase } from '../db/setup.js';
import { SharedPace, type PaceOptions } from '../queue/pace.js';
import { wkmpAiVersion } from '../version.js';
import { userAgentOf } from './musicbrainz.js';
import type { IdentificationServices } from './queue.js';

/** The AcoustID key: the `acoustid_api_key` setting, else `WKMP_ACOUSTID_API_KEY`; null when neither is set. */
export function acoustIdKeyOf(rows: SettingRows, env: NodeJS.ProcessEnv = process.env): string | null {
  const key = readSettings(rows).acoustid_api_key ?? env.WKMP_ACOUSTID_API_KEY ?? null;
  return key === null || key.trim() === '' ? null : key.trim();
}

/**
 * Each service's pace is kept in `db`, for every process on it (queue/pace.ts). `pace`: a clock and
 * a listener for the paces, for tests.
 */
export function identificationServices(rows: SettingRows, db: WkmpDatabase, env: NodeJS.ProcessEnv = process.env, pace: PaceOptions = {}): IdentificationServices {
  const values = readSettings(rows);
  const acoustIdUrl = values.acoustid_base_url;
  const musicBrainzUrl = values.musicbrainz_base_url;
  const key = acoustIdKeyOf(rows, env);
  return {
    acoustId: key === null ? null : { baseUrl: acoustIdUrl, key, pacer: new SharedPace(db, acoustIdUrl, values.acoustid_min_interval_ms, pace) },
    musicBrainz: {
      baseUrl: musicBrainzUrl,
      userAgent: userAgentOf(wkmpAiVersion(), values.musicbrainz_contact),
      pacer: new SharedPace(db, musicBrainzUrl, values.musicbrainz_min_interval_ms, pace),
    },
    cacheTtlDays: values.identification_cache_days,
  };
}
