/** AcousticBrainz as the settings describe it: its address and its pace, kept for every process on the database. */
import { readSettings, type SettingRows } from '../config/settings.js';
import type { WkmpDatabase } from '../db/setup.js';
import { SharedPace, type PaceOptions } from '../queue/pace.js';
import { wkmpAiVersion } from '../version.js';
import type { AcousticBrainzClient } from './acousticbrainz-client.js';

/** `pace`: a clock and a listener for the pace, for tests. */
export function acousticBrainzClient(rows: SettingRows, db: WkmpDatabase, pace: PaceOptions = {}): AcousticBrainzClient {
  const values = readSettings(rows);
  const baseUrl = values.acousticbrainz_base_url;
  return { baseUrl, userAgent: `wkmp-ai/${wkmpAiVersion()}`, pacer: new SharedPace(db, baseUrl, values.acousticbrainz_min_interval_ms, pace) };
}
