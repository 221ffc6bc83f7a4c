/**
 * Cancelling an import stops it taking files, commits what was analysed, ends the session
 * CANCELLED, and loses nothing: the next run records the rest, and only the rest.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ImportProgress, ImportSummary } from '../../src/import/events.js';
import { runImport } from '../../src/import/run.js';
import {
  count, fileShapes, inspect, makeCopiesRoot, makeEndlessWav, partialFiles, peekCount, sessionRows, spawnCli, sqliteProblems, waitFor,
} from './helpers.js';


/** Each file's guid and the guids of its passages: what a second recording of it would replace. */
function recordedIdentity(db: Database.Database): Map<string, string> {
  const rows = db.prepare(`
    SELECT f.path, f.guid || ' ' || coalesce((SELECT group_concat(p.guid, ',') FROM (SELECT guid FROM passages WHERE file_id = f.guid ORDER BY guid) p), '') AS identity
    FROM files f`).all() as { path: string; identity: string }[];
  return new Map(rows.map((row) => [row.path, row.identity]));
}

function filesProcessed(db: Database.Database, sessionId: string): number {
  return (db.prepare('SELECT files_processed AS n FROM import_sessions WHERE session_id = ?').get(sessionId) as { n: number }).n;
}

describe('cancelling an import', () => {
  it('through its AbortSignal: commits what was analysed, ends CANCELLED, and the next run does only the rest', async () => {
    // A file whose analysis takes minutes: the import cannot end before it is cancelled.
    const { root, paths } = makeCopiesRoot(4);
    const endless = join(root, 'endless.wav');
    makeEndlessWav(endless);
    const dbPath = join(root, 'wkmp.db');
    const controller = new AbortController();
    let progressAtAbort: ImportProgress | undefined;
    const cancelled = await runImport({
      rootFolder: root,
      jobs: 2,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'ImportProgressUpdate' && event.progress.filesDone >= 1 && !controller.signal.aborted) {
          progressAtAbort = event.progress;
          controller.abort();
        }
      },
    });

    expect(progressAtAbort).toBeDefined();
    expect(cancelled.state).toBe('CANCELLED');
    expect(cancelled.errors).toEqual([]);
    let before: Map<string, string>;
    let db = inspect(dbPath);
    try {
      expect(sqliteProblems(db)).toEqual([]);
      expect(sessionRows(db)).toEqual([
        { sessionId: cancelled.sessionId, state: 'CANCELLED', ownerPid: process.pid, errors: '[]', endedAt: expect.any(String) as unknown },
      ]);
      const shapes = fileShapes(db);
      expect(partialFiles(shapes)).toEqual([]);
      // Stopped half-way: at least what was analysed when it was asked to stop…
      expect(shapes.size).toBeGreaterThanOrEqual(progressAtAbort!.filesDone);
      // …and every file it analysed was committed before it ended.
      expect(filesProcessed(db, cancelled.sessionId)).toBe(shapes.size);
      expect(cancelled.counts.recorded).toBe(shapes.size);
      before = recordedIdentity(db);
    } finally {
      db.close();
    }

    rmSync(endless);
    const resumed = await runImport({ rootFolder: root, jobs: 2 });
    expect(resumed.state).toBe('COMPLETED');
    expect(resumed.errors).toEqual([]);
    // Only what the cancelled run had not recorded is analysed.
    expect(resumed.counts).toMatchObject({ unchanged: before.size, new: paths.length - before.size, recorded: paths.length - before.size });
    db = inspect(dbPath);
    try {
      expect(sqliteProblems(db)).toEqual([]);
      const shapes = fileShapes(db);
      expect([...shapes.keys()].sort()).toEqual([...paths].sort());
      expect(partialFiles(shapes)).toEqual([]);
      expect(count(db, 'import_errors')).toBe(0);
      // What the cancelled run recorded was kept as it was, not recorded a second time.
      const after = recordedIdentity(db);
      for (const [path, identity] of before) expect(after.get(path), path).toBe(identity);
      expect(sessionRows(db).map((session) => [session.sessionId, session.state])).toEqual([
        [cancelled.sessionId, 'CANCELLED'],
        [resumed.sessionId, 'COMPLETED'],
      ]);
    } finally {
      db.close();
    }
  });

  it('with Ctrl-C (SIGINT) on the command line: exits 130 and ends its own session CANCELLED', async () => {
    // A file whose analysis takes minutes: the import cannot end before the signal.
    const { root, paths } = makeCopiesRoot(4);
    const endless = join(root, 'endless.wav');
    makeEndlessWav(endless);
    const dbPath = join(root, 'wkmp.db');
    const run = spawnCli(['import', '--root-folder', root, '--jobs', '2', '--json']);
    // No progress bar without a terminal: wait for the first committed files instead.
    await waitFor(() => peekCount(dbPath, 'files') >= 1, 30_000, 'the first files to be committed', run.exited);
    run.child.kill('SIGINT');
    const ended = await run.exited;

    expect(ended.code, ended.stderr).toBe(130);
    expect(ended.stderr).toContain('stopping: committing the files already analysed');
    const summary = JSON.parse(ended.stdout) as ImportSummary;
    expect(summary.state).toBe('CANCELLED');
    let db = inspect(dbPath);
    try {
      expect(sqliteProblems(db)).toEqual([]);
      // Ended by the process itself, not found abandoned by a later start: no errors recorded.
      expect(sessionRows(db)).toEqual([
        { sessionId: summary.sessionId, state: 'CANCELLED', ownerPid: run.child.pid, errors: '[]', endedAt: expect.any(String) as unknown },
      ]);
      const shapes = fileShapes(db);
      expect(partialFiles(shapes)).toEqual([]);
      expect(shapes.size).toBeGreaterThan(0);
      expect(filesProcessed(db, summary.sessionId)).toBe(shapes.size);
    } finally {
      db.close();
    }

    // The next start leaves that session as it was and records the rest.
    rmSync(endless);
    const resumed = await runImport({ rootFolder: root, jobs: 2 });
    expect(resumed.state).toBe('COMPLETED');
    db = inspect(dbPath);
    try {
      expect(count(db, 'files')).toBe(paths.length);
      expect(sessionRows(db)[0]).toMatchObject({ sessionId: summary.sessionId, state: 'CANCELLED', errors: '[]' });
    } finally {
      db.close();
    }
  });
});
