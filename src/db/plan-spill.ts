/**
 * Where an import keeps what its plan finds between its walk and its workers: a private, temporary
 * SQLite database (not wkmp.db; SQLite deletes its file when it is closed, or when the process
 * dies, as it unlinks it at once). A first import of a million files plans a million; a share that
 * went away leaves a million absent; held in the heap either would cost more than everything else
 * together, while here only SQLite's page cache (2 MB) is held and the rest waits on disk. A small
 * import never leaves the cache.
 *
 * It holds the files to analyse, in the order planned; the known files found absent (looked up by
 * where they lived on disk and by size when a new path may be one of them, each taken once); and
 * the unchanged files back from missing and the other files gone, to be written in chunks.
 */
import Database from 'better-sqlite3';
import type { KnownFileIdentity } from './queries/files.js';

/** A planned file as it waits: `value` is stored as JSON. */
export interface SpilledFile<T> {
  seq: number;
  value: T;
}

/** What a presence row says: newly missing and restored audio files (guids), other files gone (paths). */
export type PresenceKind = 'missing' | 'restored' | 'gone';

/** Where an absent file comes from: the folders walked (`here`), or marked missing before elsewhere. */
export type AbsentOrigin = 'here' | 'elsewhere';

const SCHEMA = `
CREATE TABLE planned (
  seq INTEGER PRIMARY KEY,
  -- A path wkmp.db does not know: paired with the absent files once the walk is done.
  unknown INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX planned_unknown ON planned(unknown, seq);
CREATE TABLE absent (
  seq INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  here INTEGER NOT NULL,
  device INTEGER,
  inode INTEGER,
  size INTEGER,
  hashed INTEGER NOT NULL,
  -- Moved here unopened, or offered to one new path to check by content: never offered to another.
  taken INTEGER NOT NULL DEFAULT 0,
  moved INTEGER NOT NULL DEFAULT 0,
  value TEXT NOT NULL
);
CREATE INDEX absent_place ON absent(device, inode);
CREATE INDEX absent_size ON absent(size) WHERE hashed = 1;
CREATE TABLE presence (
  seq INTEGER PRIMARY KEY,
  -- 'missing': an audio file's guid, newly missing; 'restored': an unchanged one's, back from missing; 'gone': a remembered other file's path.
  kind TEXT NOT NULL,
  key TEXT NOT NULL
);`;

/** What an import's plan keeps on disk until it is used, a page at a time. */
export class PlanSpill<T> {
  private readonly db = new Database('');
  private readonly statements;

  constructor() {
    this.db.exec(SCHEMA);
    const prepare = (sql: string) => this.db.prepare(sql);
    this.statements = {
      insert: prepare('INSERT INTO planned (unknown, value) VALUES (?, ?)'),
      update: prepare('UPDATE planned SET unknown = 0, value = ? WHERE seq = ?'),
      remove: prepare('DELETE FROM planned WHERE seq = ?'),
      pageAfter: prepare('SELECT seq, value FROM planned WHERE seq > ? ORDER BY seq LIMIT ?').raw(true),
      unknownAfter: prepare('SELECT seq, value FROM planned WHERE unknown = 1 AND seq > ? ORDER BY seq LIMIT ?').raw(true),
      insertAbsent: prepare(`INSERT OR IGNORE INTO absent (guid, here, device, inode, size, hashed, value)
        VALUES (@guid, @here, @device, @inode, @size, @hashed, @value)`),
      atPlace: prepare('SELECT value FROM absent WHERE device = ? AND inode = ? AND taken = 0 ORDER BY seq LIMIT 1').pluck(),
      ofSize: prepare('SELECT value FROM absent WHERE size = ? AND hashed = 1 AND taken = 0 ORDER BY seq LIMIT ?').pluck(),
      take: prepare('UPDATE absent SET taken = 1, moved = ? WHERE guid = ?'),
      notMovedAfter: prepare('SELECT seq, value, taken FROM absent WHERE here = 1 AND moved = 0 AND seq > ? ORDER BY seq LIMIT ?').raw(true),
      hasAbsent: prepare('SELECT EXISTS (SELECT 1 FROM absent)').pluck(),
      insertPresence: prepare('INSERT INTO presence (kind, key) VALUES (?, ?)'),
      presenceAfter: prepare('SELECT seq, key FROM presence WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?').raw(true),
    };
  }

