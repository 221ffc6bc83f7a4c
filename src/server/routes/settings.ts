/**
 * GET/POST /api/settings: the settings wkmp-ai owns (config/settings.ts), as stored text.
 * GET/POST /parameters/global: the silence and lead-in / lead-out parameters (WKMP.md), typed,
 * stored as the same settings. A write with an unknown key or a bad value changes nothing.
 */
import type { FastifyInstance } from 'fastify';
import { analysisParametersFromSettings } from '../../analysis/settings.js';
import { checkSettings, settingDefaults, type SettingInput, type SettingKey } from '../../config/settings.js';
import type { ReadDb } from '../../db/connection.js';
import { listSettings } from '../../db/queries/settings.js';
import type { Recorder } from '../../db/recorder.js';
import { errorBody } from '../http-errors.js';

function ownSettings(db: ReadDb): Record<SettingKey, string | null> {
  const rows = listSettings(db);
  const keys = Object.keys(settingDefaults) as SettingKey[];
  return Object.fromEntries(keys.map((key) => [key, rows.has(key) ? rows.get(key) ?? null : settingDefaults[key]])) as Record<SettingKey, string | null>;
}

/** The parameters as the import uses them (an unusable stored value shows as its default). */
function globalParameters(db: ReadDb) {
  const { silence, amplitude } = analysisParametersFromSettings(listSettings(db));
  return {
    silence_threshold_dB: silence.thresholdDb,
    silence_min_duration_ticks: silence.minSilenceTicks,
    minimum_passage_audio_duration_ticks: silence.minPassageAudioTicks,
    minimum_song_duration_ticks: silence.minSongTicks,
    rms_window_ms: amplitude.rmsWindowMs,
    lead_in_threshold_db: amplitude.leadInThresholdDb,
    lead_out_threshold_db: amplitude.leadOutThresholdDb,
    quick_ramp_threshold: amplitude.quickRampThreshold,
    quick_ramp_duration_s: amplitude.quickRampDurationS,
    max_lead_in_duration_s: amplitude.maxLeadInDurationS,
    max_lead_out_duration_s: amplitude.maxLeadOutDurationS,
    apply_a_weighting: amplitude.applyAWeighting,
  };
}

const number = { type: 'number' } as const;
const integer = { type: 'integer' } as const;

const parametersBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    silence_threshold_dB: number,
    silence_min_duration_ticks: integer,
    minimum_passage_audio_duration_ticks: integer,
    minimum_song_duration_ticks: integer,
    rms_window_ms: number,
    lead_in_threshold_db: number,
    lead_out_threshold_db: number,
    quick_ramp_threshold: number,
    quick_ramp_duration_s: number,
    max_lead_in_duration_s: number,
    max_lead_out_duration_s: number,
    apply_a_weighting: { type: 'boolean' },
  },
} as const;

const settingsBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] },
} as const;

/**
 * A write goes to the recorder, the process's one writer, as a command ahead of any batch still
 * waiting: it waits at most for the transaction in progress, never in SQLite's busy handler.
 */
/** `onChange` runs after each write: the identification queue may go on with a new key or URL. */
export function registerSettingsRoutes(app: FastifyInstance, db: ReadDb, recorder: Recorder, onChange: () => void = () => undefined): void {
  async function write(input: Record<string, SettingInput>): Promise<string | null> {
    const check = checkSettings(input);
    if (!check.ok) return check.problems.join('; ');
    await recorder.setSettings(check.values);
    onChange();
    return null;
  }

  app.get('/api/settings', async () => ({ settings: ownSettings(db) }));

  app.post<{ Body: Record<string, SettingInput> }>('/api/settings', { schema: { body: settingsBody } }, async (request, reply) => {
    const problem = await write(request.body);
    if (problem) return reply.code(400).send(errorBody(400, problem));
    return { settings: ownSettings(db) };
  });

  app.get('/parameters/global', async () => globalParameters(db));

  app.post<{ Body: Record<string, number | boolean> }>('/parameters/global', { schema: { body: parametersBody } }, async (request, reply) => {
    const problem = await write(request.body);
    if (problem) return reply.code(400).send(errorBody(400, problem));
    return globalParameters(db);
  });
}
