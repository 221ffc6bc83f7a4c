/**
 * The import sessions and their errors from the database, against the real server on 127.0.0.1:
 * GET /import/sessions (the latest first, whoever ran them, keyset-paged), GET /import/errors
 * (paged by id, with the total), the bounded first page in GET /import/status/{id} and in the
 * end-of-import event, and the limits refused outside their bounds.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/import/run.js';
import { copyFixtureRoot, fixtures, spawnCli, tempFolder } from '../integration/helpers.js';
import { request, SseClient, startService } from './helpers.js';
import { seedSessions } from './session-rows.js';

interface Listed {
  session_id: string; state: string; origin: string | null; folder: string | null; started_at: string; ended_at: string | null;
  files_total: number; files_processed: number; counts: { recorded: number; failed: number } | null; write: { transactions: number } | null;
  session_errors: unknown; file_errors: number;
}
interface Sessions { sessions: Listed[]; next_before: string | null }
interface FileError { id: number; path: string; phase: string; code: string; message: string }
interface Errors { session_id: string; errors: FileError[]; total: number; next_after: number }
interface Status { state: string; errors: { session: unknown; files: FileError[]; files_total: number; next_after: number } }

/** What test/fixtures/bad gives (bad-input.test.ts): one error per bad file. */
const badErrors = ['empty.mp3', 'picture.mp3', 'random.flac', 'text.flac', 'truncated.flac'].map((name) => `bad/${name}`);

/** Polls the session's status until it has ended (a safety net, not a measurement). */
async function untilEnded(url: string, id: string): Promise<void> {
  const deadline = performance.now() + 90_000;
  while ((await request<Status>(`${url}/import/status/${id}`)).body.state.match(/^(SCANNING|PROCESSING)$/)) {
    if (performance.now() > deadline) throw new Error(`session ${id} still running`);
    await delay(50);
  }
}

async function importHere(url: string, folder: string): Promise<string> {
  const started = await request<{ session_id: string }>(`${url}/import/start`, 'POST', { root_folder: folder, parameters: { jobs: 2 } });
  expect(started.status).toBe(202);
  await untilEnded(url, started.body.session_id);
  return started.body.session_id;
}

/** Every page of a session's errors, `limit` at a time, following next_after. */
async function allErrorPages(url: string, session: string, limit: number): Promise<Errors[]> {
  const pages: Errors[] = [];
  let after = 0;
  for (;;) {
    const { status, body } = await request<Errors>(`${url}/import/errors?session=${session}&after=${after}&limit=${limit}`);
    expect(status).toBe(200);
    pages.push(body);
    if (body.errors.length === 0) return pages;
    after = body.next_after;
  }
}

describe('GET /import/sessions', () => {
  it('lists the imports of the command line and of the service, the latest first, each with its origin, figures and error count', async () => {
    const root = copyFixtureRoot();
    cpSync(join(fixtures, 'bad'), join(root, 'bad'), { recursive: true });
    // The command line imports the bad files first, as a process of its own.
    const cli = await spawnCli(['import', '--root-folder', root, '--json', '--jobs', '2', join(root, 'bad')]).exited;
    expect(cli.code, cli.stderr).toBe(0);
    const cliSession = (JSON.parse(cli.stdout) as { sessionId: string }).sessionId;
    const { url } = await startService(root);
    const serviceSession = await importHere(url, 'Artist B');

    const { status, body } = await request<Sessions>(`${url}/import/sessions`);
    expect(status).toBe(200);
    expect(body.next_before).toBeNull();
    expect(body.sessions.map((session) => [session.session_id, session.origin, session.folder, session.state])).toEqual([
      [serviceSession, 'service', 'Artist B', 'COMPLETED'],
      [cliSession, 'cli', 'bad', 'COMPLETED'],
    ]);
    const [service, command] = body.sessions;
    expect(service).toMatchObject({ files_total: 2, files_processed: 2, file_errors: 0, counts: { recorded: 2, failed: 0 }, session_errors: [] });
    expect(command).toMatchObject({ file_errors: badErrors.length, counts: { failed: badErrors.length } });
    expect(command!.write!.transactions).toBeGreaterThanOrEqual(1);
    expect(Date.parse(command!.ended_at!)).toBeLessThanOrEqual(Date.parse(service!.started_at));

    // Its errors, two at a time, then none; the status gives them in its first page.
    const pages = await allErrorPages(url, cliSession, 2);
    expect(pages.map((page) => page.errors.length)).toEqual([2, 2, 1, 0]);
    expect(pages.every((page) => page.total === badErrors.length && page.session_id === cliSession)).toBe(true);
    expect(pages.at(-1)!.next_after).toBe(pages.at(-2)!.next_after);
    const errors = pages.flatMap((page) => page.errors);
    expect(errors.map((error) => error.path).sort()).toEqual(badErrors);
    expect(errors.map((error) => error.id)).toEqual([...errors.map((error) => error.id)].sort((a, b) => a - b));
    const statusAnswer = await request<Status>(`${url}/import/status/${cliSession}`);
    expect(statusAnswer.body.errors).toEqual({ session: [], files: errors, files_total: badErrors.length, next_after: errors.at(-1)!.id });
  });

  it('pages by a cursor: the sessions before the last one listed, ties on the start time kept in one order', async () => {
    const root = copyFixtureRoot();
    const seeded = [
      { id: 's1', startedAt: '2024-01-01T10:00:00.000Z', parameters: '{"jobs":2,"origin":"cli"}' },
      { id: 's2', startedAt: '2024-01-02T10:00:00.000Z', parameters: '{"jobs":2,"origin":"service"}' },
      { id: 's3a', startedAt: '2024-01-03T10:00:00.000Z', parameters: '{"jobs":2}' },
      { id: 's3b', startedAt: '2024-01-03T10:00:00.000Z', parameters: 'not json' },
      { id: 's4', startedAt: '2024-01-04T10:00:00.000Z', parameters: '{"origin":"elsewhere"}' },
    ];
    seedSessions(join(root, 'wkmp.db'), seeded);
    const { url } = await startService(root);

    const listed: Listed[] = [];
    const cursors: (string | null)[] = [];
    let before: string | null = null;
    do {
      const query: string = before === null ? '' : `&before=${before}`;
      const { status, body } = await request<Sessions>(`${url}/import/sessions?limit=2${query}`);
      expect(status).toBe(200);
      expect(body.sessions.length).toBeLessThanOrEqual(2);
      listed.push(...body.sessions);
      cursors.push(body.next_before);
      before = body.next_before;
    } while (before !== null);
    expect(listed.map((session) => session.session_id)).toEqual(['s4', 's3b', 's3a', 's2', 's1']);
    expect(cursors).toEqual(['s3b', 's2', null]);
    // The origin as the claim kept it; none from sessions that did not say, or said something else.
    expect(listed.map((session) => session.origin)).toEqual([null, null, null, 'service', 'cli']);
  });

  it('refuses a limit outside 1..100 and a cursor that names no session (400)', async () => {
    const { url } = await startService(copyFixtureRoot());
    for (const query of ['limit=0', 'limit=101', 'limit=-1', 'limit=ten', 'before=', 'other=1']) {
      const answer = await request(`${url}/import/sessions?${query}`);
      expect(answer.status, query).toBe(400);
    }
    expect((await request(`${url}/import/sessions?limit=101`)).body.message).toBe('limit must be from 1 to 100, got 101');
    expect((await request(`${url}/import/sessions?before=no-such-session`)).body.message).toMatch(/no-such-session/);
    expect((await request<Sessions>(`${url}/import/sessions?limit=100`)).body).toEqual({ sessions: [], next_before: null });
  });
});

