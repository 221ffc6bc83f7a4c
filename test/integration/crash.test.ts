/**
 * kill -9 at any moment loses at most the batch being written: the file stays a valid SQLite
 * database, no file is recorded in part, and the next run finishes the import as if nothing had
 * happened. Files recorded again (touched) are part of it: an original stays the original.
 */
import { existsSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src/import/events.js';
import {
  copyRoot, fileShapes, inspect, libraryCounts, makeCopiesRoot, makeEndlessWav, partialFiles, peekCount, sessionRows, spawnCli,
  sqliteProblems, waitFor, type FileShape,
} from './helpers.js';
import { seededRandom } from '../seeded-random.js';

/** 10 folders of the library's 7 audio files: 70 files, 60 contents, each decoded and analysed in full. */
const copies = 10;
const randomKills = 4;
/** The kill moments and touched files are random but repeatable: CRASH_SEED=n replays a failed run. */
const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

function importArgs(root: string): string[] {
  return ['import', '--root-folder', root, '--jobs', '2', '--json'];
}

/** Per content: how many files hold it and how many of them are marked DUPLICATE HASH. */
function byHash(shapes: ReadonlyMap<string, FileShape>): Map<string, { files: number; duplicates: number }> {
  const result = new Map<string, { files: number; duplicates: number }>();
  for (const file of shapes.values()) {
    const entry = result.get(file.hash) ?? { files: 0, duplicates: 0 };
    entry.files += 1;
    if (file.status === 'DUPLICATE HASH') entry.duplicates += 1;
    result.set(file.hash, entry);
  }
  return result;
}

/** What the uninterrupted import wrote for each content (its original, not its duplicates). */
function originalShapes(shapes: ReadonlyMap<string, FileShape>): Map<string, string> {
  return new Map([...shapes.values()].filter((file) => file.status !== 'DUPLICATE HASH').map((file) => [file.hash, file.shape]));
}

/** Problems in the database a killed import left: SQLite's checks, files recorded in part, rows unlike the reference. */
function problemsAfterKill(dbPath: string, reference: ReadonlyMap<string, string>, paths: ReadonlySet<string>): { problems: string[]; files: number } {
  if (!existsSync(dbPath)) return { problems: [], files: 0 };
  const db = inspect(dbPath);
  try {
    const problems = sqliteProblems(db);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'files'").all();
    if (tables.length === 0) return { problems, files: 0 }; // killed before the schema was committed
    const shapes = fileShapes(db);
    problems.push(...partialFiles(shapes));
    for (const [path, file] of shapes) {
      if (!paths.has(path)) problems.push(`${path}: not a file of the root`);
      if (file.status !== 'DUPLICATE HASH' && file.shape !== reference.get(file.hash)) {
        problems.push(`${path}: recorded as ${file.shape}, the uninterrupted import has ${reference.get(file.hash) ?? 'no original'}`);
      }
    }
    return { problems, files: shapes.size };
  } finally {
    db.close();
  }
}

/** The state of the session run by process `pid`, null if it has none. */
function sessionStateOf(dbPath: string, pid: number): string | null {
  if (!existsSync(dbPath)) return null;
  const db = inspect(dbPath);
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'import_sessions'").all();
    if (tables.length === 0) return null;
    return sessionRows(db).find((session) => session.ownerPid === pid)?.state ?? null;
  } finally {
    db.close();
  }
}

