/**
 * Database set-up for the schema, recorder and import tests: a migrated template copied per test
 * (STYLE.md §10), connections closed after each test, statement capture with better-sqlite3's
 * `verbose`, and hand-made file records.
 */
import { storeSettings } from '../../src/db/queries/settings.js';
import { randomUUID } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach } from 'vitest';
import { openWriteConnection, type WriteDb } from '../../src/db/connection.js';
import { insertSession } from '../../src/db/queries/sessions.js';
import { openWkmpDatabase } from '../../src/db/setup.js';
import type { FileRecord, PassageRecord } from '../../src/file-record.js';
import { ANALYSIS_VERSION, secondsToTicks } from '../../src/file-record.js';
import { fixtures, tempFolder } from './helpers.js';

const connections: Database.Database[] = [];
afterEach(() => {
  while (connections.length > 0) {
    const db = connections.pop()!;
    if (db.open) db.close();
  }
});

/** Closes `db` after the test (before its folder is removed). */
export function closeAfterTest<T extends Database.Database>(db: T): T {
  connections.push(db);
  return db;
}

let template: string | undefined;
afterAll(() => {
  if (template !== undefined) rmSync(dirname(template), { recursive: true, force: true });
  template = undefined;
});

const fileScoped: string[] = [];
afterAll(() => {
  while (fileScoped.length > 0) rmSync(fileScoped.pop()!, { recursive: true, force: true });
});

/** An empty folder that lasts for the whole test file. */
export function fileScopedFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'wkmp-test-file-'));
  fileScoped.push(folder);
  return folder;
}

/**
 * A root folder holding a copy of `test/fixtures/<name>` that lasts for the whole test file (removed
 * after all its tests), for one import that several read-only tests look at.
 */
export function copyFixtureRootForFile(name = 'library'): string {
  const root = mkdtempSync(join(tmpdir(), 'wkmp-test-file-'));
  fileScoped.push(root);
  cpSync(join(fixtures, name), root, { recursive: true, filter: (source) => !/wkmp\.db/.test(source) });
  return root;
}

/** The path of a fresh wkmp.db at the latest schema, copied from a template migrated once per test file. */
export function migratedDatabase(): string {
  if (template === undefined) {
    const path = join(mkdtempSync(join(tmpdir(), 'wkmp-template-')), 'wkmp.db');
    void openWkmpDatabase(path).close(); // the last connection closing folds the WAL back into the file
    template = path;
  }
  const path = join(tempFolder(), 'wkmp.db');
  copyFileSync(template, path);
  return path;
}

/** Creates (or opens) the database at `path` and stores these settings, as a user through the API would. */
export async function setSettings(path: string, values: Record<string, string>): Promise<void> {
  const db = openWkmpDatabase(path);
  try {
    await db.recorder.write(storeSettings(new Map(Object.entries(values))));
  } finally {
    await db.close();
  }
}

/**
 * A writing connection on a database wkmp-ai opened (schema, settings), closed after the test:
 * for tests that write rows as another service would, or drive a Recorder of their own.
 */
export function openWriter(path: string): WriteDb {
  void openWkmpDatabase(path).close();
  return closeAfterTest(openWriteConnection(path, 5000));
}

/**
 * A writing connection that records every statement it executes (better-sqlite3 `verbose`),
 * with the pragmas every WKMP connection uses.
 */
export function openLoggedWriter(path: string): { db: WriteDb; statements: string[] } {
  const statements: string[] = [];
  const db = closeAfterTest(new Database(path, { verbose: (message) => statements.push(String(message)) }));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  statements.length = 0;
  return { db: db as WriteDb, statements };
}

/** An import session row, which import_errors rows belong to. Returns its id. */
export function insertTestSession(db: WriteDb): string {
  const sessionId = randomUUID();
  insertSession(db, { sessionId, rootFolder: '/music', folder: '', parameters: '{}', ownerPid: process.pid });
  return sessionId;
}

/** A deterministic, well-formed MBID for test rows. */
export function testMbid(kind: 'a' | 'b' | 'c' | 'd', n: number): string {
  return `${kind.repeat(8)}-1000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function passageRecord(overrides: Partial<PassageRecord> = {}): PassageRecord {
  return {
    guid: randomUUID(),
    startTicks: 0,
    endTicks: secondsToTicks(180),
    leadInStartTicks: null,
    leadOutStartTicks: null,
    title: 'A Song',
    artist: 'An Artist',
    album: 'An Album',
    importMetadata: { analysis: 'tags', analysisVersion: ANALYSIS_VERSION, passage: { number: 1, of: 1 }, boundaries: { source: 'container duration' } },
    additionalMetadata: null,
    flavor: null,
    recording: null,
    release: null,
    ...overrides,
  };
}

/** A file record as analysis would hand it over: one whole-file passage unless told otherwise. */
export function fileRecord(path: string, overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    kind: 'record',
    path,
    guid: randomUUID(),
    change: 'new',
    analysis: 'full',
    decodedSeconds: 180,
    hash: `hash of ${path} ${randomUUID()}`,
    modificationTime: '2024-05-01T12:00:00.000Z',
    sizeBytes: 4_000_000,
    durationTicks: secondsToTicks(180),
    format: 'flac',
    codec: 'flac',
    sampleRate: 44_100,
    channels: 2,
    status: 'INGEST COMPLETE',
    tags: { title: 'A Song', artist: 'An Artist', album: 'An Album', trackNumber: 1, year: 2001 },
    passages: [passageRecord()],
    cueSignature: null,
    warnings: [],
    audioHash: null,
    place: null,
    ...overrides,
  };
}