describe('GET /import/errors', () => {
  it('pages a session\'s errors by id with the total, 1 to 1000 at a time', async () => {
    const root = copyFixtureRoot();
    seedSessions(join(root, 'wkmp.db'), [{ id: 'many', startedAt: '2024-01-01T10:00:00.000Z', parameters: '{"jobs":1}', errors: 1001 }]);
    const { url } = await startService(root);
    const pages = await allErrorPages(url, 'many', 1000);
    expect(pages.map((page) => [page.errors.length, page.total])).toEqual([[1000, 1001], [1, 1001], [0, 1001]]);
    // The default page is 100.
    const first = await request<Errors>(`${url}/import/errors?session=many`);
    expect(first.body.errors).toEqual(pages[0]!.errors.slice(0, 100));
    expect(first.body.next_after).toBe(first.body.errors[99]!.id);

    for (const query of ['session=many&limit=0', 'session=many&limit=1001', 'session=many&after=-1', 'limit=10', 'session=many&extra=1']) {
      expect((await request(`${url}/import/errors?${query}`)).status, query).toBe(400);
    }
    expect((await request(`${url}/import/errors?session=many&limit=1001`)).body.message).toBe('limit must be from 1 to 1000, got 1001');
    expect((await request(`${url}/import/errors?session=no-such-session`)).status).toBe(404);
  });

  it('bounds the errors of a status and of the end-of-import event to the first 100, with their total; the command line\'s summary keeps them all', async () => {
    const root = tempFolder();
    mkdirSync(join(root, 'empty'));
    for (let i = 0; i < 120; i++) writeFileSync(join(root, 'empty', `e${String(i).padStart(3, '0')}.mp3`), '');
    // In process, as `wkmp-ai import` runs it: every error in its summary.
    const cli = await runImport({ rootFolder: root, jobs: 2 });
    expect(cli).toMatchObject({ state: 'COMPLETED', errorsTotal: 120 });
    expect(cli.errors).toHaveLength(120);

    // The service imports the same empty files again: its event carries the first 100.
    const { url } = await startService(root);
    const client = await SseClient.connect(`${url}/import/events`);
    const id = await importHere(url, '.');
    await client.until(() => client.named('ImportSessionCompleted').length > 0, 30_000, 'ImportSessionCompleted');
    const summary = client.named('ImportSessionCompleted')[0]!.data.summary as { sessionId: string; errors: { path: string }[]; errorsTotal: number };
    expect(summary.sessionId).toBe(id);
    expect(summary.errorsTotal).toBe(120);
    expect(summary.errors).toHaveLength(100);

    const status = await request<Status>(`${url}/import/status/${id}`);
    expect(status.body.errors.files).toHaveLength(100);
    expect(status.body.errors.files_total).toBe(120);
    expect(summary.errors).toEqual(status.body.errors.files.map(({ path, phase, code, message }) => ({ path, phase, code, message })));
    const rest = await request<Errors>(`${url}/import/errors?session=${id}&after=${status.body.errors.next_after}&limit=1000`);
    expect(rest.body.errors).toHaveLength(20);
    const paths = [...status.body.errors.files, ...rest.body.errors].map((error) => error.path);
    expect(new Set(paths).size).toBe(120);

    const sessions = await request<Sessions>(`${url}/import/sessions`);
    expect(sessions.body.sessions.map((session) => [session.session_id, session.origin, session.file_errors]))
      .toEqual([[id, 'service', 120], [cli.sessionId, 'cli', 120]]);
  });
});
