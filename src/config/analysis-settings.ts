/**
 * The analysis parameters from the `settings` rows: silence segmentation and lead-in / lead-out
 * (WKMP.md). A missing or NULL value takes the default silently; an unusable one takes it with a
 * warning naming the key, the rule and the value.
 */
import { defaultAmplitudeOptions, type AmplitudeOptions } from '../analysis/amplitude.js';
import type { AudioAnalysisOptions } from '../analysis/analyse-audio.js';
import { silenceOptionsFromSettings, type SilenceSettings } from '../analysis/silence.js';
import { TICKS_PER_SECOND } from '../file-record.js';
import { settingDefaults, type SettingKey, type SettingRows } from './settings.js';

export interface AnalysisParameters {
  silence: SilenceSettings & {
    /** Less sound than this in a file → `NO AUDIO`, no passages. */
    minPassageAudioTicks: number;
  };
  amplitude: AmplitudeOptions;
}

interface Rule {
  /** Completes "… must be ": "a positive integer". */
  text: string;
  test(value: number): boolean;
}

const positiveNumber: Rule = { text: 'a positive number', test: (v) => v > 0 };
const nonNegativeNumber: Rule = { text: 'a number ≥ 0', test: (v) => v >= 0 };
const positiveInteger: Rule = { text: 'a positive integer', test: (v) => Number.isInteger(v) && v >= 1 };
const nonNegativeInteger: Rule = { text: 'an integer ≥ 0', test: (v) => Number.isInteger(v) && v >= 0 };
const decibelsBelowPeak: Rule = { text: 'a number of dB ≤ 0', test: (v) => v <= 0 };
const fraction: Rule = { text: 'a number in (0, 1]', test: (v) => v > 0 && v <= 1 };

function warnFallback(key: SettingKey, rule: string, raw: string, fallback: string): void {
  process.emitWarning(`settings: ${key} must be ${rule}, got \`${raw}\`; using ${fallback}`);
}

function numberSetting(rows: SettingRows, key: SettingKey, rule: Rule): number {
  const raw = rows.get(key) ?? settingDefaults[key] ?? '';
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (Number.isFinite(value) && rule.test(value)) return value;
  const fallback = Number(settingDefaults[key]);
  warnFallback(key, rule.text, raw, String(fallback));
  return fallback;
}

function booleanSetting(rows: SettingRows, key: SettingKey): boolean {
  const raw = rows.get(key) ?? settingDefaults[key] ?? '';
  const text = raw.trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  const fallback = settingDefaults[key] === 'true';
  warnFallback(key, '`true` or `false`', raw, String(fallback));
  return fallback;
}

export function analysisParametersFromSettings(rows: SettingRows): AnalysisParameters {
  return {
    silence: {
      thresholdDb: numberSetting(rows, 'silence_threshold_dB', positiveNumber),
      minSilenceTicks: numberSetting(rows, 'silence_min_duration_ticks', positiveInteger),
      minPassageAudioTicks: numberSetting(rows, 'minimum_passage_audio_duration_ticks', nonNegativeInteger),
    },
    amplitude: {
      rmsWindowMs: numberSetting(rows, 'rms_window_ms', positiveNumber),
      leadInThresholdDb: numberSetting(rows, 'lead_in_threshold_db', decibelsBelowPeak),
      leadOutThresholdDb: numberSetting(rows, 'lead_out_threshold_db', decibelsBelowPeak),
      quickRampThreshold: numberSetting(rows, 'quick_ramp_threshold', fraction),
      // No setting key: WKMP.md fixes the quick-ramp level at −5 dB (see AmplitudeOptions).
      quickRampLevelDb: defaultAmplitudeOptions.quickRampLevelDb,
      quickRampDurationS: numberSetting(rows, 'quick_ramp_duration_s', nonNegativeNumber),
      maxLeadInDurationS: numberSetting(rows, 'max_lead_in_duration_s', nonNegativeNumber),
      maxLeadOutDurationS: numberSetting(rows, 'max_lead_out_duration_s', nonNegativeNumber),
      applyAWeighting: booleanSetting(rows, 'apply_a_weighting'),
    },
  };
}

/**
 * The rate audio is decoded to for analysis: chromaprint works at 11025 Hz (it would resample to
 * it anyway), and silence and loudness need nothing above its 5.5 kHz band; a quarter of 44.1 kHz
 * keeps a decoded hour at 40 MB of float32 instead of 635 MB at the native rate in stereo.
 */
export const analysisSampleRate = 11025;
/** Silence is judged over 100 ms windows (WKMP.md), scaled to the real rate. */
const silenceWindowMs = 100;
/** AcoustID needs about 10 s, and looks at the first 120 s. */
const minFingerprintSeconds = 10;
const maxFingerprintSeconds = 120;

/** Everything a worker needs to analyse decoded audio, from the settings. */
export function audioAnalysisOptions(rows: SettingRows, sampleRate = analysisSampleRate): AudioAnalysisOptions {
  const parameters = analysisParametersFromSettings(rows);
  const windowSeconds = Math.round((sampleRate * silenceWindowMs) / 1000) / sampleRate;
  return {
    sampleRate,
    windowMs: silenceWindowMs,
    silence: silenceOptionsFromSettings(parameters.silence, windowSeconds),
    minAudioSeconds: parameters.silence.minPassageAudioTicks / TICKS_PER_SECOND,
    amplitude: parameters.amplitude,
    minFingerprintSeconds,
    maxFingerprintSeconds,
  };
}
