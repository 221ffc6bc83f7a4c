/**
 * The bounds of the analysis settings (src/config/settings.ts) are bounds the analysis can use: at
 * either end of every one, a real recording of several songs and a synthetic one are analysed into
 * passages, never refused. (A tiny `rms_window_ms` used to be accepted, and then every file failed.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseFile } from '../../src/analysis/worker.js';
import { audioAnalysisOptions } from '../../src/analysis/settings.js';
import { settings } from '../../src/config/settings.js';
import { realMusicDir } from '../real-music.js';
import { analyseTask, fixtures } from './helpers.js';

const analysed = settings.filter((setting) => (setting.group === 'boundaries' || setting.group === 'leads') && setting.bounds() !== null);
const ends = analysed.flatMap((setting) => {
  const { min, max } = setting.bounds()!;
  return [[setting.key, 'min', min], [setting.key, 'max', max]] as const;
});

const files = {
  'real music, songs joined by silence (drascula)': join(realMusicDir(), 'joins', 'digital-gaps.flac'),
  'three synthetic songs': join(fixtures, 'analysis', 'three-songs.mp3'),
};

describe('the analysis settings at their bounds', () => {
  it('are every numeric setting of the song boundaries and the leads', () => {
    expect(analysed.map((setting) => setting.key).sort()).toEqual([
      'lead_in_threshold_db', 'lead_out_threshold_db', 'max_lead_in_duration_s', 'max_lead_out_duration_s', 'minimum_passage_audio_duration_ticks',
      'minimum_song_duration_ticks', 'quick_ramp_duration_s', 'quick_ramp_threshold', 'rms_window_ms', 'silence_min_duration_ticks', 'silence_threshold_dB',
    ]);
  });

  it.each(ends)('%s at its %s (%s): each file is analysed, with passages inside it or none (NO AUDIO), never refused', async (key, _end, value) => {
    const audio = audioAnalysisOptions(new Map([[key, String(value)]]));
    for (const [what, absolutePath] of Object.entries(files)) {
      const result = await analyseFile(analyseTask(absolutePath, 'file.flac', { audio }));
      expect(result.kind, `${what}: ${JSON.stringify(result.kind === 'failure' ? result : '')}`).toBe('record');
      if (result.kind !== 'record') continue;
      for (const passage of result.passages) {
        expect(passage.endTicks).toBeGreaterThan(passage.startTicks);
        if (passage.leadInStartTicks !== null && passage.leadOutStartTicks !== null) expect(passage.leadInStartTicks).toBeLessThanOrEqual(passage.leadOutStartTicks);
      }
    }
  });
});
