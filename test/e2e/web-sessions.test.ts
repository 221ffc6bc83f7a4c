/**
 * The import page remembers, in a real browser against the real server: after a reload, the last
 * import's summary and errors (from the database); an import run by the command line before the
 * page opened, marked so; the errors a running import committed before the page opened, then the
 * new ones as they come; the recent imports, each with its summary and its errors a page at a time.
 * Every value from the server is shown as text.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/import/run.js';
import { copyFixtureRoot, makeEndlessWav } from '../integration/helpers.js';
import { openPage, ready, texts } from './browser.js';
import { request, startService } from './helpers.js';
import { seedSessions } from './session-rows.js';

const hostile = '<img src=x onerror=alert(1)>';
/** What test/fixtures/bad gives (bad-input.test.ts): one error per bad file, by path. */
const badErrors = ['empty.mp3', 'picture.mp3', 'random.flac', 'text.flac', 'truncated.flac'];

/** The paths of the errors listed, sorted. */
async function errorPaths(page: Page): Promise<string[]> {
  return (await texts(page, '#errors li .path')).sort();
}

/** Waits until the page lists `count` errors (each fetched page is appended at once), and no more. */
async function listed(page: Page, count: number): Promise<void> {
  const items = page.locator('#errors li');
  if (count === 0) await items.first().waitFor({ state: 'detached' });
  else await items.nth(count - 1).waitFor();
  expect(await items.count()).toBe(count);
}

/** Polls until the session has `count` file errors committed (a safety net, not a measurement). */
async function untilErrors(url: string, session: string, count: number): Promise<void> {
  const deadline = performance.now() + 90_000;
  while ((await request<{ total: number }>(`${url}/import/errors?session=${session}`)).body.total < count) {
    if (performance.now() > deadline) throw new Error(`session ${session} has fewer than ${count} errors`);
    await delay(50);
  }
}

