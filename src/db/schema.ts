/**
 * The tables wkmp-ai needs in the shared wkmp.db, declared once: what a fresh database is created
 * with, and what an existing one (made by another WKMP service, or by an older wkmp-ai) is checked
 * against and completed with, as WKMP's own start-up does: create what is missing, add missing
 * columns, never drop or rebuild anything (docs/schema.md, docs/adr/0004-sharing-wkmp-db.md).
 *
 * Shapes follow WKMP's shared start-up (wkmp-common) where it defines the table, with its column
 * names, types and defaults, and checks no narrower than its own; the columns that start-up adds
 * to files, passages and songs are created here too, so that neither side has to alter the other's
 * tables. `schema_version` is WKMP's and not touched; wkmp-ai's own bookkeeping is in tables of its
 * own (`wkmp_ai_schema_version`, `import_errors`).
 */

export interface Column {
  name: string;
  /** Declared type, as WKMP's start-up declares it. */
  type: string;
  primaryKey?: boolean;
  notNull?: boolean;
  unique?: boolean;
  /** An SQL expression; a function call in parentheses. */
  default?: string;
  check?: string;
  references?: string;
}

export interface Table {
  name: string;
  columns: readonly Column[];
  /** Table constraints after the columns: composite keys, checks across columns. */
  constraints?: readonly string[];
  indexes?: readonly { name: string; columns: readonly string[] }[];
}

const text = (name: string, more: Omit<Column, 'name' | 'type'> = {}): Column => ({ name, type: 'TEXT', ...more });
const integer = (name: string, more: Omit<Column, 'name' | 'type'> = {}): Column => ({ name, type: 'INTEGER', ...more });
const real = (name: string, more: Omit<Column, 'name' | 'type'> = {}): Column => ({ name, type: 'REAL', ...more });
const timestamp = (name: string, more: Omit<Column, 'name' | 'type'> = {}): Column => ({ name, type: 'TIMESTAMP', ...more });
const key = (name: string): Column => text(name, { primaryKey: true });
const createdAt = timestamp('created_at', { notNull: true, default: 'CURRENT_TIMESTAMP' });
const updatedAt = timestamp('updated_at', { notNull: true, default: 'CURRENT_TIMESTAMP' });
/** A time within the passage, or none. */
const pointIn = (name: string): Column => integer(name, { check: `${name} IS NULL OR ${name} BETWEEN start_time_ticks AND end_time_ticks` });
/** Every fade curve a WKMP service may write, for both ends. */
const fadeCurve = (name: string): Column =>
  text(name, { check: `${name} IS NULL OR ${name} IN ('exponential', 'cosine', 'linear', 'logarithmic', 'equal_power')` });
const probability = real('base_probability', { notNull: true, default: '1.0', check: 'base_probability BETWEEN 0 AND 1000' });
const cooldown = (name: string, seconds: number): Column => integer(name, { notNull: true, default: String(seconds), check: `${name} >= 0` });

const files: Table = {
  name: 'files',
  columns: [
    key('guid'),
    text('path', { notNull: true, unique: true }),
    text('hash', { notNull: true }),
    timestamp('modification_time', { notNull: true }),
    integer('file_size_bytes', { check: 'file_size_bytes IS NULL OR file_size_bytes >= 0' }),
    integer('duration_ticks', { check: 'duration_ticks IS NULL OR duration_ticks > 0' }),
    text('format'),
    integer('sample_rate', { check: 'sample_rate IS NULL OR sample_rate > 0' }),
    integer('channels', { check: 'channels IS NULL OR channels > 0' }),
    text('status', { default: "'PENDING'", check: "status IS NULL OR status IN ('PENDING', 'INGEST COMPLETE', 'DUPLICATE HASH', 'NO AUDIO')" }),
    text('matching_hashes'),
    text('artist'),
    text('title'),
    text('album'),
    integer('track_number'),
    integer('year'),
    createdAt,
    updatedAt,
    // wkmp-ai's own: a file gone from disk is marked, never deleted; how far and by which rules it was analysed.
    text('missing_since'),
    text('analysis', { notNull: true, default: "'tags'", check: "analysis IN ('tags', 'full')" }),
    integer('analysis_version', { notNull: true, default: '1' }),
    text('cue_signature'),
    text('codec'),
    // wkmp-ai's own, for a file's identity across moves and retags (docs/adr/0007): where it lives on
    // disk (st_dev, st_ino) and the hash of its audio without the tag blocks a tag editor rewrites.
    integer('device_id'),
    integer('inode'),
    text('audio_hash'),
    // A missing file whose passages another encoding of the same recording took over: retired, kept.
    text('superseded_by'),
  ],
  indexes: [{ name: 'idx_files_hash', columns: ['hash'] }, { name: 'idx_files_missing_since', columns: ['missing_since'] }],
};