  /** Adds files to analyse in one transaction (one folder's run). */
  add(files: readonly { value: T; unknown: boolean }[]): void {
    this.db.transaction(() => {
      for (const file of files) this.statements.insert.run(file.unknown ? 1 : 0, JSON.stringify(file.value));
    })();
  }

  /** The files to analyse after `seq`, at most `limit`, in order. */
  page(afterSeq: number, limit: number): SpilledFile<T>[] {
    return rows(this.statements.pageAfter, afterSeq, limit);
  }

  /** The paths wkmp.db did not know, after `seq`, at most `limit`, in order. */
  unknownPage(afterSeq: number, limit: number): SpilledFile<T>[] {
    return rows(this.statements.unknownAfter, afterSeq, limit);
  }

  /** Settles what files are (paired, or not analysed after all: `null`), in one transaction. */
  settle(files: readonly { seq: number; value: T | null }[]): void {
    this.db.transaction(() => {
      for (const file of files) {
        if (file.value === null) this.statements.remove.run(file.seq);
        else this.statements.update.run(JSON.stringify(file.value), file.seq);
      }
    })();
  }

  /** Known files no longer at their paths; a file already added (absent here and marked missing before) is kept once, as first added. */
  addAbsent(files: Iterable<KnownFileIdentity>, origin: AbsentOrigin): void {
    this.db.transaction(() => {
      for (const file of files) {
        this.statements.insertAbsent.run({
          guid: file.guid, here: origin === 'here' ? 1 : 0, device: file.deviceId, inode: file.inode, size: file.sizeBytes,
          hashed: file.hash === '' ? 0 : 1, value: JSON.stringify(file),
        });
      }
    })();
  }

  get hasAbsent(): boolean {
    return this.statements.hasAbsent.get() === 1;
  }

  /** The absent file, not yet taken, that lived at this place on disk. */
  absentAt(device: number, inode: number): KnownFileIdentity | undefined {
    const value = this.statements.atPlace.get(device, inode) as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as KnownFileIdentity);
  }

  /** Absent files of this size with a content hash to compare, not yet taken, at most `limit`. */
  absentOfSize(sizeBytes: number, limit: number): KnownFileIdentity[] {
    return (this.statements.ofSize.all(sizeBytes, limit) as string[]).map((value) => JSON.parse(value) as KnownFileIdentity);
  }

  /** An absent file is taken: moved here, or offered to one new path; it is never offered to another. */
  take(guid: string, moved: boolean): void {
    this.statements.take.run(moved ? 1 : 0, guid);
  }

  /** The files absent from the folders walked and not moved here, after `seq`: marked missing, or offline; `taken`: offered to a new path. */
  notMovedPage(afterSeq: number, limit: number): (SpilledFile<KnownFileIdentity> & { taken: boolean })[] {
    return (this.statements.notMovedAfter.all(afterSeq, limit) as [number, string, number][])
      .map(([seq, value, taken]) => ({ seq, value: JSON.parse(value) as KnownFileIdentity, taken: taken === 1 }));
  }

  /** Audio files newly missing and unchanged ones back from missing (guids), and remembered other files gone (paths). */
  addPresence(kind: PresenceKind, keys: readonly string[]): void {
    this.db.transaction(() => {
      for (const key of keys) this.statements.insertPresence.run(kind, key);
    })();
  }

  presencePage(kind: PresenceKind, afterSeq: number, limit: number): { seq: number; key: string }[] {
    return (this.statements.presenceAfter.all(kind, afterSeq, limit) as [number, string][]).map(([seq, key]) => ({ seq, key }));
  }

  close(): void {
    this.db.close();
  }
}

function rows<V>(statement: Database.Statement, afterSeq: number, limit: number): SpilledFile<V>[] {
  return (statement.all(afterSeq, limit) as [number, string][]).map(([seq, value]) => ({ seq, value: JSON.parse(value) as V }));
}
