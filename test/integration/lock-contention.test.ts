/**
 * Another WKMP service holds the write lock of wkmp.db while an import starts: the import waits
 * for it on the event loop, retrying BEGIN IMMEDIATE, and still records every file.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportEvent } from '../../src/import/events.js';
import { runImport } from '../../src/import/run.js';
import {
  copyFixtureRoot, count, fileShapes, fixtures, holdWriteLock, inspect, libraryAudio, makeCopiesRoot, partialFiles,
  sessionRows, sqliteProblems,
} from './helpers.js';

describe('an import while another process holds the write lock', () => {
  it('waits for the lock, retrying, and records every file', async () => {
    const root = copyFixtureRoot();
    const dbPath = join(root, 'wkmp.db');
    expect((await runImport({ rootFolder: root, jobs: 2 })).state).toBe('COMPLETED');

    // New work for the second import: a copy of the library (same contents: 7 duplicates) and two
    // folders with contents of their own (each with one duplicate pair).
    cpSync(join(fixtures, 'library'), join(root, 'Copy of library'), { recursive: true });
    const distinct = makeCopiesRoot(2, root).paths;
    const newPaths = [...libraryAudio.map((file) => `Copy of library/${file.path}`), ...distinct];
    // A small retry budget, so that the lock is held past it: the import must say so and wait on.
    const settings = inspect(dbPath);
    settings.prepare("UPDATE settings SET value = '300' WHERE key = 'ai_database_max_lock_wait_ms'").run();
    settings.close();

    // Held until the import has said it is still waiting: then let go.
    const holder = await holdWriteLock(dbPath);
    const events: ImportEvent[] = [];
    let released: ReturnType<typeof holder.release> | undefined;
    const summary = await runImport({
      rootFolder: root, jobs: 2, onEvent: (event) => {
        events.push(event);
        if (event.type === 'AnalysisLog' && event.message.includes('still locked by another process')) released ??= holder.release();
      },
    });
    expect(released, 'the import said it was still waiting').toBeDefined();
    const held = await released!;

    expect(held).toMatchObject({ code: 0, stdout: 'locked\nreleased\n' });
    expect(summary.state).toBe('COMPLETED');
    expect(summary.errors).toEqual([]);
    expect(summary.counts).toMatchObject({ new: newPaths.length, recorded: newPaths.length, failed: 0, duplicates: libraryAudio.length + 2 });
    // The recorder met SQLITE_BUSY at BEGIN IMMEDIATE and retried; the wait is measured.
    expect(summary.write.retries).toBeGreaterThan(0);
    expect(summary.write.lockWaitMs.p99).toBeGreaterThan(0);
    expect(summary.write.lockWaitMs.max).toBeGreaterThan(0);
    // Past ai_database_max_lock_wait_ms the import says it is still waiting, and waits on.
    const warnings = events.flatMap((event) => (event.type === 'AnalysisLog' && event.level === 'warn' ? [event.message] : []));
    expect(warnings.some((message) => message.includes('still locked by another process'))).toBe(true);

    const db = inspect(dbPath);
    try {
      expect(sqliteProblems(db)).toEqual([]);
      const shapes = fileShapes(db);
      for (const path of newPaths) expect(shapes.has(path), path).toBe(true);
      expect(shapes.size).toBe(libraryAudio.length + newPaths.length);
      expect(partialFiles(shapes)).toEqual([]);
      expect(count(db, 'import_errors')).toBe(0);
      // The figures are kept in the session row too.
      const session = sessionRows(db).find((row) => row.sessionId === summary.sessionId);
      expect(session?.state).toBe('COMPLETED');
      const metrics = db.prepare('SELECT metrics FROM import_sessions WHERE session_id = ?').get(summary.sessionId) as { metrics: string };
      expect((JSON.parse(metrics.metrics) as { retries: number }).retries).toBe(summary.write.retries);
    } finally {
      db.close();
    }
  });
});