/** Columns WKMP's start-up adds to passages for its own importer's provenance; wkmp-ai writes none of them. */
const passageProvenance: Column[] = [
  text('recording_mbid'),
  text('song_id'),
  integer('start_ticks'),
  integer('end_ticks'),
  text('flavor_source_blend'),
  text('flavor_confidence_map'),
  real('flavor_completeness'),
  ...['title', 'artist', 'album', 'mbid'].flatMap((field) => [text(`${field}_source`), real(`${field}_confidence`)]),
  real('identity_confidence'),
  real('identity_posterior_probability'),
  text('identity_conflicts'),
  real('overall_quality_score'),
  real('metadata_completeness'),
  text('validation_status'),
  text('validation_report'),
  text('validation_issues'),
  text('import_session_id'),
  timestamp('import_timestamp'),
  text('import_strategy'),
];

const passages: Table = {
  name: 'passages',
  columns: [
    key('guid'),
    text('file_id', { notNull: true, references: 'files(guid) ON DELETE CASCADE' }),
    integer('start_time_ticks', { notNull: true, default: '0', check: 'start_time_ticks >= 0' }),
    integer('end_time_ticks', { notNull: true }),
    pointIn('fade_in_start_ticks'),
    pointIn('lead_in_start_ticks'),
    pointIn('lead_out_start_ticks'),
    pointIn('fade_out_start_ticks'),
    fadeCurve('fade_in_curve'),
    fadeCurve('fade_out_curve'),
    text('title'),
    text('user_title'),
    text('artist'),
    text('album'),
    text('musical_flavor_vector'),
    text('import_metadata'),
    text('additional_metadata'),
    // Written by the player when it cannot decode the passage; WKMP's start-up indexes it.
    text('decode_status', { default: "'pending'", check: "decode_status IS NULL OR decode_status IN ('pending', 'successful', 'unsupported_codec', 'failed')" }),
    text('status', { default: "'PENDING'", check: "status IS NULL OR status IN ('PENDING', 'INGEST COMPLETE')" }),
    ...passageProvenance,
    createdAt,
    updatedAt,
  ],
  constraints: [
    'CHECK (end_time_ticks > start_time_ticks)',
    'CHECK (fade_in_start_ticks IS NULL OR fade_out_start_ticks IS NULL OR fade_in_start_ticks <= fade_out_start_ticks)',
    'CHECK (lead_in_start_ticks IS NULL OR lead_out_start_ticks IS NULL OR lead_in_start_ticks <= lead_out_start_ticks)',
  ],
  indexes: [
    { name: 'idx_passages_file_id', columns: ['file_id'] },
    { name: 'idx_passages_title', columns: ['title'] },
    { name: 'idx_passages_decode_status', columns: ['decode_status'] },
  ],
};

const works: Table = {
  name: 'works',
  columns: [
    key('guid'), text('work_mbid', { notNull: true, unique: true }), text('title', { notNull: true }),
    probability, cooldown('min_cooldown', 259_200), cooldown('ramping_cooldown', 604_800), timestamp('last_played_at'), createdAt, updatedAt,
  ],
};

const songs: Table = {
  name: 'songs',
  columns: [
    key('guid'),
    text('recording_mbid', { notNull: true, unique: true }),
    // The work's guid; no foreign key, as in WKMP's start-up (another service may hold other ids here).
    text('work_id'),
    text('related_songs'),
    text('lyrics'),
    probability,
    cooldown('min_cooldown', 604_800),
    cooldown('ramping_cooldown', 1_209_600),
    timestamp('last_played_at'),
    text('title'),
    text('status', { default: "'PENDING'", check: "status IS NULL OR status IN ('PENDING', 'FLAVOR READY', 'FLAVORING FAILED')" }),
    text('artist_name'),
    text('flavor_vector'),
    text('flavor_source_blend'),
    createdAt,
    updatedAt,
  ],
};

