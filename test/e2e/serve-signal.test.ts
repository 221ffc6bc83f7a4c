/**
 * `wkmp-ai serve` as its own process: it listens where WKMP_AI_PORT says, and SIGTERM during an
 * import cancels the session cleanly (CANCELLED in wkmp.db), closes the database and exits 0.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixtureRoot, inspect, makeEndlessWav, sessionRows, spawnCli, sqliteProblems, waitFor } from '../integration/helpers.js';
import { progressOf, request, SseClient } from './helpers.js';

const savedPort = process.env.WKMP_AI_PORT;
afterEach(() => {
  if (savedPort === undefined) delete process.env.WKMP_AI_PORT;
  else process.env.WKMP_AI_PORT = savedPort;
});

describe('wkmp-ai serve, the process', () => {
  it('on SIGTERM during an import ends the session CANCELLED, closes the database and exits 0', async () => {
    const root = copyFixtureRoot();
    makeEndlessWav(join(root, 'endless.wav')); // the import cannot end before the signal
    process.env.WKMP_AI_PORT = '0'; // the child inherits it: any free port
    const server = spawnCli(['serve', '--root-folder', root, '--host', '127.0.0.1', '--no-watch']);
    await waitFor(() => /listening on (http:\S+)/.test(server.output().stdout), 60_000, 'the service to listen', server.exited);
    const url = /listening on (http:\S+)/.exec(server.output().stdout)![1]!;
    const events = await SseClient.connect(`${url}/import/events`);
    const started = await request<{ session_id: string }>(`${url}/import/start`, 'POST', { root_folder: root, parameters: { jobs: 2 } });
    expect(started.status).toBe(202);
    await events.until(() => events.named('ImportProgressUpdate').some((message) => (progressOf(message).filesDone as number) >= 1), 90_000, 'a file analysed');

    server.child.kill('SIGTERM');
    const ended = await server.exited;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toBe('');
    // Subscribers saw the session end before the stream closed.
    expect(events.named('ImportSessionCancelled')).toHaveLength(1);
    const db = inspect(join(root, 'wkmp.db'));
    try {
      expect(sqliteProblems(db)).toEqual([]);
      expect(sessionRows(db)).toEqual([
        { sessionId: started.body.session_id, state: 'CANCELLED', ownerPid: server.child.pid, errors: '[]', endedAt: expect.any(String) as unknown },
      ]);
    } finally {
      db.close();
    }
  });

  it('watches the root folder by default: its catch-up import on start, stopped by SIGTERM, ends CANCELLED and the process exits 0', async () => {
    const root = copyFixtureRoot();
    makeEndlessWav(join(root, 'endless.wav'));
    process.env.WKMP_AI_PORT = '0';
    const server = spawnCli(['serve', '--root-folder', root, '--host', '127.0.0.1']);
    await waitFor(() => /listening on (http:\S+)/.test(server.output().stdout), 60_000, 'the service to listen', server.exited);
    const url = /listening on (http:\S+)/.exec(server.output().stdout)![1]!;
    let active: { session_id: string; folder: string } | null = null;
    await waitFor(() => active !== null, 90_000, 'the catch-up import to start', (async () => {
      while (active === null) {
        active = (await request<{ session: { session_id: string; folder: string } | null }>(`${url}/import/active`)).body.session;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })());
    expect((await request<{ mode: string }>(`${url}/import/watch`)).body.mode).toBe('catching up');

    server.child.kill('SIGTERM');
    const ended = await server.exited;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toBe('');
    const db = inspect(join(root, 'wkmp.db'));
    try {
      expect(sessionRows(db).map((row) => [row.sessionId, row.state])).toEqual([[active!.session_id, 'CANCELLED']]);
      expect((db.prepare('SELECT parameters FROM import_sessions').get() as { parameters: string }).parameters).toContain('"origin":"watch"');
    } finally {
      db.close();
    }
  });
});

