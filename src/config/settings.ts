/**
 * Every setting wkmp-ai owns, declared once (STYLE.md §12): its type, the unit it is stored in,
 * bounds the code can actually use, default, label, help, group and whether it is a secret. From
 * this one table come the checks of a write (and their messages, with the field's label), the API's
 * body schema, the settings page's form, the reading the import and the queues do, and the table in
 * docs/settings.md. Values are stored as text in WKMP's shared `settings` table; missing keys are
 * seeded with their defaults at start-up, except a default that depends on the machine (the number
 * of cores), which is seeded NULL and worked out on the machine that runs, each time.
 *
 * The silence defaults are this project's, not upstream's −35 dBFS / 300 ms, which cut real songs
 * at every quiet bar (docs/adr/0003-song-boundaries.md).
 */
import { availableParallelism } from 'node:os';

/** 28,224,000 ticks per second (WKMP.md); here to keep this module free of the analysis types. */
const ticksPerSecond = 28_224_000;

export type SettingGroup = 'identification' | 'flavor' | 'import' | 'boundaries' | 'leads' | 'database';

/** The groups, in the order the page and the docs show them. */
export const settingGroups: readonly { id: SettingGroup; title: string }[] = [
  { id: 'identification', title: 'Identification' },
  { id: 'flavor', title: 'Musical flavor' },
  { id: 'import', title: 'Import' },
  { id: 'boundaries', title: 'Song boundaries (passages)' },
  { id: 'leads', title: 'Lead-in and lead-out (amplitude)' },
  { id: 'database', title: 'Database' },
];

/** The unit a number is stored in. */
export type StoredUnit = 'ticks' | 'ms' | 's' | 'minutes' | 'dB' | 'days' | 'workers' | 'fraction';

/** How people read and enter a stored unit: ticks as seconds (WKMP stores ticks; nobody thinks in them). */
export const shownUnits: Record<StoredUnit, { unit: string; perStored: number }> = {
  ticks: { unit: 's', perStored: 1 / ticksPerSecond },
  ms: { unit: 'ms', perStored: 1 },
  s: { unit: 's', perStored: 1 },
  minutes: { unit: 'min', perStored: 1 },
  dB: { unit: 'dB', perStored: 1 },
  days: { unit: 'days', perStored: 1 },
  workers: { unit: 'workers', perStored: 1 },
  fraction: { unit: '', perStored: 1 },
};

/** A value as it comes in a JSON body. */
export type SettingInput = string | number | boolean | null;

export type SettingType = 'integer' | 'number' | 'boolean' | 'text' | 'url' | 'folders';

export interface Setting<K extends string = string, T = unknown> {
  readonly key: K;
  readonly group: SettingGroup;
  readonly label: string;
  readonly help: string;
  readonly type: SettingType;
  readonly unit: StoredUnit | null;
  /** Write-only through the API: a GET says whether it is set, never what it is. */
  readonly secret: boolean;
  /** An environment variable read when the setting is not set. */
  readonly env: string | null;
  /** What the default is, in words, when it is worked out on each machine ("the number of cores"). */
  readonly defaultText: string | null;
  /** What the upper bound is, in words, when it is worked out on each machine. */
  readonly maxText: string | null;
  /** Inclusive bounds of a number, as they are on this machine. */
  bounds(): { min: number; max: number } | null;
  /** The value used when none is stored (or the stored one is unusable). */
  defaultValue(): T;
  /** The text a new database is seeded with: NULL for a default worked out on each machine, or for no value. */
  seeded(): string | null;
  /** Completes "… must be ": "a whole number from 1 to 8 workers". */
  rule(): string;
  /** The text to store for a value as written through the API or the page, or undefined when it breaks the rule. */
  normalise(input: SettingInput): string | null | undefined;
  /** The value of stored text, or undefined when it breaks the rule. */
  parse(text: string): T | undefined;
}

interface Described {
  group: SettingGroup;
  label: string;
  help: string;
  secret?: boolean;
  env?: string;
}

interface NumberSpec extends Described {
  unit: StoredUnit;
  /** Numbers are bounds; functions are bounds worked out on the machine that runs. */
  min: number | (() => number);
  max: number | (() => number);
  default: number | (() => number);
  /** Said of a default worked out on each machine. */
  defaultText?: string;
  /** Said of a bound worked out on each machine. */
  maxText?: string;
}

function valueOf(bound: number | (() => number)): number {
  return typeof bound === 'function' ? bound() : bound;
}