describe('an import killed with SIGKILL', () => {
  // Seven imports in child processes: minutes on a loaded machine. The limit is a safety net, not a measure.
  it(`leaves a consistent database at every kill, and the next run completes it (CRASH_SEED=${seed})`, { timeout: 300_000 }, async () => {
    const random = seededRandom(seed);
    const { root, paths } = makeCopiesRoot(copies);
    const dbPath = join(root, 'wkmp.db');
    const referenceRoot = copyRoot(root);

    // The reference: the same files imported without interruption, which also times a full import.
    const started = performance.now();
    const reference = await spawnCli(importArgs(referenceRoot)).exited;
    const fullImportMs = performance.now() - started;
    expect(reference.code, reference.stderr).toBe(0);
    const referenceDb = inspect(join(referenceRoot, 'wkmp.db'));
    const referenceShapes = fileShapes(referenceDb);
    const referenceCounts = libraryCounts(referenceDb);
    referenceDb.close();
    expect(referenceShapes.size).toBe(paths.length);
    expect(partialFiles(referenceShapes)).toEqual([]);
    const expectedShapes = originalShapes(referenceShapes);

    // The first kill comes as soon as this run has committed files, and a file that cannot be
    // analysed in minutes keeps that run from ending first (so one kill surely lands half-way
    // through); the others at random moments up to the length of a full import. Before
    // each of those, a random third of the files is touched (same content, new modification
    // time), so that every run has files to record again even when an earlier one got to the end.
    const delays = [null, ...Array.from({ length: randomKills }, () => Math.round(100 + random() * (fullImportMs - 100)))];
    const rounds: { pid: number; delayMs: number | null; touched: number; killed: boolean; filesAfter: number; sessionAfter: string | null }[] = [];
    for (const delayMs of delays) {
      const touched = delayMs === null ? [] : paths.filter(() => random() < 1 / 3);
      const mtime = new Date(Date.UTC(2020, 0, 1 + rounds.length));
      for (const path of touched) utimesSync(join(root, path), mtime, mtime);
      const endless = join(root, 'endless.wav');
      if (delayMs === null) makeEndlessWav(endless);
      const run = spawnCli(importArgs(root));
      const pid = run.child.pid!;
      if (delayMs === null) await waitFor(() => peekCount(dbPath, 'files') > 0, 30_000, 'the first files to be committed', run.exited);
      else await Promise.race([delay(delayMs), run.exited]);
      run.child.kill('SIGKILL');
      const ended = await run.exited; // reaped: its pid is gone before the next run looks at it
      rmSync(endless, { force: true });
      const killed = ended.signal === 'SIGKILL';
      // A run the kill came too late for has completed by itself.
      expect(killed || ended.code === 0, `round ${rounds.length}: ${JSON.stringify(ended)}`).toBe(true);
      const after = problemsAfterKill(dbPath, expectedShapes, new Set(paths));
      rounds.push({ pid, delayMs, touched: touched.length, killed, filesAfter: after.files, sessionAfter: sessionStateOf(dbPath, pid) });
      expect(after.problems, `after round ${JSON.stringify(rounds.at(-1))}`).toEqual([]);
    }
    // The first kill interrupted an import that had recorded files and could not have ended.
    expect(rounds[0]!.killed).toBe(true);
    expect(rounds[0]!.filesAfter).toBeGreaterThan(0);

    const final = await spawnCli(importArgs(root)).exited;
    expect(final.code, final.stderr).toBe(0);
    const summary = JSON.parse(final.stdout) as ImportSummary;
    expect(summary.state).toBe('COMPLETED');
    expect(summary.errors).toEqual([]);

    const db = inspect(dbPath);
    try {
      expect(sqliteProblems(db)).toEqual([]);
      const shapes = fileShapes(db);
      expect(partialFiles(shapes)).toEqual([]);
      // The same files with the same contents as the uninterrupted import…
      const pathsAndHashes = (all: ReadonlyMap<string, FileShape>) => [...all].map(([path, file]) => `${path} ${file.hash}`).sort();
      expect(pathsAndHashes(shapes)).toEqual(pathsAndHashes(referenceShapes));
      // …the same duplicates per content (which copy is the original depends on completion order)…
      expect(byHash(shapes)).toEqual(byHash(referenceShapes));
      // …each original recorded with the same passages and links…
      for (const [path, file] of shapes) {
        if (file.status !== 'DUPLICATE HASH') expect(file.shape, path).toBe(expectedShapes.get(file.hash));
      }
      // …and as many rows in every table.
      expect(libraryCounts(db)).toEqual(referenceCounts);

      // A session its run left running when killed is CANCELLED as abandoned by the next start (its
      // process is gone); one that had ended before the kill keeps its state; the last is COMPLETED.
      const sessions = sessionRows(db);
      expect(sessions.at(-1)).toMatchObject({ sessionId: summary.sessionId, state: 'COMPLETED', errors: '[]' });
      expect(sessions.filter((session) => session.state === 'SCANNING' || session.state === 'PROCESSING')).toEqual([]);
      for (const round of rounds) {
        const session = sessions.find((candidate) => candidate.ownerPid === round.pid);
        if (round.sessionAfter === null) {
          expect(session, `round ${JSON.stringify(round)} was killed before it claimed a session`).toBeUndefined();
        } else if (round.sessionAfter === 'SCANNING' || round.sessionAfter === 'PROCESSING') {
          expect(session, JSON.stringify(round)).toMatchObject({ state: 'CANCELLED', endedAt: expect.any(String) as unknown });
          expect(session?.errors).toContain(`abandoned: process ${round.pid}`);
        } else {
          expect(session?.state, JSON.stringify(round)).toBe(round.sessionAfter);
        }
      }
      // The first kill surely left its session running.
      expect(rounds[0]!.sessionAfter).toBe('PROCESSING');
      expect(sessions).toHaveLength(rounds.filter((round) => round.sessionAfter !== null).length + 1);
    } finally {
      db.close();
    }
  });
});
