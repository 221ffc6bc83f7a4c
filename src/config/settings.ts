import { availableParallelism } from 'node:os';

/**
 * The settings the import reads, with WKMP's defaults (WKMP.md). Values are stored as text in the
 * shared `settings` table; missing keys are seeded with these at start-up. The silence defaults
 * are this project's, not upstream's −35 dBFS / 300 ms, which cut real songs at every quiet bar
 * (docs/adr/0003-song-boundaries.md); a database still holding those old defaults is moved to
 * these by migration 4.
 */
export const settingDefaults = {
  ingest_max_concurrent_jobs: String(availableParallelism()),
  ai_database_lock_retry_ms: '5000',
  ai_database_max_lock_wait_ms: '30000',
  silence_threshold_dB: '70',
  silence_min_duration_ticks: '14112000',
  minimum_passage_audio_duration_ticks: '2822400',
  minimum_song_duration_ticks: '423360000',
  acoustid_api_key: null,
  acoustid_base_url: 'https://api.acoustid.org/v2',
  // AcoustID allows 3 requests/s: 400 ms apart keeps under it, with room for a request sent late
  // to arrive close behind the next (the services count arrivals).
  acoustid_min_interval_ms: '400',
  musicbrainz_base_url: 'https://musicbrainz.org/ws/2',
  // MusicBrainz allows 1 request/s on average; 0 for a local mirror (musicbrainz-docker).
  musicbrainz_min_interval_ms: '1100',
  musicbrainz_contact: null,
  identification_cache_days: '90',
  music_directories: '[]',
  rms_window_ms: '100',
  lead_in_threshold_db: '-12',
  lead_out_threshold_db: '-12',
  quick_ramp_threshold: '0.75',
  quick_ramp_duration_s: '1.0',
  max_lead_in_duration_s: '5.0',
  max_lead_out_duration_s: '5.0',
  apply_a_weighting: 'true',
} satisfies Record<string, string | null>;

export type SettingKey = keyof typeof settingDefaults;
export type SettingRows = ReadonlyMap<string, string | null>;

export interface ImportSettings {
  maxConcurrentJobs: number;
  lockRetryMs: number;
  maxLockWaitMs: number;
}

export function readImportSettings(rows: SettingRows): ImportSettings {
  return {
    maxConcurrentJobs: readNumberSetting(rows, 'ingest_max_concurrent_jobs'),
    lockRetryMs: readNumberSetting(rows, 'ai_database_lock_retry_ms'),
    maxLockWaitMs: readNumberSetting(rows, 'ai_database_max_lock_wait_ms'),
  };
}

/**
 * What each setting wkmp-ai owns may hold. A write through the API (`POST /api/settings`,
 * `POST /parameters/global`) with a bad value is refused with one line naming the key, the rule and
 * the value; a bad value already stored (another service wrote it) is read as the default, with a
 * warning saying the same.
 */

/** A value as it comes in a JSON body. */
export type SettingInput = string | number | boolean | null;

interface Rule {
  /** Completes "… must be ": "a positive integer". */
  text: string;
  /** The text to store, or undefined when the value breaks the rule. */
  normalise(value: SettingInput): string | null | undefined;
}

function numeric(text: string, test: (value: number) => boolean): Rule {
  return {
    text,
    normalise(value) {
      if (typeof value === 'boolean' || value === null) return undefined;
      const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
      return Number.isFinite(n) && test(n) ? String(n) : undefined;
    },
  };
}

const positiveInteger = numeric('a positive integer', (v) => Number.isInteger(v) && v >= 1);
const nonNegativeInteger = numeric('an integer ≥ 0', (v) => Number.isInteger(v) && v >= 0);
const positiveNumber = numeric('a positive number', (v) => v > 0);
const nonNegativeNumber = numeric('a number ≥ 0', (v) => v >= 0);
const decibelsBelowPeak = numeric('a number of dB ≤ 0', (v) => v <= 0);
const fraction = numeric('a number in (0, 1]', (v) => v > 0 && v <= 1);

const boolean: Rule = {
  text: '`true` or `false`',
  normalise(value) {
    const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
    if (text === true || text === 'true' || text === '1') return 'true';
    if (text === false || text === 'false' || text === '0') return 'false';
    return undefined;
  },
};

const optionalText: Rule = {
  text: 'a string or null',
  normalise: (value) => (value === null || value === '' ? null : typeof value === 'string' ? value : undefined),
};

const httpUrl: Rule = {
  text: 'an http(s) URL',
  normalise(value) {
    if (typeof value !== 'string') return undefined;
    try {
      const url = new URL(value.trim());
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href.replace(/\/+$/, '') : undefined;
    } catch {
      return undefined;
    }
  },
};

const folderList: Rule = {
  text: 'a JSON array of folder paths',
  normalise(value) {
    if (typeof value !== 'string') return undefined;
    try {
      const parsed: unknown = JSON.parse(value);
      return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? JSON.stringify(parsed) : undefined;
    } catch {
      return undefined;
    }
  },
};

export const settingRules: Record<SettingKey, Rule> = {
  ingest_max_concurrent_jobs: positiveInteger,
  ai_database_lock_retry_ms: positiveInteger,
  ai_database_max_lock_wait_ms: positiveInteger,
  silence_threshold_dB: positiveNumber,
  silence_min_duration_ticks: positiveInteger,
  minimum_passage_audio_duration_ticks: nonNegativeInteger,
  minimum_song_duration_ticks: nonNegativeInteger,
  acoustid_api_key: optionalText,
  acoustid_base_url: httpUrl,
  acoustid_min_interval_ms: nonNegativeInteger,
  musicbrainz_base_url: httpUrl,
  musicbrainz_min_interval_ms: nonNegativeInteger,
  musicbrainz_contact: optionalText,
  identification_cache_days: positiveNumber,
  music_directories: folderList,
  rms_window_ms: positiveNumber,
  lead_in_threshold_db: decibelsBelowPeak,
  lead_out_threshold_db: decibelsBelowPeak,
  quick_ramp_threshold: fraction,
  quick_ramp_duration_s: nonNegativeNumber,
  max_lead_in_duration_s: nonNegativeNumber,
  max_lead_out_duration_s: nonNegativeNumber,
  apply_a_weighting: boolean,
};

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(settingDefaults, key);
}

export type SettingsCheck = { ok: true; values: Map<SettingKey, string | null> } | { ok: false; problems: string[] };

/** Checks every key and value of a settings write; all are refused when one is wrong. */
export function checkSettings(input: Readonly<Record<string, SettingInput>>): SettingsCheck {
  const values = new Map<SettingKey, string | null>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (!isSettingKey(key)) {
      problems.push(`unknown setting \`${key}\``);
      continue;
    }
    const rule = settingRules[key];
    const text = rule.normalise(value);
    if (text === undefined) problems.push(`${key} must be ${rule.text}, got \`${JSON.stringify(value)}\``);
    else values.set(key, text);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

/** A setting as the import uses it: its stored value if the rule accepts it, else the default (with a warning). */
export function readSetting(rows: SettingRows, key: SettingKey): string | null {
  const raw = rows.get(key) ?? settingDefaults[key];
  const rule = settingRules[key];
  const value = rule.normalise(raw);
  if (value !== undefined) return value;
  const fallback = settingDefaults[key];
  process.emitWarning(`settings: ${key} must be ${rule.text}, got \`${raw ?? 'null'}\`; using ${fallback ?? 'null'}`);
  return fallback;
}

export function readNumberSetting(rows: SettingRows, key: SettingKey): number {
  return Number(readSetting(rows, key));
}
