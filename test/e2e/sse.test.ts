/**
 * GET /import/events over a real connection, parsed by hand: WKMP's event names, progress at most
 * once per second per client with the write path's figures, the current state at once for a client
 * joining mid-import, and the heartbeat.
 */
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../src/import/events.js';
import { SseHub } from '../../src/server/sse.js';
import { copyFixtureRoot, makeEndlessWav, waitFor } from '../integration/helpers.js';
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

    const names = client.messages.map((message) => message.event).filter((name) => name !== 'AnalysisLog' && name !== 'IdentificationProgress' && name !== 'FlavorProgress');
    expect(names[0]).toBe('ImportSessionStarted');
    expect(names.at(-1)).toBe('ImportSessionCompleted');
    expect(new Set(names)).toEqual(new Set(['ImportSessionStarted', 'ImportProgressUpdate', 'ImportSessionCompleted']));
    expect(client.messages[0]!.data).toMatchObject({ type: 'ImportSessionStarted', sessionId: started.body.session_id, folder: '' });
    // Then the identification queue runs over what the import recorded (this library's songs are too short to fingerprint); with no AcoustID key, it says so.
    await client.until(() => client.named('IdentificationProgress').length > 0, 30_000, 'IdentificationProgress');
    const queue = client.named('IdentificationProgress').map((message) => (message.data as { identification: { paused: string | null; counts: object } }).identification);
    expect(queue.at(-1)!.paused).toMatch(/^no AcoustID key/);
    expect(queue.at(-1)!.counts).toMatchObject({ waiting: 0, done: 0, noMatch: 0, failed: 0 });

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

  it('gives a client that connects mid-import the current state at once', async () => {
    const root = copyFixtureRoot();
    makeEndlessWav(join(root, 'endless.wav')); // the import cannot end before it is cancelled
    const { url } = await startService(root);
    const first = await SseClient.connect(`${url}/import/events`);
    const started = await request<Started>(`${url}/import/start`, 'POST', { root_folder: root, parameters: { jobs: 2 } });
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
    // Nothing else of an idle service but its background queues' start-up runs, which may end after the client joined.
    expect(client.messages.filter((message) => message.event !== 'IdentificationProgress' && message.event !== 'FlavorProgress')).toEqual([]);
  });
});

describe('SseHub throttling progress', () => {
  it('sends each client at most one ImportProgressUpdate per second, the latest state each time', async () => {
    const hub = new SseHub({ heartbeatMs: 60_000 });
    const server = createServer((_req, res) => hub.add(res, null));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = await SseClient.connect(`http://127.0.0.1:${port}/import/events`);
      // Progress offered every 10 ms, as a busy import does, until the client has had three updates.
      let offered = 0;
      while (client.named('ImportProgressUpdate').length < 3 && offered < 10_000) {
        hub.broadcast({ type: 'ImportProgressUpdate', progress: { sessionId: 's', filesDone: ++offered } as unknown as ImportProgress });
        await delay(10);
      }
      const updates = client.named('ImportProgressUpdate').map(progressOf);
      expect(updates.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < updates.length; i++) expect(updates[i]!.sentAt - updates[i - 1]!.sentAt).toBeGreaterThanOrEqual(1000);
      // Throttled, not queued: each update is a later state than the one before, the last no later than the last offered.
      for (let i = 1; i < updates.length; i++) expect(updates[i]!.filesDone as number).toBeGreaterThan(updates[i - 1]!.filesDone as number);
      expect(updates.at(-1)!.filesDone as number).toBeLessThanOrEqual(offered);
    } finally {
      hub.close();
      server.close();
    }
  });
});

describe('SseHub and a client that reads slowly', () => {
  it('numbers its events, advises a retry delay, and keeps no backlog for a client that does not read: only the latest progress, sent once it drains', async () => {
    const hub = new SseHub({ progressIntervalMs: 0, heartbeatMs: 60_000 });
    const server = createServer();
    const served = new Promise<ServerResponse>((resolve) => {
      server.once('request', (_req, res: ServerResponse) => resolve(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /import/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const res = await served;
    hub.add(res, null);
    socket.pause();
    try {
      // 2,000 updates of ~20 KB: 40 MB that a client which does not read could make the server hold.
      const big = 'x'.repeat(20_000);
      const progress = (filesDone: number) => ({ sessionId: 's', phase: 'analysing', filesDone, note: big }) as unknown as ImportProgress;
      for (let done = 1; done <= 2000; done++) hub.broadcast({ type: 'ImportProgressUpdate', progress: progress(done) });
      expect(res.writableLength).toBeLessThan(1024 * 1024);
      let text = '';
      socket.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
      socket.resume();
      await waitFor(() => text.includes('"filesDone":2000'), 10_000, 'the latest progress after the client read');
      expect(text).toMatch(/retry: \d+\n/);
      const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.length).toBeLessThan(2000);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      hub.close();
      socket.destroy();
      server.close();
    }
  });
});