describe('the import page remembers', () => {
  it('shows the last import\'s summary and errors again after a reload', async () => {
    const root = copyFixtureRoot('bad');
    const { url } = await startService(root);
    const { page, dialogs, problems } = await openPage(`${url}/`);
    await page.click('#start');
    await page.waitForSelector('#summary:not(.hidden)');
    await listed(page, badErrors.length);

    await page.reload();
    await ready(page);
    expect(await page.isVisible('#summary')).toBe(true);
    expect(await page.getAttribute('#summary-state', 'data-state')).toBe('COMPLETED');
    expect(await page.getAttribute('#summary-origin', 'data-origin')).toBe('service');
    expect(await page.textContent('[data-count="recorded"]')).toBe('3');
    expect(await page.textContent('[data-count="failed"]')).toBe(String(badErrors.length));
    expect(await errorPaths(page)).toEqual(badErrors);
    expect(await page.textContent('#error-count')).toBe(`(${badErrors.length})`);
    expect(await page.isHidden('#errors-more')).toBe(true);
    expect(await page.getAttribute('#recent-list button[aria-current="true"]', 'data-session'))
      .toBe((await request<{ sessions: { session_id: string }[] }>(`${url}/import/sessions`)).body.sessions[0]!.session_id);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows an import the command line ran before the page opened as the last one, marked so, its errors as text', async () => {
    const root = copyFixtureRoot('bad');
    writeFileSync(join(root, `${hostile}.mp3`), ''); // an empty file: one more error, its path markup
    const cli = await runImport({ rootFolder: root, jobs: 2 }); // as `wkmp-ai import` runs it
    const { url } = await startService(root);
    const { page, dialogs, problems } = await openPage(`${url}/`);

    expect(await page.getAttribute('#summary-state', 'data-state')).toBe('COMPLETED');
    expect(await page.getAttribute('#summary-origin', 'data-origin')).toBe('cli');
    expect(await page.textContent('#summary-origin')).toBe('from the command line');
    expect(await page.textContent('[data-count="failed"]')).toBe(String(badErrors.length + 1));
    expect(await errorPaths(page)).toEqual([`${hostile}.mp3`, ...badErrors].sort());
    expect(await page.textContent(`#errors li:has-text("${hostile}") .path`)).toBe(`${hostile}.mp3`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.getAttribute('#recent-list button', 'data-session')).toBe(cli.sessionId);
    expect(await page.textContent('#recent-list button .origin')).toBe('command line');
    // The progress stays idle: nothing runs.
    expect(await page.getAttribute('#state', 'data-state')).toBe('IDLE');
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('lists a running import\'s errors: those committed before the page opened, then the new ones as they come', async () => {
    const root = copyFixtureRoot('bad');
    makeEndlessWav(join(root, 'endless.wav')); // the import cannot end before it is cancelled
    const { url } = await startService(root);
    // A page open before the import starts sees its errors come.
    const before = await openPage(`${url}/`);
    const started = await request<{ session_id: string }>(`${url}/import/start`, 'POST', { root_folder: '.', parameters: { jobs: 2 } });
    expect(started.status).toBe(202);
    const id = started.body.session_id;
    await listed(before.page, badErrors.length);
    // No summary: the errors came while it ran, fetched as its progress said more files failed.
    expect(await before.page.isHidden('#summary')).toBe(true);
    expect(await before.page.getAttribute('#state', 'data-state')).toBe('PROCESSING');
    expect(await errorPaths(before.page)).toEqual(badErrors);

    // A page opened now lists the errors committed so far at once.
    await untilErrors(url, id, badErrors.length);
    // The list of sessions has it first, with its figures as they are now (its row is saved every 10 s).
    const sessions = await request<{ sessions: { session_id: string; state: string; origin: string; file_errors: number; counts: { failed: number } }[] }>(`${url}/import/sessions`);
    expect(sessions.body.sessions[0]).toMatchObject({ session_id: id, state: 'PROCESSING', origin: 'service', file_errors: badErrors.length, counts: { failed: badErrors.length } });
    const late = await openPage(`${url}/`);
    expect(await errorPaths(late.page)).toEqual(badErrors);
    expect(await late.page.isHidden('#summary')).toBe(true);
    expect(await late.page.isDisabled('#cancel')).toBe(false);
    expect(await late.page.getAttribute('#recent-list button[aria-current="true"]', 'data-session')).toBe(id);

    expect((await request(`${url}/import/cancel/${id}`, 'POST')).status).toBe(202);
    for (const { page } of [before, late]) {
      await page.waitForSelector('#summary:not(.hidden)');
      expect(await page.getAttribute('#summary-state', 'data-state')).toBe('CANCELLED');
      expect(await errorPaths(page)).toEqual(badErrors); // none twice
    }
    expect([...before.problems, ...late.problems]).toEqual([]);
  });

  it('shows a recent import picked in the list with its summary, and its errors 100 at a time', async () => {
    const root = copyFixtureRoot();
    seedSessions(join(root, 'wkmp.db'), [
      {
        id: 'older', startedAt: '2024-01-01T10:00:00.000Z', parameters: '{"jobs":2,"origin":"service"}', counts: { recorded: 7, failed: 150 },
        errors: 150, message: (i) => (i === 0 ? `decoding ${hostile}: broken` : `decoding f${i}.flac: broken`),
      },
      { id: 'newer', startedAt: '2024-01-02T10:00:00.000Z', parameters: '{"jobs":2,"origin":"cli"}', counts: { recorded: 1, failed: 0 } },
    ]);
    const { url } = await startService(root);
    const { page, dialogs, problems } = await openPage(`${url}/`);
    expect(await page.locator('#recent-list button').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-session'))))
      .toEqual(['newer', 'older']);
    expect(await page.textContent('[data-count="recorded"]')).toBe('1');
    expect(await page.locator('#errors li').count()).toBe(0);

    await page.click('#recent-list button[data-session="older"]');
    await listed(page, 100);
    expect(await page.textContent('[data-count="recorded"]')).toBe('7');
    expect(await page.getAttribute('#summary-origin', 'data-origin')).toBe('service');
    expect(await page.textContent('#error-count')).toBe('(100 of 150)');
    expect(await page.textContent('#errors-more')).toBe('show more (50 more)');
    expect(await page.textContent('#errors li:first-child')).toBe(`f0.flac: decode DECODE_FAILED: decoding ${hostile}: broken`);
    expect(await page.locator('img').count()).toBe(0);

    await page.screenshot({ path: '/tmp/wkmp-ai-recent-imports.png', fullPage: true });
    await page.click('#errors-more');
    await listed(page, 150);
    expect(await page.isHidden('#errors-more')).toBe(true);
    expect(await page.textContent('#error-count')).toBe('(150)');
    const paths = await texts(page, '#errors li .path');
    expect(new Set(paths).size).toBe(150);

    await page.click('#recent-list button[data-session="newer"]');
    await listed(page, 0);
    expect(await page.textContent('[data-count="recorded"]')).toBe('1');
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });
});