function numberText(value: number): string {
  return String(value);
}

function numeric<K extends string>(key: K, integer: boolean, spec: NumberSpec): Setting<K, number> {
  const bounds = () => ({ min: valueOf(spec.min), max: valueOf(spec.max) });
  const computed = typeof spec.default === 'function';
  const unitText = spec.unit === 'fraction' ? '' : ` ${spec.unit}`;
  const within = (n: number) => Number.isFinite(n) && (!integer || Number.isInteger(n)) && n >= bounds().min && n <= bounds().max;
  return {
    key, group: spec.group, label: spec.label, help: spec.help, type: integer ? 'integer' : 'number', unit: spec.unit,
    secret: false, env: null, defaultText: spec.defaultText ?? null, maxText: spec.maxText ?? null,
    bounds,
    defaultValue: () => valueOf(spec.default),
    seeded: () => (computed ? null : numberText(valueOf(spec.default))),
    rule: () => `${integer ? 'a whole number' : 'a number'} from ${bounds().min} to ${bounds().max}${unitText}`,
    normalise(input) {
      // A default worked out on each machine is asked for again by clearing the value.
      if (input === null || input === '') return computed ? null : undefined;
      if (typeof input === 'boolean') return undefined;
      const n = typeof input === 'number' ? input : input.trim() === '' ? Number.NaN : Number(input);
      return within(n) ? numberText(n) : undefined;
    },
    parse(text) {
      const n = text.trim() === '' ? Number.NaN : Number(text);
      return within(n) ? n : undefined;
    },
  };
}

function integerSetting<K extends string>(key: K, spec: NumberSpec): Setting<K, number> {
  return numeric(key, true, spec);
}

function numberSetting<K extends string>(key: K, spec: NumberSpec): Setting<K, number> {
  return numeric(key, false, spec);
}

function plain<K extends string, T>(key: K, type: SettingType, spec: Described, rest: Pick<Setting<K, T>, 'defaultValue' | 'seeded' | 'rule' | 'normalise' | 'parse'>): Setting<K, T> {
  return {
    key, type, group: spec.group, label: spec.label, help: spec.help, unit: null, secret: spec.secret === true, env: spec.env ?? null,
    defaultText: null, maxText: null, bounds: () => null, ...rest,
  };
}

function booleanSetting<K extends string>(key: K, spec: Described & { default: boolean }): Setting<K, boolean> {
  const parse = (text: string): boolean | undefined => {
    const word = text.trim().toLowerCase();
    return word === 'true' || word === '1' ? true : word === 'false' || word === '0' ? false : undefined;
  };
  return plain(key, 'boolean', spec, {
    defaultValue: () => spec.default,
    seeded: () => String(spec.default),
    rule: () => '`true` or `false`',
    normalise(input) {
      if (typeof input === 'boolean') return String(input);
      if (typeof input !== 'string') return undefined;
      const value = parse(input);
      return value === undefined ? undefined : String(value);
    },
    parse,
  });
}

/** Free text, or none (NULL). */
function textSetting<K extends string>(key: K, spec: Described & { maxLength: number }): Setting<K, string | null> {
  return plain(key, 'text', spec, {
    defaultValue: () => null,
    seeded: () => null,
    rule: () => `text of at most ${spec.maxLength} characters, or empty for none`,
    normalise(input) {
      if (input === null) return null;
      if (typeof input !== 'string') return undefined;
      const text = input.trim();
      if (text === '') return null;
      // No line breaks or other control characters: a key or an address is one line.
      return text.length <= spec.maxLength && ![...text].some((c) => c.charCodeAt(0) < 0x20) ? text : undefined;
    },
    parse: (text) => (text.trim() === '' ? null : text.trim()),
  });
}

