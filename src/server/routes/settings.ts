/**
 * GET/POST /api/settings: the settings wkmp-ai owns, as stored text; GET /api/settings/fields:
 * their declarations, for the settings page; GET/POST /parameters/global: the silence and lead-in /
 * lead-out parameters (WKMP.md), typed. Everything here comes from the settings' one declaration
 * (config/settings.ts). A secret is write-only: a GET says whether it is set, never what it is. A
 * write with an unknown key or a bad value changes nothing.
 */
import type { FastifyInstance } from 'fastify';
import { checkSettings, readSettings, settingFields, settingGroups, settings, valueSchema, type SettingInput, type SettingKey } from '../../config/settings.js';
import type { ReadDb } from '../../db/connection.js';
import { listSettings, storeSettings } from '../../db/queries/settings.js';
import type { Recorder } from '../../db/recorder.js';
import { errorBody } from '../http-errors.js';

/** Where a secret's value comes from now, as a GET tells it. */
export interface SecretState {
  set: boolean;
  /** 'setting': stored in wkmp.db; 'environment': its environment variable; null when not set. */
  from: 'setting' | 'environment' | null;
}

function secretState(stored: string | null | undefined, env: string | null): SecretState {
  if (stored !== null && stored !== undefined && stored.trim() !== '') return { set: true, from: 'setting' };
  const fromEnv = env === null ? undefined : process.env[env];
  return fromEnv !== undefined && fromEnv.trim() !== '' ? { set: true, from: 'environment' } : { set: false, from: null };
}

/** The stored text of every setting that is not a secret (NULL: the default), and the state of each secret. */
function ownSettings(db: ReadDb): { settings: Partial<Record<SettingKey, string | null>>; secrets: Partial<Record<SettingKey, SecretState>> } {
  const rows = listSettings(db);
  const shown: Partial<Record<SettingKey, string | null>> = {};
  const secrets: Partial<Record<SettingKey, SecretState>> = {};
  for (const setting of settings) {
    const stored = rows.has(setting.key) ? rows.get(setting.key) : setting.seeded();
    if (setting.secret) secrets[setting.key] = secretState(stored, setting.env);
    else shown[setting.key] = stored ?? null;
  }
  return { settings: shown, secrets };
}

/** The settings of the silence and lead-in / lead-out rules: what /parameters/global reads and writes. */
const parameterKeys = settings.filter((setting) => setting.group === 'boundaries' || setting.group === 'leads').map((setting) => setting.key);

/** The parameters as the import uses them, typed (an unusable stored value shows as its default). */
function globalParameters(db: ReadDb): Record<string, unknown> {
  const values: Record<string, unknown> = readSettings(listSettings(db));
  return Object.fromEntries(parameterKeys.map((key) => [key, values[key]]));
}

/**
 * Every setting may be written as text or its own type; the check that follows names the rule, and
 * names an unknown key too (the schema would only say there is one).
 */
const settingsBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] },
  properties: Object.fromEntries(settings.map((setting) => [setting.key, valueSchema(setting)])),
} as const;

/** /parameters/global takes the typed values alone. */
const parametersBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: Object.fromEntries(settings.filter((setting) => parameterKeys.includes(setting.key)).map((setting) => [
    setting.key, { type: setting.type === 'boolean' ? 'boolean' : setting.type === 'integer' ? 'integer' : 'number' },
  ])),
} as const;

/**
 * A write goes to the recorder, the process's one writer, as a unit ahead of any batch still
 * waiting: it waits at most for the transaction in progress, never in SQLite's busy handler.
 * `onChange` runs after each write: the identification queue may go on with a new key or URL.
 */
export function registerSettingsRoutes(app: FastifyInstance, db: ReadDb, recorder: Recorder, onChange: () => void = () => undefined): void {
  async function write(input: Record<string, SettingInput>): Promise<string | null> {
    const check = checkSettings(input);
    if (!check.ok) return check.problems.join('; ');
    await recorder.write(storeSettings(check.values));
    onChange();
    return null;
  }

  app.get('/api/settings', async () => ownSettings(db));

  app.get('/api/settings/fields', async () => ({ groups: settingGroups, fields: settingFields() }));

  app.post<{ Body: Record<string, SettingInput> }>('/api/settings', { schema: { body: settingsBody } }, async (request, reply) => {
    const problem = await write(request.body);
    if (problem) return reply.code(400).send(errorBody(400, problem));
    return ownSettings(db);
  });

  app.get('/parameters/global', async () => globalParameters(db));

  app.post<{ Body: Record<string, number | boolean> }>('/parameters/global', { schema: { body: parametersBody } }, async (request, reply) => {
    const problem = await write(request.body);
    if (problem) return reply.code(400).send(errorBody(400, problem));
    return globalParameters(db);
  });
}