const artists: Table = {
  name: 'artists',
  columns: [
    key('guid'), text('artist_mbid', { notNull: true, unique: true }), text('name', { notNull: true }),
    probability, cooldown('min_cooldown', 7200), cooldown('ramping_cooldown', 14_400), timestamp('last_played_at'), createdAt, updatedAt,
  ],
};

const albums: Table = {
  name: 'albums',
  columns: [key('guid'), text('album_mbid', { notNull: true, unique: true }), text('title', { notNull: true }), text('release_date'), createdAt, updatedAt],
};

/** A link table: two references, and when it was made. */
function link(name: string, left: [string, string], right: [string, string], more: Column[] = [], constraints: string[] = []): Table {
  return {
    name,
    columns: [
      text(left[0], { notNull: true, references: `${left[1]}(guid) ON DELETE CASCADE` }),
      text(right[0], { notNull: true, references: `${right[1]}(guid) ON DELETE CASCADE` }),
      ...more,
      createdAt,
    ],
    constraints: [`PRIMARY KEY (${left[0]}, ${right[0]})`, ...constraints],
    indexes: [{ name: `idx_${name}_${right[1].replace(/s$/, '')}`, columns: [right[0]] }],
  };
}

const passageSongs = link('passage_songs', ['passage_id', 'passages'], ['song_id', 'songs'], [
  integer('start_time_ticks', { notNull: true, check: 'start_time_ticks >= 0' }),
  integer('end_time_ticks', { notNull: true }),
], ['CHECK (end_time_ticks > start_time_ticks)']);
const songArtists = link('song_artists', ['song_id', 'songs'], ['artist_id', 'artists'], [
  real('weight', { notNull: true, check: 'weight > 0 AND weight <= 1' }),
]);
const passageAlbums = link('passage_albums', ['passage_id', 'passages'], ['album_id', 'albums']);
const songWorks = link('song_works', ['song_id', 'songs'], ['work_id', 'works']);

const importSessions: Table = {
  name: 'import_sessions',
  columns: [
    key('session_id'),
    text('state', { notNull: true }),
    text('root_folder', { notNull: true }),
    text('parameters'),
    // WKMP's start-up declares these NOT NULL without a default: wkmp-ai writes every one of them.
    integer('progress_current', { notNull: true, default: '0' }),
    integer('progress_total', { notNull: true, default: '0' }),
    real('progress_percentage', { notNull: true, default: '0' }),
    text('current_operation'),
    text('errors'),
    text('started_at', { notNull: true, default: 'CURRENT_TIMESTAMP' }),
    text('ended_at'),
    // wkmp-ai's own: the folder imported, the process running it, its counts and write-path figures.
    integer('files_total', { notNull: true, default: '0' }),
    integer('files_processed', { notNull: true, default: '0' }),
    text('folder'),
    integer('owner_pid'),
    text('counts'),
    text('metrics'),
    text('updated_at'),
  ],
  indexes: [
    { name: 'idx_import_sessions_state', columns: ['state'] },
    // GET /import/sessions: the latest first, paged by (started_at, session_id).
    { name: 'idx_import_sessions_started', columns: ['started_at', 'session_id'] },
  ],
};

const settings: Table = {
  name: 'settings',
  columns: [key('key'), text('value'), timestamp('updated_at', { notNull: true, default: 'CURRENT_TIMESTAMP' })],
};

/** WKMP's shape (its start-up creates it so): a recording per fingerprint hash. wkmp-ai keeps AcoustID's replies in a table of its own. */
const acoustidCache: Table = {
  name: 'acoustid_cache',
  columns: [text('fingerprint_hash', { primaryKey: true }), text('mbid', { notNull: true }), text('cached_at', { notNull: true, default: "(datetime('now'))" })],
  constraints: ['CHECK (length(fingerprint_hash) = 64)'],
  indexes: [{ name: 'idx_acoustid_cache_cached_at', columns: ['cached_at'] }],
};

const musicbrainzCache: Table = {
  name: 'musicbrainz_cache',
  columns: [
    text('mbid', { notNull: true }),
    text('entity_type', { notNull: true, check: "entity_type IN ('recording', 'release', 'artist', 'work')" }),
    text('json', { notNull: true }),
    text('cached_at', { notNull: true, default: 'CURRENT_TIMESTAMP' }),
  ],
  constraints: ['PRIMARY KEY (mbid, entity_type)'],
};

