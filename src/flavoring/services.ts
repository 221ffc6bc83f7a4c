/** AcousticBrainz as the settings describe it: its address and its pace, kept for every process on the database. */
import { readSettings, settingOrEnvironment, type SettingRows } from '../config/settings.js';
import type { WkmpDatabase } from '../db/setup.js';
import { SharedPace, type PaceOptions } from '../queue/pace.js';
import { wkmpAiVersion } from '../version.js';
import type { AcousticBrainzClient } from './acousticbrainz-client.js';

/**
 * The address is acousticbrainz_base_url, else WKMP_ACOUSTICBRAINZ_URL, else AcousticBrainz's own.
 * `pace`: a clock and a listener for the pace, for tests.
 */
export function acousticBrainzClient(rows: SettingRows, db: WkmpDatabase, pace: PaceOptions = {}, env: NodeJS.ProcessEnv = process.env): AcousticBrainzClient {
  const values = readSettings(rows);
  const baseUrl = settingOrEnvironment(rows, 'acousticbrainz_base_url', env);
  return { baseUrl, userAgent: `wkmp-ai/${wkmpAiVersion()}`, pacer: new SharedPace(db, baseUrl, values.acousticbrainz_min_interval_ms, pace) };
}
