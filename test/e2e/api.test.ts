/**
 * The HTTP API of `wkmp-ai serve` against the real server listening on 127.0.0.1, port 0, driven
 * with fetch: import start / status / active / cancel, the refusals (400, 404, 409), settings,
 * global parameters, amplitude analysis, file classification and the recorded passages.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openWriter } from '../integration/db-helpers.js';
import { insertSession } from '../../src/db/queries/sessions.js';
import { copyFixtureRoot, decodersReading, holdWriteLock, inspect, makeEndlessWav, sessionRows, tempFolder, waitFor } from '../integration/helpers.js';
import { setSettings } from '../integration/db-helpers.js';
import { request, startService } from './helpers.js';
import { availableParallelism } from 'node:os';
import { maxJobs, settings } from '../../src/config/settings.js';

interface Started { session_id: string; state: string; started_at: string }
interface Status { session_id: string; state: string; files_total: number; counts: { recorded: number } | null; progress: unknown }

/** Polls the session's status until `states` has it (a safety-net timeout, not a measurement). */
async function statusUntil(url: string, id: string, states: readonly string[]): Promise<Status> {
  const deadline = performance.now() + 90_000;
  for (;;) {
    const { status, body } = await request<Status>(`${url}/import/status/${id}`);
    expect(status).toBe(200);
    if (states.includes(body.state)) return body;
    if (performance.now() > deadline) throw new Error(`session ${id} still ${body.state}`);
    await delay(50);
  }
}

async function runToEnd(url: string, folder: string): Promise<Status> {
  const started = await request<Started>(`${url}/import/start`, 'POST', { root_folder: folder });
  expect(started.status).toBe(202);
  return statusUntil(url, started.body.session_id, ['COMPLETED', 'CANCELLED', 'FAILED']);
}

describe('wkmp-ai serve: import sessions', () => {
  it('answers /health', async () => {
    const { url } = await startService(copyFixtureRoot());
    const { status, body } = await request(`${url}/health`);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ok', service: 'wkmp-ai', active_session: null, event_streams: { open: 0, limit: 32 }, measures: { in_flight: 0, limit: 4 },
    });
  });

  it('starts an import and reports it COMPLETED with its counts', async () => {
    const root = copyFixtureRoot();
    const { url } = await startService(root);
    const started = await request<Started>(`${url}/import/start`, 'POST', { root_folder: root, parameters: { jobs: 2 } });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ session_id: expect.any(String) as unknown, state: 'SCANNING', started_at: expect.any(String) as unknown });
    const id = started.body.session_id;
    const done = await statusUntil(url, id, ['COMPLETED', 'CANCELLED', 'FAILED']);
    // Files looked at: the seven audio files, the cover and the notes.
    expect(done).toMatchObject({ session_id: id, state: 'COMPLETED', files_total: 9 });
    expect(done.counts?.recorded).toBe(7);
    expect((await request<{ session: Status | null }>(`${url}/import/active`)).body).toEqual({ session: null });
    const db = inspect(join(root, 'wkmp.db'));
    try {
      expect(sessionRows(db).map((row) => [row.sessionId, row.state])).toEqual([[id, 'COMPLETED']]);
    } finally {
      db.close();
    }
  });

  it('shows the import active while it runs and none once it has ended', async () => {
    // A file whose analysis takes minutes: the import cannot end before it is cancelled.
    const root = copyFixtureRoot();
    makeEndlessWav(join(root, 'endless.wav'));
    const { url } = await startService(root);
    const started = await request<Started>(`${url}/import/start`, 'POST', { root_folder: root, parameters: { jobs: 2 } });
    const id = started.body.session_id;
    expect((await request<{ session: Status | null }>(`${url}/import/active`)).body.session?.session_id).toBe(id);
    expect((await request(`${url}/import/cancel/${id}`, 'POST')).status).toBe(202);
    await statusUntil(url, id, ['CANCELLED']);
    expect((await request<{ session: Status | null }>(`${url}/import/active`)).body).toEqual({ session: null });
  });

  it('accepts a folder inside the root, relative to it', async () => {
    const root = copyFixtureRoot();
    const { url } = await startService(root);
    const done = await runToEnd(url, 'Artist B');
    expect(done).toMatchObject({ state: 'COMPLETED', files_total: 2 });
  });

  it('refuses a second start while an import runs (409), cancels the running one, and refuses to cancel it twice', async () => {
    const root = copyFixtureRoot();
    makeEndlessWav(join(root, 'endless.wav')); // the import cannot end before it is cancelled
    const { url } = await startService(root);
    const first = await request<Started>(`${url}/import/start`, 'POST', { root_folder: root, parameters: { jobs: 2 } });
    expect(first.status).toBe(202);
    const second = await request(`${url}/import/start`, 'POST', { root_folder: root });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    expect(second.body.message).toContain(first.body.session_id);
    const cancel = await request(`${url}/import/cancel/${first.body.session_id}`, 'POST');
    expect(cancel.status).toBe(202);
    expect(cancel.body).toEqual({ session_id: first.body.session_id, state: 'CANCELLING' });
    const ended = await statusUntil(url, first.body.session_id, ['COMPLETED', 'CANCELLED', 'FAILED']);
    expect(ended.state).toBe('CANCELLED');
    const again = await request(`${url}/import/cancel/${first.body.session_id}`, 'POST');
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('CANCELLED');
    // Once it has ended, a new import may start.
    const third = await request<Started>(`${url}/import/start`, 'POST', { root_folder: root, parameters: { jobs: 2 } });
    expect(third.status).toBe(202);
    expect((await request(`${url}/import/cancel/${third.body.session_id}`, 'POST')).status).toBe(202);
    await statusUntil(url, third.body.session_id, ['CANCELLED']);
  });

  it('marks sessions left running by a dead process CANCELLED at start-up', async () => {
    const root = copyFixtureRoot();
    const db = openWriter(join(root, 'wkmp.db'));
    // A pid above the kernel's pid_max: no process has it.
    insertSession(db, { sessionId: 'abandoned-1', rootFolder: root, folder: '', parameters: '{}', ownerPid: 2 ** 22 + 1 });
    db.close();
    const { url } = await startService(root);
    const { status, body } = await request<Status & { errors: { session: string[] } }>(`${url}/import/status/abandoned-1`);
    expect(status).toBe(200);
    expect(body.state).toBe('CANCELLED');
    expect(body.errors.session[0]).toMatch(/abandoned/);
  });
});

