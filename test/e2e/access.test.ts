/**
 * Who may talk to `wkmp-ai serve` (src/server/access.ts), against the real server: on loopback the
 * machine's own users, by loopback's names only (a page that rebinds its own name to 127.0.0.1 is
 * refused, and so is another site's page posting to it); bound beyond loopback, only those holding
 * its token, made on the first start and kept with mode 0600. And the queues a request can grow
 * (event streams, measures) are bounded.
 */
import { request as httpRequest } from 'node:http';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { copyFixtureRoot, decodersReading, inspect, makeEndlessWav, spawnCli, tempFolder, waitFor } from '../integration/helpers.js';
import { SseClient, startService } from './helpers.js';
import { newPage } from './browser.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { message?: string } & Record<string, unknown>;
}

/** One request with the headers given as they are (fetch would not send a Host of our choosing). */
function ask(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  const target = new URL(url);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: options.method ?? 'GET',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('end', () => {
        let parsed: Reply['body'];
        try {
          parsed = text === '' ? {} : JSON.parse(text) as Reply['body'];
        } catch {
          parsed = { text };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Asks /health until `test` holds (a safety net of a minute, not a measurement). */
async function healthUntil(url: string, test: (body: Reply['body']) => boolean, what: string): Promise<Reply['body']> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const { body } = await ask(`${url}/health`);
    if (test(body)) return body;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

describe('the service on loopback', () => {
  it('answers its own names and refuses any other Host (DNS rebinding), on the page as on the API', async () => {
    const { url } = await startService(copyFixtureRoot());
    const port = new URL(url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost']) {
      expect((await ask(`${url}/api/settings`, { headers: { host } })).status, host).toBe(200);
    }
    const strangers: [string, string][] = [['/api/settings', `rebind.example:${port}`], ['/', `rebind.example:${port}`], ['/import/events', 'evil.test']];
    for (const [path, host] of strangers) {
      const refused = await ask(`${url}${path}`, { headers: { host } });
      expect(refused.status, `${path} ${host}`).toBe(421);
      expect(refused.body.message).toMatch(new RegExp(`^the Host header \`${host.replace('.', '\\.')}\` is not a name of this service \\(localhost, 127\\.0\\.0\\.1, \\[::1\\]\\); start it with --allowed-host to add one$`));
    }
  });

  it('refuses a change sent by another site\'s page (its Origin), and changes nothing', async () => {
    const root = copyFixtureRoot();
    const { url } = await startService(root);
    const refused = await ask(`${url}/api/settings`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: { rms_window_ms: 50 } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('refused a POST sent by a page of another site (Origin https://evil.example)');
    const db = inspect(join(root, 'wkmp.db'));
    try {
      expect(db.prepare("SELECT value FROM settings WHERE key = 'rms_window_ms'").get()).toEqual({ value: '100' });
    } finally {
      db.close();
    }
    // The service's own page may.
    expect((await ask(`${url}/api/settings`, { method: 'POST', headers: { origin: url }, body: { rms_window_ms: 50 } })).status).toBe(200);
  });

  it('asks no token on loopback', async () => {
    const service = await startService(copyFixtureRoot());
    expect(service.token).toBeNull();
    expect((await ask(`${service.url}/import/active`)).status).toBe(200);
  });
});

describe('the service bound beyond loopback', () => {
  it('makes its token on the first start, keeps it with mode 0600, and asks for it on every route but the page and /health', async () => {
    const tokenFile = join(tempFolder(), 'wkmp', 'wkmp-ai.token');
    const root = copyFixtureRoot();
    const first = await startService(root, { host: '0.0.0.0', tokenFile, env: {} });
    expect(first).toMatchObject({ tokenSource: 'created', tokenFile });
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const url = first.url.replace('0.0.0.0', '127.0.0.1');
    const token = first.token!;

    for (const [method, path, body] of [
      ['GET', '/api/settings', undefined], ['POST', '/api/settings', { rms_window_ms: 50 }], ['GET', '/import/active', undefined],
      ['POST', '/import/start', { root_folder: '.' }], ['GET', '/import/events', undefined], ['POST', '/analyze/amplitude', { file_path: 'x.flac' }],
      ['GET', '/api/folders?path=', undefined], ['GET', '/api/settings/fields', undefined], ['GET', '/no/such/route', undefined],
    ] as const) {
      const refused = await ask(`${url}${path}`, { method, ...(body === undefined ? {} : { body }) });
      expect(refused.status, `${method} ${path}`).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect(refused.body.message).toBe('this service asks for its token: send Authorization: Bearer <token>, or give it on the page');
      expect((await ask(`${url}${path}`, { method, headers: { authorization: 'Bearer not-the-token-at-all' }, ...(body === undefined ? {} : { body }) })).status).toBe(401);
    }
    for (const path of ['/', '/index.html', '/settings.html', '/app.js', '/common.js', '/style.css', '/health']) {
      expect((await ask(`${url}${path}`)).status, path).toBe(200);
    }
    expect((await ask(`${url}/api/settings`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    // The page's way: the token given once, kept in a cookie no script reads and no other site sends.
    expect((await ask(`${url}/api/login`, { method: 'POST', body: { token: 'wrong token, long enough' } })).status).toBe(401);
    const login = await ask(`${url}/api/login`, { method: 'POST', body: { token } });
    expect(login.status).toBe(204);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^wkmp_ai_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=31536000$/);
    expect((await ask(`${url}/api/settings`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);

    // The secret stays write-only for whoever holds the token too.
    expect(JSON.stringify((await ask(`${url}/api/settings`, { headers: { authorization: `Bearer ${token}` } })).body)).not.toContain('"acoustid_api_key":"');
    await first.close();

    // The next start keeps the same token, and says where it is instead of printing it.
    const second = await startService(root, { host: '0.0.0.0', tokenFile, env: {} });
    expect(second).toMatchObject({ tokenSource: 'file', token });
  });

  it('takes its token from --token or WKMP_AI_TOKEN, and refuses a short one or a token file others can read', async () => {
    const root = copyFixtureRoot();
    const tokenFile = join(tempFolder(), 'wkmp-ai.token');
    expect(await startService(root, { host: '0.0.0.0', token: 'a-long-enough-token-1', tokenFile, env: {} })).toMatchObject({ tokenSource: 'flag', token: 'a-long-enough-token-1' });
    expect(await startService(root, { host: '0.0.0.0', tokenFile, env: { WKMP_AI_TOKEN: 'from-the-environment-1' } })).toMatchObject({ tokenSource: 'environment' });
    await expect(startService(root, { host: '0.0.0.0', token: 'short', tokenFile, env: {} })).rejects.toThrow('--token: a token must be at least 16 characters, got 5');
    writeFileSync(tokenFile, 'kept-but-readable-by-all\n', { mode: 0o644 });
    await expect(startService(root, { host: '0.0.0.0', tokenFile, env: {} }))
      .rejects.toThrow(`${tokenFile}: the token file can be read by other users (mode 644); run chmod 600 on it`);
    // On loopback a token is asked for only when one is given.
    expect(await startService(root, { token: 'a-long-enough-token-2', tokenFile, env: {} })).toMatchObject({ token: 'a-long-enough-token-2' });
  });

  it('`wkmp-ai serve --host 0.0.0.0` prints the token it made once, and where it is kept after', { timeout: 120_000 }, async () => {
    const root = copyFixtureRoot();
    const config = tempFolder();
    const env = { ...process.env, XDG_CONFIG_HOME: config, WKMP_AI_TOKEN: '' };
    const start = async (): Promise<string> => {
      const server = spawnCli(['serve', '--root-folder', root, '--host', '0.0.0.0', '--port', '0', '--log-level', 'silent'], undefined, env);
      await waitFor(() => /listening on/.test(server.output().stdout) && server.output().stdout.split('\n').length >= 2, 60_000, 'the service to listen', server.exited);
      // Said in full before it listens on: the lines are written at once.
      const printed = server.output().stdout;
      server.child.kill('SIGTERM');
      await server.exited;
      return printed;
    };
    const file = join(config, 'wkmp', 'wkmp-ai.token');
    const first = await start();
    expect(first).toMatch(new RegExp(`^wkmp-ai: listening on http://\\S+; every route but the page and /health asks for the token\\nwkmp-ai: made this service's token, kept in ${file.replaceAll('/', '\\/')} \\(mode 0600\\); give it to the page when it asks:\\n  [A-Za-z0-9_-]{32}\\n`));
    const second = await start();
    expect(second).toMatch(new RegExp(`^wkmp-ai: listening on http://\\S+; every route but the page and /health asks for the token \\(kept in ${file.replaceAll('/', '\\/')}\\)\\n`));
    expect(second).not.toContain(first.split('\n')[2]!.trim());
  });

  it('the page asks for the token once, and works with it', { timeout: 120_000 }, async () => {
    const service = await startService(copyFixtureRoot(), { host: '0.0.0.0', token: 'the-page-token-1234', tokenFile: join(tempFolder(), 't'), env: {} });
    const url = service.url.replace('0.0.0.0', '127.0.0.1');
    // The page loads, is refused by the API, and asks.
    const { page } = await newPage();
    await page.goto(`${url}/`);
    await page.waitForSelector('#token-dialog[open]');
    await page.fill('#token', 'not the token, though long');
    await page.click('#token-submit');
    await page.waitForSelector('#token-message.bad');
    expect(await page.textContent('#token-message')).toBe('that is not this service\'s token');
    await page.fill('#token', 'the-page-token-1234');
    await page.click('#token-submit');
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#folder-list button[data-path="Artist A"]');
    expect(await page.locator('#token-dialog').count()).toBe(0);
    // Asked once: the settings page opens with it too.
    await page.goto(`${url}/settings.html`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.inputValue('#rms_window_ms')).toBe('100');
    expect(await page.locator('#token-dialog').count()).toBe(0);
  });
});

describe('what a request can grow', () => {
  it('keeps a bounded number of event streams open, and refuses one more (503)', async () => {
    const { url } = await startService(copyFixtureRoot(), { sse: { maxClients: 2 } });
    const kept = [await SseClient.connect(`${url}/import/events`), await SseClient.connect(`${url}/import/events`)];
    const refused = await ask(`${url}/import/events`);
    expect(refused.status).toBe(503);
    expect(refused.body.message).toBe('2 event streams are open, as many as this service keeps: close a page of it and try again');
    expect((await ask(`${url}/health`)).body.event_streams).toEqual({ open: 2, limit: 2 });
    kept[0]!.close();
    await healthUntil(url, (body) => (body.event_streams as { open: number }).open === 1, 'a stream to close');
    expect((await SseClient.connect(`${url}/import/events`)).comments).toContain('connected');
  });

  it('takes at most 4 measures running or waiting, refuses one more (429), and takes one again when a client goes', { timeout: 120_000 }, async () => {
    const root = copyFixtureRoot();
    makeEndlessWav(join(root, 'endless.wav')); // a measure of it runs until its client goes
    const { url } = await startService(root);
    const controllers = Array.from({ length: 4 }, () => new AbortController());
    const measures = controllers.map((controller) => fetch(`${url}/analyze/amplitude`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ file_path: 'endless.wav' }), signal: controller.signal,
    }).catch(() => null));
    await healthUntil(url, (body) => (body.measures as { in_flight: number }).in_flight === 4, 'four measures in flight');
    const refused = await ask(`${url}/analyze/amplitude`, { method: 'POST', body: { file_path: 'Various/Sixth.wav' } });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.body.message).toBe('4 measures are running or waiting, as many as this service takes: try again when one is done');
    for (const controller of controllers) controller.abort();
    await Promise.all(measures);
    await waitFor(() => decodersReading(join(root, 'endless.wav')).length === 0, 30_000, 'the decoders to stop');
    await healthUntil(url, (body) => (body.measures as { in_flight: number }).in_flight === 0, 'the measures to end');
    expect((await ask(`${url}/analyze/amplitude`, { method: 'POST', body: { file_path: 'Various/Sixth.wav' } })).status).toBe(200);
  });
});
