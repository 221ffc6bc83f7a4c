/**
 * Where an import keeps the files it will analyse between its walk and its workers: a private,
 * temporary SQLite database (not wkmp.db; SQLite deletes its file when it is closed, or when the
 * process dies, as it unlinks it at once). A first import of a million files plans a million; held
 * in the heap they would cost more than everything else together, while here only SQLite's page
 * cache (2 MB) is held and the rest waits on disk. A small import never leaves the cache.
 */
import Database from 'better-sqlite3';

/** A planned file as it waits: `value` is stored as JSON. */
export interface SpilledFile<T> {
  seq: number;
  value: T;
}

const SCHEMA = `
CREATE TABLE planned (
  seq INTEGER PRIMARY KEY,
  -- A path wkmp.db does not know: paired with the absent files once the walk is done.
  unknown INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX planned_unknown ON planned(unknown, seq);`;

/** Files to analyse, in the order planned, until the import takes them a page at a time. */
export class PlanSpill<T> {
  private readonly db = new Database('');
  private readonly insert;
  private readonly update;
  private readonly remove;
  private readonly pageAfter;
  private readonly unknownAfter;

  constructor() {
    this.db.exec(SCHEMA);
    this.insert = this.db.prepare('INSERT INTO planned (unknown, value) VALUES (?, ?)');
    this.update = this.db.prepare('UPDATE planned SET unknown = 0, value = ? WHERE seq = ?');
    this.remove = this.db.prepare('DELETE FROM planned WHERE seq = ?');
    this.pageAfter = this.db.prepare('SELECT seq, value FROM planned WHERE seq > ? ORDER BY seq LIMIT ?').raw(true);
    this.unknownAfter = this.db.prepare('SELECT seq, value FROM planned WHERE unknown = 1 AND seq > ? ORDER BY seq LIMIT ?').raw(true);
  }

  /** Adds files in one transaction (one folder's run). */
  add(files: readonly { value: T; unknown: boolean }[]): void {
    this.db.transaction(() => {
      for (const file of files) this.insert.run(file.unknown ? 1 : 0, JSON.stringify(file.value));
    })();
  }

  /** The files after `seq`, at most `limit`, in order. */
  page(afterSeq: number, limit: number): SpilledFile<T>[] {
    return this.rows(this.pageAfter, afterSeq, limit);
  }

  /** The paths wkmp.db did not know, after `seq`, at most `limit`, in order. */
  unknownPage(afterSeq: number, limit: number): SpilledFile<T>[] {
    return this.rows(this.unknownAfter, afterSeq, limit);
  }

  /** Settles what files are (paired, or not analysed after all: `null`), in one transaction. */
  settle(files: readonly { seq: number; value: T | null }[]): void {
    this.db.transaction(() => {
      for (const file of files) {
        if (file.value === null) this.remove.run(file.seq);
        else this.update.run(JSON.stringify(file.value), file.seq);
      }
    })();
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) FROM planned').pluck().get() as number);
  }

  close(): void {
    this.db.close();
  }

  private rows(statement: Database.Statement, afterSeq: number, limit: number): SpilledFile<T>[] {
    return (statement.all(afterSeq, limit) as [number, string][]).map(([seq, value]) => ({ seq, value: JSON.parse(value) as T }));
  }
}
