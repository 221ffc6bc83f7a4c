/**
 * Opening wkmp.db for wkmp-ai: the schema completed and migrated, missing settings seeded, then
 * the two faces the rest of the program gets: a read-only connection for every read, and the
 * recorder, which holds the one write connection of the process (DESIGN.md, the write path).
 */
import { readSettings, seededSettings } from '../config/settings.js';
import { openReadConnection, openWriteConnection, type ReadDb } from './connection.js';
import { migrate } from './migrations/index.js';
import { insertMissingSettings, listSettings } from './queries/settings.js';
import { Recorder } from './recorder.js';

export interface WkmpDatabase {
  readonly path: string;
  /** Every read outside the recorder. */
  readonly read: ReadDb;
  /** The only writer. */
  readonly recorder: Recorder;
  /** Waits for what the recorder has queued, then closes both connections. */
  close(): Promise<void>;
}

/** How long opening waits for another service's lock while it completes the schema (nothing else runs yet). */
const openingBusyTimeoutMs = 5000;

export function openWkmpDatabase(path: string): WkmpDatabase {
  const writer = openWriteConnection(path, openingBusyTimeoutMs);
  let settings;
  try {
    migrate(writer, path);
    insertMissingSettings(writer, seededSettings());
    settings = readSettings(listSettings(writer));
  } catch (error) {
    writer.close();
    throw error;
  }
  const read = openReadConnection(path, settings.ai_database_lock_retry_ms);
  const recorder = new Recorder(writer, { maxLockWaitMs: settings.ai_database_max_lock_wait_ms });
  let closing: Promise<void> | undefined;
  const closeNow = () => {
    read.close();
    writer.close();
  };
  return {
    path,
    read,
    recorder,
    close() {
      // Nothing queued: closed at once, so that the file is whole when close() returns.
      closing ??= recorder.isIdle ? Promise.resolve(closeNow()) : recorder.idle().finally(closeNow);
      return closing;
    },
  };
}

/** wkmp.db to read and nothing else, for a command that writes nothing (`wkmp-ai similar`): no schema work, no recorder. */
export function openReadOnlyDatabase(path: string): ReadDb & { close(): void } {
  return openReadConnection(path, openingBusyTimeoutMs);
}
