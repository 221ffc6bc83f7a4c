/** Shared set-up for integration tests: real SQLite files in temp folders, real fixture audio. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';

export const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const made: string[] = [];
afterEach(() => {
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test. */
export function tempFolder(prefix = 'wkmp-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A root folder holding a copy of `test/fixtures/<name>` (default: the library). */
export function copyFixtureRoot(name = 'library'): string {
  const root = tempFolder();
  // A wkmp.db left in the fixtures by a hand-run import is not part of the fixture.
  cpSync(join(fixtures, name), root, { recursive: true, filter: (source) => !/wkmp\.db/.test(source) });
  return root;
}

/** A plain better-sqlite3 connection for asserting what an import left in the file. */
export function inspect(dbPath: string): Database.Database {
  return new Database(dbPath, { fileMustExist: true });
}

export function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}