/**
 * WKMP's shape (IMPL001 "External API Caching"; upstream's start-up documents it and does not create
 * it): AcousticBrainz's high-level documents of a recording, every submission, by offset, as its API
 * or its dumps give them (`{"0": {highlevel, metadata}, …}`; `{}` for a recording it does not know).
 * AcousticBrainz takes no new submissions since 2022: what it said does not change.
 */
const acousticbrainzCache: Table = {
  name: 'acousticbrainz_cache',
  columns: [text('recording_mbid', { primaryKey: true }), text('high_level_data', { notNull: true }), timestamp('cached_at', { notNull: true, default: 'CURRENT_TIMESTAMP' })],
  indexes: [{ name: 'idx_acousticbrainz_mbid', columns: ['recording_mbid'] }],
};

const importErrors: Table = {
  name: 'import_errors',
  columns: [
    integer('id', { primaryKey: true }),
    text('session_id', { notNull: true, references: 'import_sessions(session_id) ON DELETE CASCADE' }),
    text('path', { notNull: true }),
    text('phase', { notNull: true }),
    text('code', { notNull: true }),
    text('message', { notNull: true }),
    text('created_at', { notNull: true, default: 'CURRENT_TIMESTAMP' }),
  ],
  indexes: [{ name: 'idx_import_errors_session', columns: ['session_id'] }],
};

/**
 * wkmp-ai's own: the files of the library that are not audio (images, texts, cue sheets), by path,
 * size and modification time, so that a rescan skips an unchanged one without opening it.
 */
const otherFiles: Table = {
  name: 'wkmp_ai_other_files',
  columns: [
    text('path', { primaryKey: true }),
    integer('file_size_bytes', { notNull: true }),
    text('modification_time', { notNull: true }),
    text('class', { notNull: true, check: "class IN ('image', 'video', 'other')" }),
  ],
};

/**
 * wkmp-ai's own: the identification queue (identify/queue.ts), one job per passage of 10 s or more
 * that has a fingerprint and no recording. `waiting` jobs are due at `next_attempt_at` (NULL: now);
 * `done` wrote the song, `no-match` kept the candidates for review, `failed` gave up after the
 * last attempt. The AcoustID id is kept even when it links no recording.
 */
const identificationJobs: Table = {
  name: 'wkmp_ai_identification_jobs',
  columns: [
    text('passage_id', { primaryKey: true, references: 'passages(guid) ON DELETE CASCADE' }),
    text('state', { notNull: true, default: "'waiting'", check: "state IN ('waiting', 'done', 'no-match', 'failed')" }),
    integer('attempts', { notNull: true, default: '0' }),
    text('next_attempt_at'),
    text('last_error'),
    text('acoustid_id'),
    text('recording_mbid'),
    text('release_mbid'),
    real('confidence'),
    text('candidates'),
    text('updated_at', { notNull: true, default: 'CURRENT_TIMESTAMP' }),
  ],
  indexes: [{ name: 'idx_wkmp_ai_identification_jobs_state', columns: ['state', 'next_attempt_at'] }],
};

/** wkmp-ai's own: AcoustID's whole reply for a fingerprint (SHA-256 of its text) and duration (whole seconds, as sent). */
const acoustidReplies: Table = {
  name: 'wkmp_ai_acoustid_replies',
  columns: [
    text('fingerprint_sha256', { notNull: true }),
    integer('duration_seconds', { notNull: true }),
    text('json', { notNull: true }),
    text('cached_at', { notNull: true, default: 'CURRENT_TIMESTAMP' }),
  ],
  constraints: ['PRIMARY KEY (fingerprint_sha256, duration_seconds)'],
};

/**
 * wkmp-ai's own: a file found to hold a whole release (identify/release-tracks.ts), with the
 * release's tracks as a cue sheet (JSON) for the next import to cut it by, while its content is
 * the one it was planned for (`file_hash`). A cue sheet beside the file wins.
 */
const releasePlans: Table = {
  name: 'wkmp_ai_release_plans',
  columns: [
    text('file_id', { primaryKey: true, references: 'files(guid) ON DELETE CASCADE' }),
    text('file_hash', { notNull: true }),
    text('release_mbid', { notNull: true }),
    text('sheet', { notNull: true }),
    text('created_at', { notNull: true, default: 'CURRENT_TIMESTAMP' }),
  ],
};

/**
 * wkmp-ai's own: the AcousticBrainz queue's retries (flavoring/queue.ts), one row per recording
 * whose request failed (the service erred, or answered nothing in time). The recordings waiting are
 * the songs' recordings with no row in `acousticbrainz_cache`; a row here holds one back until
 * `next_attempt_at`, or for good once `failed` (after the last attempt). It goes once the
 * recording's documents are stored.
 */
