/**
 * GET /import/events over a real connection, parsed by hand: WKMP's event names, progress at most
 * once per second per client with the write path's figures, the current state at once for a client
 * joining mid-import, and the heartbeat.
 */
import { describe, expect, it } from 'vitest';
import { copyFixtureRoot, makeCopiesRoot } from '../integration/helpers.js';
import { progressOf, request, SseClient, startService } from './helpers.js';

interface Started { session_id: string }

describe('GET /import/events', () => {
  it('follows a whole import: ImportSessionStarted, progress with the write figures, ImportSessionCompleted with the summary', async () => {
    const root = copyFixtureRoot();
    const { url } = await startService(root);
    const client = await SseClient.connect(`${url}/import/events`);
    const started = await request<Started>(`${url}/import/start`, 'POST', { root_folder: root, parameters: { jobs: 2 } });
    expect(started.status).toBe(202);
    await client.until(() => client.named('ImportSessionCompleted').length > 0, 90_000, 'ImportSessionCompleted');

    const names = client.messages.map((message) => message.event).filter((name) => name !== 'AnalysisLog');
    expect(names[0]).toBe('ImportSessionStarted');
    expect(names.at(-1)).toBe('ImportSessionCompleted');
    expect(new Set(names)).toEqual(new Set(['ImportSessionStarted', 'ImportProgressUpdate', 'ImportSessionCompleted']));
    expect(client.messages[0]!.data).toMatchObject({ type: 'ImportSessionStarted', sessionId: started.body.session_id, folder: '' });

    const updates = client.named('ImportProgressUpdate').map(progressOf);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    for (const progress of updates) {
      expect(progress.sessionId).toBe(started.body.session_id);
      // Once planned, the files to look at: the seven audio files, the cover and the notes.
      expect(progress.filesTotal).toBe(progress.phase === 'scanning' || progress.phase === 'planning' ? 0 : 9);
      expect(progress).toMatchObject({
        filesDone: expect.any(Number) as unknown, filesPerSecond: expect.any(Number) as unknown,
        counts: expect.objectContaining({ recorded: expect.any(Number) as unknown }) as unknown,
        inFlight: expect.any(Array) as unknown, recentPassages: expect.any(Array) as unknown,
        write: {
          lockAcquisitionsPerFile: expect.any(Number) as unknown, retries: expect.any(Number) as unknown,
          holdMs: expect.objectContaining({ p99: expect.any(Number) as unknown }) as unknown,
        },
      });
      expect(progress).toHaveProperty('etaSeconds');
    }
    const summary = client.named('ImportSessionCompleted')[0]!.data.summary as { sessionId: string; state: string; counts: { recorded: number }; write: { transactions: number } };
    expect(summary).toMatchObject({ sessionId: started.body.session_id, state: 'COMPLETED', counts: { recorded: 7 } });
    expect(summary.write.transactions).toBeGreaterThanOrEqual(1);
  });

  it('sends each client at most one ImportProgressUpdate per second', async () => {
    // 56 files, one worker: several seconds of progress.
    const { root } = makeCopiesRoot(8);
    const { url } = await startService(root);
    const client = await SseClient.connect(`${url}/import/events`);
    expect((await request(`${url}/import/start`, 'POST', { root_folder: root, parameters: { jobs: 1 } })).status).toBe(202);
    await client.until(() => client.named('ImportSessionCompleted').length > 0, 110_000, 'ImportSessionCompleted');
    const sentAt = client.named('ImportProgressUpdate').map((message) => progressOf(message).sentAt);
    expect(sentAt.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(1000);
    // Throttled, not dropped: the last update before the end is the latest state reached then.
    const last = progressOf(client.named('ImportProgressUpdate').at(-1)!);
    expect(last.filesDone as number).toBeGreaterThan(0);
  });

  it('gives a client that connects mid-import the current state at once', async () => {
    const { root } = makeCopiesRoot(20);
    const { url } = await startService(root);
    const first = await SseClient.connect(`${url}/import/events`);
    const started = await request<Started>(`${url}/import/start`, 'POST', { root_folder: root, parameters: { jobs: 1 } });
    await first.until(
      () => first.named('ImportProgressUpdate').some((message) => (progressOf(message).filesDone as number) >= 1), 90_000, 'a file analysed',
    );
    const late = await SseClient.connect(`${url}/import/events`);
    await late.until(() => late.messages.length > 0, 10_000, 'the current state');
    expect(late.messages[0]!.event).toBe('ImportProgressUpdate');
    const current = progressOf(late.messages[0]!);
    expect(current.sessionId).toBe(started.body.session_id);
    expect(current.filesDone as number).toBeGreaterThanOrEqual(1);
    expect(current.state).toBe('PROCESSING');
    // The state on joining, not the next broadcast.
    expect(current.joined).toBe(true);
    expect(first.named('ImportProgressUpdate').every((message) => progressOf(message).joined === undefined)).toBe(true);
    expect((await request(`${url}/import/cancel/${started.body.session_id}`, 'POST')).status).toBe(202);
    for (const client of [first, late]) {
      await client.until(() => client.named('ImportSessionCancelled').length > 0, 90_000, 'ImportSessionCancelled');
      expect(client.named('ImportSessionCancelled')[0]!.data.summary).toMatchObject({ sessionId: started.body.session_id, state: 'CANCELLED' });
    }
  });

  it('sends a heartbeat comment every heartbeat interval', async () => {
    const { url } = await startService(copyFixtureRoot(), { sse: { heartbeatMs: 50 } });
    const client = await SseClient.connect(`${url}/import/events`);
    await client.until(() => client.comments.filter((comment) => comment === 'heartbeat').length >= 2, 10_000, 'two heartbeats');
    expect(client.messages).toEqual([]);
  });
});