describe('wkmp-ai serve: refusals', () => {
  function library(): { root: string; elsewhere: string } {
    const root = copyFixtureRoot();
    const elsewhere = tempFolder();
    writeFileSync(join(elsewhere, 'a.mp3'), 'x');
    symlinkSync(elsewhere, join(root, 'Linked'));
    return { root, elsewhere };
  }

  it.each([
    ['a missing folder', () => 'No Such Folder', /does not exist or is not a folder/],
    ['a file, not a folder', () => 'notes.txt', /does not exist or is not a folder/],
    ['..', () => '..', /outside the root folder/],
    ['a path climbing out through ..', () => 'Artist A/../..', /outside the root folder/],
    ['an absolute path elsewhere', (elsewhere: string) => elsewhere, /outside the root folder/],
    ['a symbolic link leading out', () => 'Linked', /outside the root folder/],
  ])('refuses %s with 400 and one clear line', async (_what, folder, message) => {
    const { root, elsewhere } = library();
    const { url } = await startService(root);
    const answer = await request(`${url}/import/start`, 'POST', { root_folder: folder(elsewhere) });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(answer.body.message).toMatch(message);
    expect(answer.text).not.toMatch(/\n|at .*\.ts/);
    expect((await request(`${url}/import/active`)).body).toEqual({ session: null });
  });

  it.each([
    ['no root_folder', { parameters: {} }, /root_folder/],
    ['a root_folder that is not a string', { root_folder: 3 }, /root_folder/],
    ['an unknown property', { root_folder: '.', extra: true }, /additional properties/],
    ['bad parameters', { root_folder: '.', parameters: { jobs: 0 } }, /jobs/],
    // The bound of the ingest_max_concurrent_jobs setting, the same from the command line and the page.
    ['more workers than four per core', { root_folder: '.', parameters: { jobs: maxJobs() + 1 } }, new RegExp(`jobs must be <= ${maxJobs()}`)],
  ])('refuses a body with %s (400)', async (_what, body, message) => {
    const { url } = await startService(copyFixtureRoot());
    const answer = await request(`${url}/import/start`, 'POST', body);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(message);
  });

  it('refuses a body that is not JSON (400) and one over the size limit (413), without a stack trace', async () => {
    const { url } = await startService(copyFixtureRoot());
    const broken = await request(`${url}/import/start`, 'POST', undefined, '{"root_folder":');
    expect(broken.status).toBe(400);
    expect(broken.text).not.toMatch(/\n|stack|at .*\.js/);
    const huge = await request(`${url}/import/start`, 'POST', { root_folder: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(huge.text).not.toContain('stack');
  });

  it('answers 404 for unknown sessions and routes', async () => {
    const { url } = await startService(copyFixtureRoot());
    const status = await request(`${url}/import/status/no-such-session`);
    expect(status.status).toBe(404);
    expect(status.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'no import session no-such-session' });
    expect((await request(`${url}/import/cancel/no-such-session`, 'POST')).status).toBe(404);
    expect((await request(`${url}/no/such/route`)).status).toBe(404);
  });
});

describe('wkmp-ai serve: settings and parameters', () => {
  it('reads every setting wkmp-ai owns, writes valid values to the settings table, refuses unknown keys and bad values', async () => {
    const root = copyFixtureRoot();
    const { url } = await startService(root);
    type Settings = { settings: Record<string, string | null>; secrets: Record<string, { set: boolean; from: string | null }> };
    const read = await request<Settings>(`${url}/api/settings`);
    expect(read.status).toBe(200);
    expect(read.body.settings).toMatchObject({ ai_database_lock_retry_ms: '5000', silence_threshold_dB: '70', apply_a_weighting: 'true', ingest_max_concurrent_jobs: null });
    expect(read.body.secrets).toEqual({ acoustid_api_key: { set: false, from: null } });
    const write = await request<Settings>(`${url}/api/settings`, 'POST', {
      ingest_max_concurrent_jobs: 3, silence_threshold_dB: '40.5', acoustid_api_key: 'KEY', apply_a_weighting: false, music_directories: '["/a","/b"]',
    });
    expect(write.status).toBe(200);
    expect(write.body.settings).toMatchObject({ ingest_max_concurrent_jobs: '3', silence_threshold_dB: '40.5', apply_a_weighting: 'false', music_directories: '["/a","/b"]' });
    // A secret is written, never read back: the API says it is set.
    expect(write.body.settings).not.toHaveProperty('acoustid_api_key');
    expect(write.body.secrets).toEqual({ acoustid_api_key: { set: true, from: 'setting' } });
    expect(JSON.stringify((await request(`${url}/api/settings`)).body)).not.toContain('KEY');
    const db = inspect(join(root, 'wkmp.db'));
    try {
      expect(db.prepare("SELECT key, value FROM settings WHERE key IN ('ingest_max_concurrent_jobs', 'acoustid_api_key') ORDER BY key").all())
        .toEqual([{ key: 'acoustid_api_key', value: 'KEY' }, { key: 'ingest_max_concurrent_jobs', value: '3' }]);
    } finally {
      db.close();
    }
    const unknown = await request(`${url}/api/settings`, 'POST', { no_such_key: 1, silence_threshold_dB: 20 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('unknown setting `no_such_key`');
    const bad = await request(`${url}/api/settings`, 'POST', { ai_database_lock_retry_ms: -1, lead_in_threshold_db: 3, music_directories: 'x', ingest_max_concurrent_jobs: 9999 });
    expect(bad.status).toBe(400);
    // One line, each setting named by its label and key, with its rule in its unit.
    expect(bad.body.message).toBe([
      'read wait (ai_database_lock_retry_ms) must be a whole number from 0 to 600000 ms, got `-1`',
      'lead-in threshold (lead_in_threshold_db) must be a number from -60 to 0 dB, got `3`',
      'music folders (music_directories) must be a JSON array of folder paths, got `"x"`',
      `concurrent analyses (ingest_max_concurrent_jobs) must be a whole number from 1 to ${maxJobs()} workers, got \`9999\``,
    ].join('; '));
    // Nothing of a refused write is stored.
    const after = await request<Settings>(`${url}/api/settings`);
    expect(after.body.settings).toMatchObject({ silence_threshold_dB: '40.5', ai_database_lock_retry_ms: '5000', lead_in_threshold_db: '-12', ingest_max_concurrent_jobs: '3' });
    expect((await request(`${url}/api/settings`, 'POST', {})).status).toBe(400);
    expect((await request(`${url}/api/settings`, 'POST', { rms_window_ms: [1] })).status).toBe(400);
    // The secret cleared: set no more, and the worker count back to this machine's.
    const cleared = await request<Settings>(`${url}/api/settings`, 'POST', { acoustid_api_key: null, ingest_max_concurrent_jobs: null });
    expect(cleared.body.secrets.acoustid_api_key).toEqual({ set: false, from: null });
    expect(cleared.body.settings.ingest_max_concurrent_jobs).toBeNull();
  });

  it('answers 503 with one line when another process holds wkmp.db past ai_database_max_lock_wait_ms, stores nothing, and takes the write again after', async () => {
    const root = copyFixtureRoot();
    const path = join(root, 'wkmp.db');
    await setSettings(path, { ai_database_max_lock_wait_ms: '200' });
    const { url } = await startService(root);
    const holder = await holdWriteLock(path); // held until released, however slow the machine
    const refused = await request(`${url}/api/settings`, 'POST', { rms_window_ms: 60 });
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(/^storing the settings rms_window_ms: wkmp\.db is still locked by another process after \d+\.\d s \(ai_database_max_lock_wait_ms\); nothing was written, try again$/);
    await holder.release();
    expect((await request<{ settings: Record<string, string> }>(`${url}/api/settings`)).body.settings.rms_window_ms).toBe('100');
    expect((await request(`${url}/api/settings`, 'POST', { rms_window_ms: 60 })).status).toBe(200);
  });

  it('measures every writer\'s transactions, settings and sessions as well as imports', async () => {
    const { url } = await startService(copyFixtureRoot());
    expect((await request(`${url}/api/settings`, 'POST', { rms_window_ms: 60 })).status).toBe(200);
    const writes = await request<{ writers: Record<string, { transactions: number; lockWaitMs: { max: number }; holdMs: { p99: number } }> }>(`${url}/api/writes`);
    expect(writes.status).toBe(200);
    expect(writes.body.writers.settings).toMatchObject({ transactions: 1, files: 0, retries: 0 });
    // The sessions a dead process left are looked for at every start.
    expect(writes.body.writers.session!.transactions).toBeGreaterThanOrEqual(1);
  });

  it('describes every setting to the page: label, help, unit people read, bounds, default, secret', async () => {
    const { url } = await startService(copyFixtureRoot());
    const answer = await request<{ groups: { id: string; title: string }[]; fields: Record<string, unknown>[] }>(`${url}/api/settings/fields`);
    expect(answer.status).toBe(200);
    expect(answer.body.groups.map((group) => group.id)).toEqual(['identification', 'flavor', 'import', 'boundaries', 'leads', 'database']);
    expect(answer.body.fields.map((field) => field.key)).toEqual(settings.map((setting) => setting.key));
    expect(answer.body.fields.find((field) => field.key === 'ingest_max_concurrent_jobs')).toMatchObject({
      label: 'concurrent analyses', unit: 'workers', min: 1, max: maxJobs(), default: String(availableParallelism()), defaultText: 'the number of cores of the machine that runs',
    });
    expect(answer.body.fields.find((field) => field.key === 'acoustid_api_key')).toMatchObject({ secret: true, default: null });
  });

  it('reads and writes the global silence and lead-in / lead-out parameters, typed, stored as settings', async () => {
    const { url } = await startService(copyFixtureRoot());
    const read = await request(`${url}/parameters/global`);
    expect(read.body).toEqual({
      silence_threshold_dB: 70, silence_min_duration_ticks: 14_112_000, minimum_passage_audio_duration_ticks: 2_822_400,
      minimum_song_duration_ticks: 423_360_000,
      rms_window_ms: 100, lead_in_threshold_db: -12, lead_out_threshold_db: -12, quick_ramp_threshold: 0.75, quick_ramp_duration_s: 1,
      max_lead_in_duration_s: 5, max_lead_out_duration_s: 5, apply_a_weighting: true,
    });
    const write = await request(`${url}/parameters/global`, 'POST', { lead_in_threshold_db: -9, apply_a_weighting: false });
    expect(write.status).toBe(200);
    expect(write.body).toMatchObject({ lead_in_threshold_db: -9, apply_a_weighting: false, lead_out_threshold_db: -12 });
    const settings = await request<{ settings: Record<string, string> }>(`${url}/api/settings`);
    expect(settings.body.settings).toMatchObject({ lead_in_threshold_db: '-9', apply_a_weighting: 'false' });
    const refused = await request(`${url}/parameters/global`, 'POST', { quick_ramp_threshold: 2 });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('quick ramp level (quick_ramp_threshold) must be a number from 0.01 to 1, got `2`');
    expect((await request(`${url}/parameters/global`, 'POST', { ingest_max_concurrent_jobs: 2 })).status).toBe(400);
    expect((await request(`${url}/parameters/global`, 'POST', { rms_window_ms: 'wide' })).status).toBe(400);
  });
});

describe('wkmp-ai serve: analysis and lists', () => {
  it('finds lead-in, lead-out and the envelope of a file and of a region of it', async () => {
    const root = copyFixtureRoot('analysis');
    const { url } = await startService(root);
    interface Amplitude { start_ticks: number; end_ticks: number; lead_in_start_ticks: number; lead_out_start_ticks: number; envelope: number[]; window_seconds: number; peak_rms: number }
    const whole = await request<Amplitude>(`${url}/analyze/amplitude`, 'POST', { file_path: 'three-songs.mp3' });
    expect(whole.status).toBe(200);
    expect(whole.body.start_ticks).toBe(0);
    expect(whole.body.end_ticks).toBeGreaterThan(0);
    expect(whole.body.window_seconds).toBeCloseTo(0.1, 2);
    expect(whole.body.envelope.length).toBeGreaterThan(10);
    expect(whole.body.peak_rms).toBeGreaterThan(0);
    expect(whole.body.lead_in_start_ticks).toBeGreaterThanOrEqual(0);
    expect(whole.body.lead_out_start_ticks).toBeGreaterThanOrEqual(whole.body.lead_in_start_ticks);
    expect(whole.body.lead_out_start_ticks).toBeLessThanOrEqual(whole.body.end_ticks);
    const second = 28_224_000;
    const region = await request<Amplitude>(`${url}/analyze/amplitude`, 'POST', { file_path: 'three-songs.mp3', start_ticks: second, end_ticks: 3 * second });
    expect(region.status).toBe(200);
    expect(region.body.start_ticks).toBe(second);
    expect(region.body.envelope).toHaveLength(20);
    expect(region.body.lead_in_start_ticks).toBeGreaterThanOrEqual(second);
    expect(region.body.lead_out_start_ticks).toBeLessThanOrEqual(region.body.end_ticks);
  });

  it('measures in a worker thread: the service answers while it measures, and a client that goes away stops the measure and its decoder', async () => {
    const root = tempFolder();
    // 35 hours of sparse silence: measuring it would take minutes, so only the abort can end it in seconds.
    const long = join(root, 'long.wav');
    makeEndlessWav(long);
    const { url } = await startService(root);
    const client = new AbortController();
    const measuring = fetch(`${url}/analyze/amplitude`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ file_path: 'long.wav' }), signal: client.signal,
    }).catch((error: unknown) => error);
    await waitFor(() => decodersReading(long).length > 0, 30_000, 'the measure to start decoding');
    expect((await request(`${url}/health`)).status).toBe(200);
    client.abort();
    await measuring;
    await waitFor(() => decodersReading(long).length === 0, 10_000, 'the decoder of the abandoned measure to end');
  });

  it('answers 422 naming the file when it cannot be decoded', async () => {
    const root = tempFolder();
    writeFileSync(join(root, 'noise.mp3'), Buffer.alloc(4096, 7));
    const { url } = await startService(root);
    const answer = await request<{ message: string }>(`${url}/analyze/amplitude`, 'POST', { file_path: 'noise.mp3' });
    expect(answer.status).toBe(422);
    expect(answer.body.message).toMatch(/^decoding noise\.mp3: /);
  });

  it('refuses bad amplitude requests: missing file 404, outside the root 400, bad region 400', async () => {
    const root = copyFixtureRoot('analysis');
    const elsewhere = tempFolder();
    writeFileSync(join(elsewhere, 'x.mp3'), 'x');
    symlinkSync(join(elsewhere, 'x.mp3'), join(root, 'link.mp3'));
    mkdirSync(join(root, 'folder'));
    const { url } = await startService(root);
    const post = (body: unknown) => request(`${url}/analyze/amplitude`, 'POST', body);
    expect((await post({ file_path: 'missing.mp3' })).status).toBe(404);
    expect((await post({ file_path: '../x.mp3' })).status).toBe(400);
    expect((await post({ file_path: join(elsewhere, 'x.mp3') })).status).toBe(400);
    expect((await post({ file_path: 'link.mp3' })).status).toBe(400);
    expect((await post({ file_path: 'folder' })).status).toBe(400);
    expect((await post({ file_path: 'three-songs.mp3', start_ticks: 10, end_ticks: 5 })).status).toBe(400);
    expect((await post({ file_path: 'three-songs.mp3', start_ticks: -1 })).status).toBe(400);
    expect((await post({})).status).toBe(400);
  });

  it('lists the files of the last import by class, a page at a time, and the passages it recorded', async () => {
    const root = copyFixtureRoot();
    const { url } = await startService(root);
    const empty = await request(`${url}/api/import/file-classification?category=audio`);
    expect(empty.body).toMatchObject({ session_id: null, total: 0, paths: [] });
    const done = await runToEnd(url, root);
    expect(done.state).toBe('COMPLETED');
    const audio = await request<{ session_id: string; total: number; paths: string[] }>(`${url}/api/import/file-classification?category=audio`);
    expect(audio.body.session_id).toBe(done.session_id);
    expect(audio.body.total).toBe(7);
    expect([...audio.body.paths].sort()).toEqual([
      'Artist A/Album One/01 First.mp3', 'Artist A/Album One/02 Second.flac', 'Artist B/Fourth.opus', 'Artist B/Third.ogg',
      'Various/Fifth.m4a', 'Various/Sixth copy.wav', 'Various/Sixth.wav',
    ]);
    const page = await request<{ paths: string[]; total: number }>(`${url}/api/import/file-classification?category=audio&offset=5&limit=10`);
    expect(page.body.paths).toEqual(audio.body.paths.slice(5));
    expect((await request(`${url}/api/import/file-classification?category=image`)).body).toMatchObject({ total: 1, paths: ['Artist A/Album One/cover.jpg'] });
    expect((await request(`${url}/api/import/file-classification?category=other`)).body).toMatchObject({ total: 1, paths: ['notes.txt'] });
    expect((await request(`${url}/api/import/file-classification?category=video`)).body).toMatchObject({ total: 0, paths: [] });
    expect((await request(`${url}/api/import/file-classification?category=films`)).status).toBe(400);
    expect((await request(`${url}/api/import/file-classification?category=audio&limit=0`)).status).toBe(400);

    interface Passages { session_id: string; passages: { seq: number; path: string; title: string | null; startTicks: number; endTicks: number; leadInStartTicks: number }[]; next_after: number }
    const passages = await request<Passages>(`${url}/import/passages?session=${done.session_id}`);
    expect(passages.status).toBe(200);
    // Six contents: the copy of Sixth.wav is a duplicate and has no passages.
    expect(passages.body.passages.map((passage) => passage.path).sort()).toEqual([
      'Artist A/Album One/01 First.mp3', 'Artist A/Album One/02 Second.flac', 'Artist B/Fourth.opus', 'Artist B/Third.ogg',
      'Various/Fifth.m4a', expect.stringMatching(/^Various\/Sixth( copy)?\.wav$/) as unknown,
    ]);
    expect(passages.body.passages.map((passage) => passage.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const passage of passages.body.passages) expect(passage.endTicks).toBeGreaterThan(passage.startTicks);
    const later = await request<Passages>(`${url}/import/passages?after=4`);
    expect(later.body.passages.map((passage) => passage.seq)).toEqual([5, 6]);
    expect(later.body.next_after).toBe(6);
    expect((await request(`${url}/import/passages?session=unknown`)).status).toBe(404);
  });
});
