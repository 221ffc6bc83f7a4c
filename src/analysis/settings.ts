/**
 * The analysis parameters from the `settings` rows: silence segmentation and lead-in / lead-out
 * (WKMP.md), read through the settings' one declaration (config/settings.ts): a missing or NULL value
 * takes the default silently; an unusable one takes it with a warning naming the setting, the
 * rule and the value.
 */
import type { AmplitudeOptions } from './amplitude.js';
import type { AudioAnalysisOptions } from './analyse-audio.js';
import type { SegmentationOptions } from './song-boundaries.js';
import { TICKS_PER_SECOND } from '../file-record.js';
import { readSettings, type SettingRows } from '../config/settings.js';

export interface AnalysisParameters {
  silence: {
    /** Silent below −thresholdDb dBFS (window peak). */
    thresholdDb: number;
    /** The shortest silence that may separate two songs. */
    minSilenceTicks: number;
    /** Less sound than this in a file → `NO AUDIO`, no passages. */
    minPassageAudioTicks: number;
    /** The shortest passage that stands alone; shorter fragments join a neighbour. */
    minSongTicks: number;
  };
  amplitude: AmplitudeOptions;
}

export function analysisParametersFromSettings(rows: SettingRows): AnalysisParameters {
  const values = readSettings(rows);
  return {
    silence: {
      thresholdDb: values.silence_threshold_dB,
      minSilenceTicks: values.silence_min_duration_ticks,
      minPassageAudioTicks: values.minimum_passage_audio_duration_ticks,
      minSongTicks: values.minimum_song_duration_ticks,
    },
    amplitude: {
      rmsWindowMs: values.rms_window_ms,
      leadInThresholdDb: values.lead_in_threshold_db,
      leadOutThresholdDb: values.lead_out_threshold_db,
      quickRampThreshold: values.quick_ramp_threshold,
      quickRampDurationS: values.quick_ramp_duration_s,
      maxLeadInDurationS: values.max_lead_in_duration_s,
      maxLeadOutDurationS: values.max_lead_out_duration_s,
      applyAWeighting: values.apply_a_weighting,
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
  const { silence } = parameters;
  const segmentation: SegmentationOptions = {
    silenceThresholdDb: silence.thresholdDb,
    minGapSeconds: silence.minSilenceTicks / TICKS_PER_SECOND,
    minSongSeconds: silence.minSongTicks / TICKS_PER_SECOND,
  };
  return {
    sampleRate,
    windowMs: silenceWindowMs,
    segmentation,
    minAudioSeconds: silence.minPassageAudioTicks / TICKS_PER_SECOND,
    amplitude: parameters.amplitude,
    minFingerprintSeconds,
    maxFingerprintSeconds,
  };
}
