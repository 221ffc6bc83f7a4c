/**
 * What a database made by wkmp-ai 0.1 needs before it can be shared with the other WKMP services
 * (docs/adr/0004-sharing-wkmp-db.md). Each move is detected from the file itself, runs in its own
 * immediate transaction, and does nothing on a file that does not need it:
 *
 * - wkmp-ai 0.1 kept its migrations in WKMP's `schema_version`, with a `name` column WKMP's
 *   start-up does not fill (its insert failed) and numbers WKMP reads as its own: the rows move
 *   to `wkmp_ai_schema_version` and the table is dropped, for WKMP's start-up to create as it wants.
 * - its `acoustid_cache` had a shape of its own under WKMP's name; it was never written (0.1 did
 *   not identify), so it is dropped and created again in WKMP's shape, or set aside if someone did.
 * - its `passages` allowed three fade curves at each end where WKMP allows five: the table is
 *   rebuilt with WKMP's checks (SQLite cannot change a check in place), rows and indexes kept.
 */
import type { WriteDb } from '../connection.js';
import { listColumns } from '../ensure-schema.js';
import { ownVersionTable, createTableSql } from '../schema.js';

export function repairSharedSchema(db: WriteDb): void {
  moveOwnVersions(db);
  setAsideOwnAcoustidCache(db);
  widenFadeCurves(db);
}

function moveOwnVersions(db: WriteDb): void {
  if (!listColumns(db, 'schema_version').has('name')) return;
  db.transaction(() => {
    if (!listColumns(db, 'schema_version').has('name')) return;
    db.exec(createTableSql(ownVersionTable));
    db.exec(`INSERT OR IGNORE INTO ${ownVersionTable.name} (version, name, applied_at) SELECT version, name, applied_at FROM schema_version`);
    db.exec('DROP TABLE schema_version');
  }).immediate();
}

function setAsideOwnAcoustidCache(db: WriteDb): void {
  const isOwn = () => listColumns(db, 'acoustid_cache').has('fingerprint') && !listColumns(db, 'acoustid_cache').has('fingerprint_hash');
  if (!isOwn()) return;
  db.transaction(() => {
    if (!isOwn()) return;
    const empty = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM acoustid_cache) AS empty').get() as { empty: number };
    db.exec(empty.empty ? 'DROP TABLE acoustid_cache' : 'ALTER TABLE acoustid_cache RENAME TO acoustid_cache_wkmp_ai_0_1');
  }).immediate();
}

/** The checks wkmp-ai 0.1 wrote, and WKMP's. */
const narrowChecks: readonly [string, string][] = [
  ["fade_in_curve IN ('exponential', 'cosine', 'linear')", "fade_in_curve IN ('exponential', 'cosine', 'linear', 'logarithmic', 'equal_power')"],
  ["fade_out_curve IN ('logarithmic', 'cosine', 'linear')", "fade_out_curve IN ('exponential', 'cosine', 'linear', 'logarithmic', 'equal_power')"],
];

function passagesSql(db: WriteDb): string | null {
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'passages'").get() as { sql: string } | undefined;
  return row?.sql ?? null;
}

/**
 * SQLite's way to change a table's constraints: a new table with the new definition, the rows
 * copied, the old one dropped and the new one renamed, with foreign keys off so that dropping it
 * cascades nowhere, and checked before the commit.
 */
function widenFadeCurves(db: WriteDb): void {
  const isNarrow = () => narrowChecks.some(([narrow]) => passagesSql(db)?.includes(narrow) ?? false);
  if (!isNarrow()) return;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      if (!isNarrow()) return;
      const sql = narrowChecks.reduce((text, [narrow, wide]) => text.replace(narrow, wide), passagesSql(db)!);
      const indexes = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'passages' AND sql IS NOT NULL").all() as { sql: string }[];
      db.exec(sql.replace(/^CREATE TABLE "?passages"?/, 'CREATE TABLE passages_widened'));
      db.exec('INSERT INTO passages_widened SELECT * FROM passages');
      db.exec('DROP TABLE passages');
      db.exec('ALTER TABLE passages_widened RENAME TO passages');
      for (const index of indexes) db.exec(index.sql);
      const broken = db.pragma('foreign_key_check');
      if (Array.isArray(broken) && broken.length > 0) throw new Error(`widening the fade curves of passages would break ${broken.length} references`);
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