const flavorJobs: Table = {
  name: 'wkmp_ai_flavor_jobs',
  columns: [
    text('recording_mbid', { primaryKey: true }),
    text('state', { notNull: true, default: "'waiting'", check: "state IN ('waiting', 'failed')" }),
    integer('attempts', { notNull: true, default: '0' }),
    text('next_attempt_at'),
    text('last_error'),
    text('updated_at', { notNull: true, default: 'CURRENT_TIMESTAMP' }),
  ],
};

/**
 * wkmp-ai's own: who runs each background queue of this database (the identification queue, and any
 * later one), so that one process does, whichever started it: the holder's host, pid and what it
 * is (`wkmp-ai serve`, `wkmp-ai identify`), a token only it knows, and its heartbeat (epoch ms). A
 * holder whose heartbeat is stale, or whose process on this host is gone, is taken over (db/leases.ts).
 */
const leases: Table = {
  name: 'wkmp_ai_leases',
  columns: [
    text('name', { primaryKey: true }),
    text('holder_host', { notNull: true }),
    integer('holder_pid', { notNull: true }),
    text('holder_label', { notNull: true }),
    text('token', { notNull: true }),
    integer('acquired_at_ms', { notNull: true }),
    integer('heartbeat_at_ms', { notNull: true }),
  ],
};

/**
 * wkmp-ai's own: when the next request to each external service (by its base URL) may start, in
 * epoch ms, booked by every process on this database, so that together they keep the service's
 * pace (db/request-pace.ts).
 */
const requestPace: Table = {
  name: 'wkmp_ai_request_pace',
  columns: [text('service', { primaryKey: true }), integer('next_start_ms', { notNull: true })],
};

/** wkmp-ai's migrations; WKMP's `schema_version` is the shared start-up's alone. */
export const ownVersionTable: Table = {
  name: 'wkmp_ai_schema_version',
  columns: [integer('version', { primaryKey: true }), text('name', { notNull: true }), text('applied_at', { notNull: true, default: 'CURRENT_TIMESTAMP' })],
};

/** In the order they are created: a table after those it references. */
export const tables: readonly Table[] = [
  files, passages, works, songs, artists, albums, passageSongs, songArtists, passageAlbums, songWorks,
  importSessions, settings, acoustidCache, musicbrainzCache, acousticbrainzCache, importErrors, otherFiles, identificationJobs, acoustidReplies, releasePlans,
  flavorJobs, leases, requestPace, ownVersionTable,
];

function columnSql(column: Column): string {
  return [
    column.name, column.type,
    column.primaryKey ? 'PRIMARY KEY' : '',
    column.notNull ? 'NOT NULL' : '',
    column.unique ? 'UNIQUE' : '',
    column.default === undefined ? '' : `DEFAULT ${column.default}`,
    column.check === undefined ? '' : `CHECK (${column.check})`,
    column.references === undefined ? '' : `REFERENCES ${column.references}`,
  ].filter((part) => part !== '').join(' ');
}

export function createTableSql(table: Table): string {
  const lines = [...table.columns.map(columnSql), ...(table.constraints ?? [])];
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n  ${lines.join(',\n  ')}\n)`;
}

export function createIndexesSql(table: Table): string[] {
  return (table.indexes ?? []).map((index) => `CREATE INDEX IF NOT EXISTS ${index.name} ON ${table.name}(${index.columns.join(', ')})`);
}

/** A default SQLite cannot give rows that already exist: one computed when the row is written. */
function isConstant(expression: string): boolean {
  return !/CURRENT_|\(/i.test(expression);
}

/**
 * The column as `ALTER TABLE … ADD COLUMN` can add it to a table that has rows, or null when it
 * cannot be added (a key: the table is unusable without it). As WKMP's start-up does it: a
 * default computed per row is dropped, and a NOT NULL column without a constant default is added
 * nullable; checks and references stay.
 */
export function addColumnSql(table: Table, column: Column): string | null {
  if (column.primaryKey || column.unique) return null;
  const constantDefault = column.default !== undefined && isConstant(column.default);
  return `ALTER TABLE ${table.name} ADD COLUMN ${columnSql({
    ...column,
    notNull: column.notNull === true && constantDefault,
    default: constantDefault ? column.default : undefined,
  })}`;
}
