/**
 * A page in headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, watched for
 * dialogs and errors; closed after the test.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { tempFolder } from '../integration/helpers.js';

/** A safety net for what a page waits on, not a measurement. */
const pageTimeoutMs = 90_000;

const contexts: BrowserContext[] = [];
// Registered after the helpers' hooks, so it runs before them: the browser closes before its folder goes.
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

export interface Watched {
  page: Page;
  /** Dialogs (alert, confirm…) the page opened: a test expects none. */
  dialogs: string[];
  /** Uncaught errors and console errors. */
  problems: string[];
}

/** Opens `url` and waits until the page says it is ready (and, for the import page, follows the events). */
export async function openPage(url: string): Promise<Watched> {
  const watched = await newPage();
  await watched.page.goto(url);
  await ready(watched.page);
  return watched;
}

/** A blank page in a browser of its own, watched. */
export async function newPage(): Promise<Watched> {
  const context = await chromium.launchPersistentContext(tempFolder('wkmp-chromium-'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
  contexts.push(context);
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(pageTimeoutMs);
  const watched: Watched = { page, dialogs: [], problems: [] };
  page.on('dialog', (dialog) => {
    watched.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => watched.problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') watched.problems.push(message.text());
  });
  return watched;
}

/** Waits until the page has loaded what it shows first (and the import page follows the events). */
export async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]');
  if (new URL(page.url()).pathname === '/') await page.waitForSelector('body[data-events="open"]');
}

export async function texts(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).allTextContents();
}
