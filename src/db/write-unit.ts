/**
 * What a feature hands the recorder to write: a named unit of work that runs in one short
 * transaction of its own (DESIGN.md, the write path). The feature says what it writes; the recorder
 * decides when, retries the lock, measures the transaction under the writer's name, reports long
 * waits and gives up at the unit's deadline. Units are made in `db/` (SQL lives there), one module
 * per feature, so that the recorder grows no method per feature.
 */
import type { WriteDb } from './connection.js';

/** The writers of wkmp-ai: the figures are kept, and long lock waits reported, per writer. */
export const writerNames = ['import', 'session', 'settings', 'identification', 'flavor', 'lease', 'pace', 'prune'] as const;
export type WriterName = (typeof writerNames)[number];

export interface WriteUnit<T> {
  readonly writer: WriterName;
  /** What it does, as a lowercase gerund for messages: "storing settings". */
  readonly doing: string;
  /** The transaction's body: synchronous, SQLite only; BEGIN IMMEDIATE and COMMIT are the recorder's. */
  run(db: WriteDb): T;
}

export function writeUnit<T>(writer: WriterName, doing: string, run: (db: WriteDb) => T): WriteUnit<T> {
  return { writer, doing, run };
}

/**
 * Statements a unit prepares once per connection, not once per transaction: `prepared(db)` builds
 * them on the first call for that connection and hands back the same ones after.
 */
export function perConnection<T>(prepare: (db: WriteDb) => T): (db: WriteDb) => T {
  const made = new WeakMap<WriteDb, T>();
  return (db) => {
    let statements = made.get(db);
    if (statements === undefined) {
      statements = prepare(db);
      made.set(db, statements);
    }
    return statements;
  };
}
