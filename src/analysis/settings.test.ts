import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultAmplitudeOptions } from './amplitude.js';
import { analysisParametersFromSettings } from './settings.js';

function warnings() {
  return vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('analysisParametersFromSettings', () => {
  it('gives WKMP defaults, the same as defaultAmplitudeOptions, when no setting is stored', () => {
    const warn = warnings();
    expect(analysisParametersFromSettings(new Map())).toEqual({
      silence: { thresholdDb: 70, minSilenceTicks: 14_112_000, minPassageAudioTicks: 2_822_400, minSongTicks: 423_360_000 },
      amplitude: defaultAmplitudeOptions,
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it('reads every stored value', () => {
    const rows = new Map<string, string | null>([
      ['silence_threshold_dB', '45'],
      ['silence_min_duration_ticks', '14112000'],
      ['minimum_passage_audio_duration_ticks', '0'],
      ['minimum_song_duration_ticks', '141120000'],
      ['rms_window_ms', '50'],
      ['lead_in_threshold_db', '-8'],
      ['lead_out_threshold_db', '-15.5'],
      ['quick_ramp_threshold', '0.6'],
      ['quick_ramp_duration_s', '0.5'],
      ['max_lead_in_duration_s', '2'],
      ['max_lead_out_duration_s', '8'],
      ['apply_a_weighting', 'false'],
    ]);
    expect(analysisParametersFromSettings(rows)).toEqual({
      silence: { thresholdDb: 45, minSilenceTicks: 14_112_000, minPassageAudioTicks: 0, minSongTicks: 141_120_000 },
      amplitude: {
        rmsWindowMs: 50,
        leadInThresholdDb: -8,
        leadOutThresholdDb: -15.5,
        quickRampThreshold: 0.6,
        quickRampDurationS: 0.5,
        maxLeadInDurationS: 2,
        maxLeadOutDurationS: 8,
        applyAWeighting: false,
      },
    });
  });

  it('takes the default silently for a NULL value', () => {
    const warn = warnings();
    expect(analysisParametersFromSettings(new Map([['rms_window_ms', null]])).amplitude.rmsWindowMs).toBe(100);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    ['silence_threshold_dB', 'loud'],
    ['silence_threshold_dB', ''],
    ['silence_min_duration_ticks', '0.5'],
    ['minimum_passage_audio_duration_ticks', '-1'],
    ['rms_window_ms', '0'],
    ['lead_in_threshold_db', '3'],
    ['quick_ramp_threshold', '1.5'],
    ['max_lead_out_duration_s', 'Infinity'],
    ['apply_a_weighting', 'yes'],
  ])('falls back to the default with a warning for %s = `%s`', (key, raw) => {
    const warn = warnings();
    const parameters = analysisParametersFromSettings(new Map([[key, raw]]));
    expect(parameters).toEqual(analysisParametersFromSettings(new Map()));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(new RegExp(`^settings: [^(]+ \\(${key}\\) must be .+, got \`${raw}\`; using `));
  });

  it('accepts 1 and 0 for apply_a_weighting', () => {
    expect(analysisParametersFromSettings(new Map([['apply_a_weighting', '0']])).amplitude.applyAWeighting).toBe(false);
    expect(analysisParametersFromSettings(new Map([['apply_a_weighting', ' TRUE ']])).amplitude.applyAWeighting).toBe(true);
  });
});
