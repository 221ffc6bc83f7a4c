import { availableParallelism } from 'node:os';

/**
 * The settings the import reads, with WKMP's defaults (WKMP.md). Values are stored as text in the
 * shared `settings` table; missing keys are seeded with these at start-up.
 */
export const settingDefaults = {
  ingest_max_concurrent_jobs: String(availableParallelism()),
  ai_database_lock_retry_ms: '5000',
  ai_database_max_lock_wait_ms: '30000',
  silence_threshold_dB: '35',
  silence_min_duration_ticks: '8467200',
  minimum_passage_audio_duration_ticks: '2822400',
  acoustid_api_key: null,
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

function positiveInt(rows: SettingRows, key: SettingKey): number {
  const raw = rows.get(key) ?? settingDefaults[key];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    const fallback = Number(settingDefaults[key]);
    process.emitWarning(`settings: ${key} must be a positive integer, got \`${raw}\`; using ${fallback}`);
    return fallback;
  }
  return value;
}

export function readImportSettings(rows: SettingRows): ImportSettings {
  return {
    maxConcurrentJobs: positiveInt(rows, 'ingest_max_concurrent_jobs'),
    lockRetryMs: positiveInt(rows, 'ai_database_lock_retry_ms'),
    maxLockWaitMs: positiveInt(rows, 'ai_database_max_lock_wait_ms'),
  };
}