function parseHttpUrl(text: string): string | undefined {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An address. With `env`, it is seeded NULL and that variable gives it while none is stored (else
 * the default), and a write of null or '' brings that back.
 */
function urlSetting<K extends string>(key: K, spec: Described & { default: string }): Setting<K, string> {
  const unset = spec.env !== undefined;
  return plain(key, 'url', spec, {
    defaultValue: () => spec.default,
    seeded: () => (unset ? null : spec.default),
    rule: () => (unset ? 'an http(s) URL, or empty for the default' : 'an http(s) URL'),
    normalise: (input) => {
      if (unset && (input === null || input === '')) return null;
      return typeof input === 'string' ? parseHttpUrl(input) : undefined;
    },
    parse: parseHttpUrl,
  });
}

/**
 * A setting's value where an environment variable stands in for it (its `env`) while none is
 * stored: the stored one, else the variable's (when the rule takes it), else the default.
 */
export function settingOrEnvironment<K extends SettingKey>(rows: SettingRows, key: K, env: NodeJS.ProcessEnv): SettingValues[K] {
  const setting = settingOf(key);
  const stored = rows.get(key) ?? null;
  if (stored !== null || setting.env === null) return readSettings(rows)[key];
  const fromEnv = env[setting.env];
  const value = fromEnv === undefined || fromEnv.trim() === '' ? undefined : setting.parse(fromEnv);
  return (value ?? setting.defaultValue()) as SettingValues[K];
}

function parseFolders(text: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function foldersSetting<K extends string>(key: K, spec: Described): Setting<K, string[]> {
  return plain(key, 'folders', spec, {
    defaultValue: () => [],
    seeded: () => '[]',
    rule: () => 'a JSON array of folder paths',
    normalise(input) {
      if (typeof input !== 'string') return undefined;
      const folders = parseFolders(input);
      return folders === undefined ? undefined : JSON.stringify(folders);
    },
    parse: parseFolders,
  });
}

/** Worker threads: at least one; at most four per core, where decoding (ffmpeg's own threads) has long filled the machine. */
export function maxJobs(): number {
  return 4 * availableParallelism();
}

const window = 100; // ms: the silence windows (WKMP.md), the shortest gap that can be measured

/** Every setting wkmp-ai owns, in the order the page and the docs show them within their groups. */
export const settings = [
  textSetting('acoustid_api_key', {
    group: 'identification', label: 'AcoustID API key', secret: true, env: 'WKMP_ACOUSTID_API_KEY', maxLength: 200,
    help: 'the application key AcoustID gave you; without one, passages wait for identification',
  }),
  urlSetting('acoustid_base_url', { group: 'identification', label: 'AcoustID address', default: 'https://api.acoustid.org/v2', help: 'the AcoustID web service, or a mirror of it' }),
  integerSetting('acoustid_min_interval_ms', {
    // AcoustID allows 3 requests/s: 400 ms apart keeps under it, with room for a request sent late
    // to arrive close behind the next (the services count arrivals).
    group: 'identification', label: 'AcoustID request spacing', unit: 'ms', min: 0, max: 60_000, default: 400,
    help: 'least time between two requests to AcoustID from every wkmp-ai on this database (it allows 3 a second); 0 for a mirror',
  }),
  urlSetting('musicbrainz_base_url', { group: 'identification', label: 'MusicBrainz address', default: 'https://musicbrainz.org/ws/2', help: 'the MusicBrainz web service, or a mirror (musicbrainz-docker)' }),
  integerSetting('musicbrainz_min_interval_ms', {
    // MusicBrainz allows 1 request/s on average; 0 for a local mirror (musicbrainz-docker).
    group: 'identification', label: 'MusicBrainz request spacing', unit: 'ms', min: 0, max: 60_000, default: 1100,
    help: 'least time between two requests to MusicBrainz from every wkmp-ai on this database (it allows 1 a second); 0 for a mirror',
  }),
  textSetting('musicbrainz_contact', {
    group: 'identification', label: 'contact for MusicBrainz', maxLength: 200,
    help: 'an e-mail address or URL sent in the User-Agent, as MusicBrainz asks of its clients',
  }),
  numberSetting('identification_cache_days', {
    group: 'identification', label: 'answers kept for', unit: 'days', min: 1, max: 3650, default: 90,
    help: 'AcoustID and MusicBrainz answers are asked again after this long',
  }),
  urlSetting('acousticbrainz_base_url', {
    group: 'flavor', label: 'AcousticBrainz address', default: 'https://acousticbrainz.org', env: 'WKMP_ACOUSTICBRAINZ_URL',
    help: 'AcousticBrainz, or a mirror or local server answering its /api/v1/high-level, for the flavor of identified recordings',
  }),
  integerSetting('acousticbrainz_min_interval_ms', {
    // AcousticBrainz documents 10 requests per 10 s per address; its X-RateLimit-* headers pace the rest.
    group: 'flavor', label: 'AcousticBrainz request spacing', unit: 'ms', min: 0, max: 60_000, default: 1000,
    help: 'least time between two requests to AcousticBrainz from every wkmp-ai on this database (it allows 10 per 10 s); 0 for a mirror',
  }),
  integerSetting('ingest_max_concurrent_jobs', {
    group: 'import', label: 'concurrent analyses', unit: 'workers', min: 1, max: maxJobs, default: availableParallelism,
    defaultText: 'the number of cores of the machine that runs', maxText: 'four per core', help: 'files analysed at once, each in a worker thread; empty: one per core',
  }),
  booleanSetting('ai_watch_folder', {
    group: 'import', label: 'watch the root folder', default: true,
    help: 'wkmp-ai serve imports what changes in the root folder as it changes (and what changed while it was stopped); off: only imports someone starts',
  }),
  integerSetting('ai_rescan_interval_minutes', {
    group: 'import', label: 'rescan interval', unit: 'minutes', min: 1, max: 10_080, default: 15,
    help: 'where changes send no events (network and FUSE mounts, or past the inotify watch limit), the watcher rescans the root folder this often',
  }),
  foldersSetting('music_directories', { group: 'import', label: 'music folders', help: 'WKMP\'s list of music folders (a JSON array); wkmp-ai imports the root folder' }),
  numberSetting('silence_threshold_dB', {
    group: 'boundaries', label: 'silence threshold', unit: 'dB', min: 20, max: 120, default: 70,
    help: 'a window whose peak is more than this many dB below full scale is silent (raised above a noise floor)',
  }),
  integerSetting('silence_min_duration_ticks', {
    group: 'boundaries', label: 'shortest gap between songs', unit: 'ticks', min: window * 28_224, max: 60 * ticksPerSecond, default: 14_112_000,
    help: 'a silence at least this long may separate two songs',
  }),
  integerSetting('minimum_song_duration_ticks', {
    group: 'boundaries', label: 'shortest song', unit: 'ticks', min: 0, max: 1800 * ticksPerSecond, default: 423_360_000,
    help: 'a shorter passage joins a neighbour instead of standing alone',
  }),
  integerSetting('minimum_passage_audio_duration_ticks', {
    group: 'boundaries', label: 'least sound in a file', unit: 'ticks', min: 0, max: 60 * ticksPerSecond, default: 2_822_400,
    help: 'a file with less sound than this is recorded NO AUDIO, without passages',
  }),
  numberSetting('rms_window_ms', {
    group: 'leads', label: 'RMS window', unit: 'ms', min: 10, max: 1000, default: 100, help: 'the loudness envelope the leads are read from is measured over windows this long',
  }),
  numberSetting('lead_in_threshold_db', {
    group: 'leads', label: 'lead-in threshold', unit: 'dB', min: -60, max: 0, default: -12, help: 'the lead-in ends where the level first comes within this of the passage\'s peak',
  }),
  numberSetting('lead_out_threshold_db', {
    group: 'leads', label: 'lead-out threshold', unit: 'dB', min: -60, max: 0, default: -12, help: 'the lead-out starts where the level last was within this of the passage\'s peak',
  }),
  numberSetting('quick_ramp_threshold', {
    group: 'leads', label: 'quick ramp level', unit: 'fraction', min: 0.01, max: 1, default: 0.75,
    help: 'a passage that reaches this fraction of its peak\'s intensity quickly has no lead-in (or lead-out)',
  }),
  numberSetting('quick_ramp_duration_s', {
    group: 'leads', label: 'quick ramp time', unit: 's', min: 0, max: 30, default: 1, help: '"quickly", for the quick ramp level',
  }),
  numberSetting('max_lead_in_duration_s', { group: 'leads', label: 'longest lead-in', unit: 's', min: 0, max: 60, default: 5, help: 'a lead-in is cut to this' }),
  numberSetting('max_lead_out_duration_s', { group: 'leads', label: 'longest lead-out', unit: 's', min: 0, max: 60, default: 5, help: 'a lead-out is cut to this' }),
  booleanSetting('apply_a_weighting', { group: 'leads', label: 'A-weighting', default: true, help: 'weight the loudness envelope as the ear hears' }),
  integerSetting('ai_database_lock_retry_ms', {
    group: 'database', label: 'read wait', unit: 'ms', min: 0, max: 600_000, default: 5000,
    help: 'busy timeout of wkmp-ai\'s read connections (a reader waits only while another process\'s crash is being recovered); the one writer never waits in SQLite, it retries',
  }),
  integerSetting('ai_database_max_lock_wait_ms', {
    group: 'database', label: 'longest write wait', unit: 'ms', min: 100, max: 3_600_000, default: 30_000,
    help: 'a write (settings, identification, a lease) waiting longer for another process\'s lock gives up with an error; an import says so and waits on',
  }),
] as const;

type Declared = (typeof settings)[number];
export type SettingKey = Declared['key'];
/** Every setting, read and typed. */
export type SettingValues = { [S in Declared as S['key']]: ReturnType<S['defaultValue']> };
export type SettingRows = ReadonlyMap<string, string | null>;

const byKey = new Map<string, Declared>(settings.map((setting) => [setting.key, setting]));

export function isSettingKey(key: string): key is SettingKey {
  return byKey.has(key);
}

export function settingOf<K extends SettingKey>(key: K): Extract<Declared, { key: K }> {
  return byKey.get(key) as Extract<Declared, { key: K }>;
}

/** What a new database is seeded with. */
export function seededSettings(): Record<SettingKey, string | null> {
  return Object.fromEntries(settings.map((setting) => [setting.key, setting.seeded()])) as Record<SettingKey, string | null>;
}

/** "silence threshold (silence_threshold_dB)": how a message names a setting. */
export function nameOf(setting: Setting): string {
  return `${setting.label} (${setting.key})`;
}

function readOne(rows: SettingRows, setting: Declared): unknown {
  const raw = rows.get(setting.key) ?? null;
  if (raw === null) return setting.defaultValue();
  const value = setting.parse(raw);
  if (value !== undefined) return value;
  const fallback = setting.defaultValue();
  process.emitWarning(`settings: ${nameOf(setting)} must be ${setting.rule()}, got \`${raw}\`; using ${JSON.stringify(fallback)}`);
  return fallback;
}

/**
 * The settings as the import and the queues use them: a stored value the rule takes, else the
 * default (a NULL silently; an unusable value, stored by another service or an older release,
 * with a warning naming the setting, the rule and the value).
 */
export function readSettings(rows: SettingRows): SettingValues {
  return Object.fromEntries(settings.map((setting) => [setting.key, readOne(rows, setting)])) as SettingValues;
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
    const setting = settingOf(key);
    const text = setting.normalise(value);
    if (text === undefined) problems.push(`${nameOf(setting)} must be ${setting.rule()}, got \`${JSON.stringify(value)}\``);
    else values.set(key, text);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

/** The JSON schema of one setting's value in a write: its type (bounds are the check's, with the label in the message). */
export function valueSchema(setting: Setting): object {
  switch (setting.type) {
    case 'integer':
    case 'number':
      // A number, or its text as stored; null asks for a default worked out on the machine.
      return { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 40 }, ...(setting.defaultText === null ? [] : [{ type: 'null' }])] };
    case 'boolean':
      return { anyOf: [{ type: 'boolean' }, { type: 'string', maxLength: 5 }] };
    case 'text':
      return { anyOf: [{ type: 'string', maxLength: 400 }, { type: 'null' }] };
    case 'url':
      return { type: 'string', maxLength: 2000 };
    case 'folders':
      return { type: 'string', maxLength: 65_536 };
  }
}

/** A setting as the settings page and `GET /api/settings/fields` describe it, numbers in the unit people read. */
export interface SettingField {
  key: SettingKey;
  group: SettingGroup;
  label: string;
  help: string;
  type: SettingType;
  secret: boolean;
  env: string | null;
  /** The unit shown, and how many of it one stored unit is (ticks: 1/28,224,000 s). */
  unit: string | null;
  perStored: number;
  min: number | null;
  max: number | null;
  /** The default as stored text; what it is in words when it depends on the machine. */
  default: string | null;
  defaultText: string | null;
  maxText: string | null;
}

export function settingFields(): SettingField[] {
  return settings.map((setting: Declared) => {
    const shown = setting.unit === null ? null : shownUnits[setting.unit];
    const bounds = setting.bounds();
    const fallback = setting.defaultValue();
    return {
      key: setting.key, group: setting.group, label: setting.label, help: setting.help, type: setting.type, secret: setting.secret, env: setting.env,
      unit: shown?.unit ?? null, perStored: shown?.perStored ?? 1, min: bounds?.min ?? null, max: bounds?.max ?? null,
      default: fallback === null ? null : typeof fallback === 'string' ? fallback : JSON.stringify(fallback),
      defaultText: setting.defaultText, maxText: setting.maxText,
    };
  });
}
