/**
 * One import session at a time, across processes: a session whose owner process is alive blocks
 * every other start; once that process is gone, the next start ends it as abandoned and runs.
 */
import { randomUUID } from 'node:crypto';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/import/run.js';
import { copyFixtureRoot, count, fixtures, inspect, libraryAudio, sessionRows, spawnCli, spawnNode } from './helpers.js';

describe('one import session at a time', () => {
  it('refuses to start while another live process runs a session, and takes over once it is gone', async () => {
    const root = copyFixtureRoot();
    const dbPath = join(root, 'wkmp.db');
    const first = await runImport({ rootFolder: root, jobs: 1 });
    expect(first.state).toBe('COMPLETED');

    // Another process's import, as it looks from here: a running session owned by a live pid.
    const other = spawnNode(['-e', 'setTimeout(() => {}, 30000)']);
    const otherPid = other.child.pid!;
    const otherSession = randomUUID();
    let db = inspect(dbPath);
    db.prepare(`
      INSERT INTO import_sessions (session_id, state, root_folder, owner_pid, started_at)
      VALUES (?, 'PROCESSING', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ'))`).run(otherSession, root, otherPid);
    db.close();
    // New work the refused starts must not touch.
    cpSync(join(fixtures, 'library', 'Artist B'), join(root, 'Artist C'), { recursive: true });

    await expect(runImport({ rootFolder: root, jobs: 1 })).rejects.toMatchObject({
      code: 'SESSION_RUNNING',
      message: expect.stringMatching(new RegExp(`^another import is running \\(session ${otherSession}, process ${otherPid}\\b`)) as unknown,
    });
    const cli = await spawnCli(['import', '--root-folder', root, '--jobs', '1']).exited;
    expect(cli.code).toBe(1);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toMatch(new RegExp(`^wkmp-ai: another import is running \\(session ${otherSession}, process ${otherPid}\\b[^\\n]*\\n$`));

    db = inspect(dbPath);
    try {
      // Refused before doing anything: no session of their own, nothing recorded.
      expect(sessionRows(db).map((session) => [session.sessionId, session.state])).toEqual([
        [first.sessionId, 'COMPLETED'],
        [otherSession, 'PROCESSING'],
      ]);
      expect(count(db, 'files')).toBe(libraryAudio.length);
    } finally {
      db.close();
    }

    other.child.kill('SIGKILL');
    await other.exited;
    const next = await runImport({ rootFolder: root, jobs: 1 });
    expect(next.state).toBe('COMPLETED');
    expect(next.counts.new).toBe(2); // Artist C's two files
    db = inspect(dbPath);
    try {
      const sessions = sessionRows(db);
      expect(sessions.find((session) => session.sessionId === otherSession)).toMatchObject({
        state: 'CANCELLED', endedAt: expect.any(String) as unknown,
      });
      const errors = JSON.parse(sessions.find((session) => session.sessionId === otherSession)!.errors!) as string[];
      expect(errors).toEqual([expect.stringContaining(`abandoned: process ${otherPid} ended without finishing the session`)]);
      expect(sessions.find((session) => session.sessionId === next.sessionId)).toMatchObject({ state: 'COMPLETED', errors: '[]' });
      expect(count(db, 'files')).toBe(libraryAudio.length + 2);
    } finally {
      db.close();
    }
  });

  it('refuses a second import in the same process while the first runs', async () => {
    const root = copyFixtureRoot();
    let second: Promise<unknown> | undefined;
    const first = await runImport({
      rootFolder: root,
      jobs: 1,
      onEvent: (event) => {
        // Settled into a value at once, so that its rejection is not left unhandled meanwhile.
        if (event.type === 'ImportSessionStarted') second = runImport({ rootFolder: root, jobs: 1 }).then((summary) => summary, (error: unknown) => error);
      },
    });
    expect(first.state).toBe('COMPLETED');
    expect(await second).toMatchObject({ code: 'SESSION_RUNNING' });
    const db = inspect(join(root, 'wkmp.db'));
    try {
      expect(sessionRows(db).map((session) => session.sessionId)).toEqual([first.sessionId]);
    } finally {
      db.close();
    }
  });
});
