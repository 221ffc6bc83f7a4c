/**
 * The WKMP schema as WKMP.md fixes it: the tables every WKMP service shares. Nothing here is
 * specific to wkmp-ai; what the importer adds for itself is in the next migration.
 */
export const wkmpSchema = `
CREATE TABLE IF NOT EXISTS files (
  guid TEXT PRIMARY KEY,
  path TEXT NOT NULL UNIQUE, -- the UNIQUE constraint is WKMP's index on path
  hash TEXT NOT NULL,
  modification_time TEXT NOT NULL,
  file_size_bytes INTEGER,
  duration_ticks INTEGER CHECK (duration_ticks IS NULL OR duration_ticks > 0),
  format TEXT,
  sample_rate INTEGER,
  channels INTEGER,
  status TEXT NOT NULL DEFAULT 'PENDING'
    CHECK (status IN ('PENDING', 'INGEST COMPLETE', 'DUPLICATE HASH', 'NO AUDIO')),
  matching_hashes TEXT,
  artist TEXT,
  title TEXT,
  album TEXT,
  track_number INTEGER,
  year INTEGER,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_files_hash ON files(hash);

CREATE TABLE IF NOT EXISTS passages (
  guid TEXT PRIMARY KEY,
  file_id TEXT NOT NULL REFERENCES files(guid) ON DELETE CASCADE,
  start_time_ticks INTEGER NOT NULL CHECK (start_time_ticks >= 0),
  end_time_ticks INTEGER NOT NULL CHECK (end_time_ticks > start_time_ticks),
  fade_in_start_ticks INTEGER
    CHECK (fade_in_start_ticks IS NULL OR fade_in_start_ticks BETWEEN start_time_ticks AND end_time_ticks),
  lead_in_start_ticks INTEGER
    CHECK (lead_in_start_ticks IS NULL OR lead_in_start_ticks BETWEEN start_time_ticks AND end_time_ticks),
  lead_out_start_ticks INTEGER
    CHECK (lead_out_start_ticks IS NULL OR lead_out_start_ticks BETWEEN start_time_ticks AND end_time_ticks),
  fade_out_start_ticks INTEGER
    CHECK (fade_out_start_ticks IS NULL OR fade_out_start_ticks BETWEEN start_time_ticks AND end_time_ticks),
  fade_in_curve TEXT CHECK (fade_in_curve IS NULL OR fade_in_curve IN ('exponential', 'cosine', 'linear')),
  fade_out_curve TEXT CHECK (fade_out_curve IS NULL OR fade_out_curve IN ('logarithmic', 'cosine', 'linear')),
  title TEXT,
  user_title TEXT,
  artist TEXT,
  album TEXT,
  musical_flavor_vector TEXT,
  import_metadata TEXT,
  additional_metadata TEXT,
  status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'INGEST COMPLETE')),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CHECK (fade_in_start_ticks IS NULL OR fade_out_start_ticks IS NULL OR fade_in_start_ticks <= fade_out_start_ticks),
  CHECK (lead_in_start_ticks IS NULL OR lead_out_start_ticks IS NULL OR lead_in_start_ticks <= lead_out_start_ticks)
);
CREATE INDEX IF NOT EXISTS idx_passages_file_id ON passages(file_id);
CREATE INDEX IF NOT EXISTS idx_passages_title ON passages(title);

CREATE TABLE IF NOT EXISTS works (
  guid TEXT PRIMARY KEY,
  work_mbid TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  base_probability REAL NOT NULL DEFAULT 1.0 CHECK (base_probability BETWEEN 0 AND 1000),
  min_cooldown INTEGER NOT NULL DEFAULT 259200,
  ramping_cooldown INTEGER NOT NULL DEFAULT 604800,
  last_played_at TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS songs (
  guid TEXT PRIMARY KEY,
  recording_mbid TEXT NOT NULL UNIQUE,
  work_id TEXT REFERENCES works(guid) ON DELETE SET NULL,
  related_songs TEXT,
  lyrics TEXT,
  base_probability REAL NOT NULL DEFAULT 1.0 CHECK (base_probability BETWEEN 0 AND 1000),
  min_cooldown INTEGER NOT NULL DEFAULT 604800,
  ramping_cooldown INTEGER NOT NULL DEFAULT 1209600,
  last_played_at TEXT,
  title TEXT,
  status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'FLAVOR READY', 'FLAVORING FAILED')),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS artists (
  guid TEXT PRIMARY KEY,
  artist_mbid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  base_probability REAL NOT NULL DEFAULT 1.0 CHECK (base_probability BETWEEN 0 AND 1000),
  min_cooldown INTEGER NOT NULL DEFAULT 7200,
  ramping_cooldown INTEGER NOT NULL DEFAULT 14400,
  last_played_at TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS albums (
  guid TEXT PRIMARY KEY,
  album_mbid TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  release_date TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS passage_songs (
  passage_id TEXT NOT NULL REFERENCES passages(guid) ON DELETE CASCADE,
  song_id TEXT NOT NULL REFERENCES songs(guid) ON DELETE CASCADE,
  start_time_ticks INTEGER NOT NULL CHECK (start_time_ticks >= 0),
  end_time_ticks INTEGER NOT NULL CHECK (end_time_ticks > start_time_ticks),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (passage_id, song_id)
);
CREATE INDEX IF NOT EXISTS idx_passage_songs_song ON passage_songs(song_id);

CREATE TABLE IF NOT EXISTS song_artists (
  song_id TEXT NOT NULL REFERENCES songs(guid) ON DELETE CASCADE,
  artist_id TEXT NOT NULL REFERENCES artists(guid) ON DELETE CASCADE,
  weight REAL NOT NULL CHECK (weight > 0 AND weight <= 1),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (song_id, artist_id)
);
CREATE INDEX IF NOT EXISTS idx_song_artists_artist ON song_artists(artist_id);

CREATE TABLE IF NOT EXISTS passage_albums (
  passage_id TEXT NOT NULL REFERENCES passages(guid) ON DELETE CASCADE,
  album_id TEXT NOT NULL REFERENCES albums(guid) ON DELETE CASCADE,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (passage_id, album_id)
);
CREATE INDEX IF NOT EXISTS idx_passage_albums_album ON passage_albums(album_id);

CREATE TABLE IF NOT EXISTS song_works (
  song_id TEXT NOT NULL REFERENCES songs(guid) ON DELETE CASCADE,
  work_id TEXT NOT NULL REFERENCES works(guid) ON DELETE CASCADE,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (song_id, work_id)
);
CREATE INDEX IF NOT EXISTS idx_song_works_work ON song_works(work_id);

CREATE TABLE IF NOT EXISTS import_sessions (
  session_id TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('SCANNING', 'PROCESSING', 'COMPLETED', 'CANCELLED', 'FAILED')),
  root_folder TEXT NOT NULL,
  parameters TEXT,
  files_total INTEGER NOT NULL DEFAULT 0,
  files_processed INTEGER NOT NULL DEFAULT 0,
  current_operation TEXT,
  errors TEXT,
  started_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  ended_at TEXT
);

CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value TEXT
);

CREATE TABLE IF NOT EXISTS acoustid_cache (
  fingerprint TEXT PRIMARY KEY,
  recording_mbid TEXT,
  score REAL,
  cached_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS musicbrainz_cache (
  mbid TEXT NOT NULL,
  entity_type TEXT NOT NULL CHECK (entity_type IN ('recording', 'release', 'artist', 'work')),
  json TEXT NOT NULL,
  cached_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (mbid, entity_type)
);
`;
