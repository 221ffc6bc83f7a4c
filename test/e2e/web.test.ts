/**
 * The web page in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
 * playwright-core against the real server on 127.0.0.1, port 0. An import started from the page,
 * its summary and passage list; a file page drawing three passages with their lead-in and lead-out;
 * a hostile tag title shown as text; the settings page's round trip through GET /api/settings.
 */
import { storeSettings } from '../../src/db/queries/settings.js';
import { availableParallelism } from 'node:os';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { setSettings } from '../integration/db-helpers.js';
import { copyFixtureRoot, fixtures, inspect, makeCopiesRoot, makeEndlessWav, tempFolder } from '../integration/helpers.js';
import { request, startService } from './helpers.js';
import { openPage, texts } from './browser.js';
import { openWkmpDatabase } from '../../src/db/setup.js';
import { startFakeServices } from '../support/fake-identification-services.js';
import { makeLibrary, recordLibrary, settingsFor } from '../support/identify-library.js';

const TICKS_PER_SECOND = 28_224_000;
const hostileTitle = '<img src=x onerror=alert(1)>';
/** Clicks start and waits for the summary of the import it started. */
async function importFromPage(page: Page): Promise<void> {
  await page.click('#start');
  await page.waitForSelector('#summary:not(.hidden)');
}

describe('the web page', () => {
  it('imports a folder picked on the page and shows its summary and passages', async () => {
    const root = copyFixtureRoot();
    const { url } = await startService(root);
    const { page, dialogs, problems } = await openPage(`${url}/`);
    expect(await texts(page, '#folder-list button')).toEqual(['Artist A', 'Artist B', 'Various']);
    await page.click('#folder-list button[data-path="Artist B"]');
    await page.waitForSelector('#folder-list button[data-path=""]'); // "up", inside Artist B
    expect(await page.textContent('#chosen-folder')).toBe('Artist B');
    await importFromPage(page);

    expect(await page.getAttribute('#summary-state', 'data-state')).toBe('COMPLETED');
    expect(await page.textContent('[data-count="recorded"]')).toBe('2');
    expect(await page.textContent('[data-count="failed"]')).toBe('0');
    expect(await page.textContent('#summary-line')).toContain('Artist B');
    expect(await page.textContent('#progress-files')).toBe('2 / 2');
    await page.waitForFunction("document.querySelectorAll('#passage-rows tr').length === 2");
    expect((await texts(page, '#passage-rows a.file')).sort()).toEqual(['Artist B/Fourth.opus', 'Artist B/Third.ogg']);
    expect(await page.isDisabled('#start')).toBe(false);
    expect(await page.isDisabled('#cancel')).toBe(true);
    const { body } = await request<{ session: unknown }>(`${url}/import/active`);
    expect(body.session).toBeNull();
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('lists every passage of an import of the whole root and draws a file with its passages, lead-ins and lead-outs', async () => {
    const root = copyFixtureRoot();
    copyFileSync(join(fixtures, 'analysis', 'three-songs.mp3'), join(root, 'three-songs.mp3'));
    // Its three songs of 11–14 s stand alone with a minimum song length of 5 s (the default 15 s would make them one).
    await setSettings(join(root, 'wkmp.db'), { minimum_song_duration_ticks: String(5 * TICKS_PER_SECOND) });
    const { url } = await startService(root);
    const { page, problems } = await openPage(`${url}/`);
    await importFromPage(page);
    expect(await page.textContent('[data-count="recorded"]')).toBe('8');
    const passages = Number(await page.textContent('[data-count="passages"]'));
    // Six one-passage files, three passages in three-songs.mp3; Sixth copy.wav is a duplicate, without passages.
    expect(passages).toBe(9);
    await page.waitForFunction(`document.querySelectorAll('#passage-rows tr').length === ${passages}`);
    const listed = await request<{ passages: { seq: number; path: string }[] }>(`${url}/import/passages`);
    expect(await page.locator('#passage-rows tr').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-seq')))))
      .toEqual(listed.body.passages.map((passage) => passage.seq));
    expect((await texts(page, '#passage-rows a.file')).filter((path) => path === 'three-songs.mp3')).toHaveLength(3);
    // Unidentified passages without a title are named by their file, numbered within a file of several
    // (of the two identical WAVs, the one recorded second is the duplicate, without a passage).
    expect(await texts(page, '#passage-rows td.unidentified'))
      .toEqual(expect.arrayContaining([expect.stringMatching(/^Sixth( copy)?\.wav$/), 'three-songs.mp3 (2 of 3) — Trio']));
    await page.screenshot({ path: '/tmp/wkmp-ai-import-page.png', fullPage: true });

    await page.click('#passage-rows a.file >> text=three-songs.mp3');
    await page.waitForURL(/\/file\.html\?path=three-songs\.mp3$/);
    await page.waitForSelector('body[data-ready="true"]');
    await page.screenshot({ path: '/tmp/wkmp-ai-file-page.png', fullPage: true });
    expect(await page.textContent('#file-path')).toBe('three-songs.mp3');
    expect(await page.getAttribute('svg.envelope', 'data-passages')).toBe('3');
    expect(await page.locator('svg rect.passage').count()).toBe(3);
    expect(await page.locator('svg line.lead-in-marker').count()).toBe(3);
    expect(await page.locator('svg line.lead-out-marker').count()).toBe(3);
    expect(await page.locator('svg path.env').count()).toBe(1);
    expect(await page.getAttribute('svg path.env', 'd')).toMatch(/^M 0 \d/);

    // Each drawn span and marker sits where the stored passage says, and the legend lists its times.
    const stored = await request<{ duration_ticks: number; passages: { startTicks: number; endTicks: number; leadInStartTicks: number; leadOutStartTicks: number }[] }>(
      `${url}/api/files/passages?path=three-songs.mp3`);
    expect(stored.status).toBe(200);
    const amplitude = await request<{ end_ticks: number }>(`${url}/analyze/amplitude`, 'POST', { file_path: 'three-songs.mp3' });
    const duration = Math.max(amplitude.body.end_ticks, stored.body.duration_ticks);
    const x = (ticks: number) => (ticks / duration) * 1000;
    const legend = await page.locator('#legend-rows tr').evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)));
    expect(legend).toHaveLength(3);
    for (const [index, passage] of stored.body.passages.entries()) {
      const seq = index + 1;
      const span = page.locator(`svg rect.passage[data-seq="${seq}"]`);
      expect(Number(await span.getAttribute('x'))).toBeCloseTo(x(passage.startTicks), 3);
      expect(Number(await span.getAttribute('width'))).toBeCloseTo(x(passage.endTicks) - x(passage.startTicks), 3);
      expect(Number(await page.getAttribute(`svg line.lead-in-marker[data-seq="${seq}"]`, 'x1'))).toBeCloseTo(x(passage.leadInStartTicks), 3);
      expect(Number(await page.getAttribute(`svg line.lead-out-marker[data-seq="${seq}"]`, 'x1'))).toBeCloseTo(x(passage.leadOutStartTicks), 3);
      const leadIn = `${((passage.leadInStartTicks - passage.startTicks) / TICKS_PER_SECOND).toFixed(1)} s`;
      const leadOut = `${((passage.endTicks - passage.leadOutStartTicks) / TICKS_PER_SECOND).toFixed(1)} s`;
      expect(legend[index]).toEqual([String(seq), expect.any(String), expect.any(String), expect.any(String), expect.any(String), leadIn, leadOut, expect.any(String)]);
    }
    // The first song's recording is in the file's tags; the other two wait for identification (no AcoustID key here).
    expect(legend.map((row) => row[7])).toEqual(['Three Songs · from its tags', 'waiting for identification', 'waiting for identification']);
    // The first song fades in: its lead-in is drawn as a span of some width.
    expect(Number(await page.getAttribute('svg rect.lead-in[data-seq="1"]', 'width'))).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('draws the silences a file was not split at as thin marks, saying why', async () => {
    const root = tempFolder();
    // Two 20-s songs and a full stop of 1 s, tagged as one track: the stop is a candidate, rejected.
    const made = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=20', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono',
      '-f', 'lavfi', '-i', 'sine=frequency=660:duration=20', '-filter_complex', '[1]atrim=duration=1[gap];[0][gap][2]concat=n=3:v=0:a=1',
      '-ac', '1', '-metadata', 'title=Stop', '-metadata', 'track=1', join(root, 'stop.flac')]);
    expect(made.status, made.stderr.toString()).toBe(0);
    const { url } = await startService(root);
    const { page, problems } = await openPage(`${url}/`);
    await importFromPage(page);
    await page.goto(`${url}/file.html?path=stop.flac`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.screenshot({ path: '/tmp/wkmp-ai-file-candidates.png', fullPage: true });
    expect(await page.locator('svg rect.passage').count()).toBe(1);
    expect(await page.locator('svg rect.candidate').count()).toBe(1);
    expect(await page.textContent('svg rect.candidate title')).toMatch(/^not a boundary: 0:20\.\d, [01]\.\d s of silence \(short for one track\)$/);
    expect(Number(await page.getAttribute('svg rect.candidate', 'x'))).toBeCloseTo((20 / 41) * 1000, -1);
    expect(problems).toEqual([]);
  });

  it('shows a hostile tag title as text: no element made from it, no script run', async () => {
    const root = copyFixtureRoot();
    mkdirSync(join(root, 'Tags'));
    const ffmpeg = spawnSync('ffmpeg', ['-v', 'error', '-i', join(fixtures, 'library', 'Various', 'Sixth.wav'), '-metadata', `title=${hostileTitle}`, join(root, 'Tags', 'hostile.flac')]);
    expect(ffmpeg.status, ffmpeg.stderr.toString()).toBe(0);
    const { url } = await startService(root);
    const { page, dialogs, problems } = await openPage(`${url}/`);
    await page.click('#folder-list button[data-path="Tags"]');
    await page.waitForSelector('#folder-list button[data-path=""]');
    await importFromPage(page);
    await page.waitForFunction("document.querySelectorAll('#passage-rows tr').length === 1");
    expect(await page.textContent('#passage-rows td.title')).toBe(hostileTitle);
    expect(await page.locator('#passage-rows').innerText()).toContain(hostileTitle);
    expect(await page.locator('img').count()).toBe(0);

    await page.click('#passage-rows a.file');
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#legend-rows td.title')).toBe(hostileTitle);
    expect(await page.textContent('#file-line')).toContain(hostileTitle);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('cancels a running import from the page', async () => {
    const { root } = makeCopiesRoot(2);
    makeEndlessWav(join(root, 'endless.wav')); // the import cannot end before it is cancelled
    const { url } = await startService(root);
    expect((await request(`${url}/api/settings`, 'POST', { ingest_max_concurrent_jobs: 2 })).status).toBe(200);
    const { page } = await openPage(`${url}/`);
    await page.click('#start');
    // A file being analysed shows in the workers list with its path.
    await page.waitForSelector('#workers li[data-path]');
    expect(await page.getAttribute('#workers li[data-path]', 'data-path')).toMatch(/^(c\d{3}\/.+|endless\.wav)$/);
    await page.click('#cancel:not([disabled])');
    await page.waitForSelector('#summary:not(.hidden)');
    expect(await page.getAttribute('#summary-state', 'data-state')).toBe('CANCELLED');
    expect(await page.isDisabled('#cancel')).toBe(true);
  });

  it('shows every setting in the unit people read, saves a change through POST /api/settings, and refuses a bad value naming the field', async () => {
    const root = copyFixtureRoot();
    const { url } = await startService(root);
    const { page, problems } = await openPage(`${url}/settings.html`);
    type Settings = { settings: Record<string, string | null>; secrets: Record<string, { set: boolean }> };
    const before = await request<Settings>(`${url}/api/settings`);
    expect(await page.inputValue('#silence_threshold_dB')).toBe(before.body.settings.silence_threshold_dB);
    // Ticks are shown as seconds: 14,112,000 ticks is half a second.
    expect(await page.textContent('label[for="silence_min_duration_ticks"]')).toBe('shortest gap between songs (s)');
    expect(await page.inputValue('#silence_min_duration_ticks')).toBe('0.5');
    expect(await page.textContent('#silence_min_duration_ticks-hint')).toContain('0.1 to 60 s');
    // The worker count is this machine's until someone sets it.
    expect(await page.inputValue('#ingest_max_concurrent_jobs')).toBe('');
    expect(await page.getAttribute('#ingest_max_concurrent_jobs', 'placeholder')).toBe(`${availableParallelism()}: the number of cores of the machine that runs`);
    // The key is a secret: never shown, only whether it is set.
    expect(await page.inputValue('#acoustid_api_key')).toBe('');
    expect(await page.getAttribute('#acoustid_api_key', 'type')).toBe('password');
    expect(await page.getAttribute('#acoustid_api_key', 'placeholder')).toBe('not set');
    expect(await page.isChecked('#apply_a_weighting')).toBe(before.body.settings.apply_a_weighting === 'true');

    await page.fill('#silence_threshold_dB', '42');
    await page.fill('#silence_min_duration_ticks', '1.5');
    await page.fill('#acoustid_api_key', 'Ab12Cd34');
    await page.click('#save');
    await page.waitForSelector('#settings-message.good');
    expect(await page.textContent('#settings-message')).toBe('Saved AcoustID API key, silence threshold, shortest gap between songs.');
    const after = await request<Settings>(`${url}/api/settings`);
    expect(after.body.settings).toMatchObject({ silence_threshold_dB: '42', silence_min_duration_ticks: String(1.5 * 28_224_000) });
    expect(after.body.secrets.acoustid_api_key).toEqual({ set: true, from: 'setting' });
    expect(after.body.settings.rms_window_ms).toBe(before.body.settings.rms_window_ms);
    const db = inspect(join(root, 'wkmp.db'));
    try {
      expect(db.prepare("SELECT value FROM settings WHERE key = 'acoustid_api_key'").get()).toEqual({ value: 'Ab12Cd34' });
    } finally {
      db.close();
    }

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.inputValue('#silence_threshold_dB')).toBe('42');
    expect(await page.inputValue('#silence_min_duration_ticks')).toBe('1.5');
    expect(await page.inputValue('#acoustid_api_key')).toBe('');
    expect(await page.getAttribute('#acoustid_api_key', 'placeholder')).toBe('set: type a new one to replace it');

    for (const [value, message] of [['soon', 'RMS window must be a number from 10 to 1000 ms, got "soon"'], ['0.01', 'RMS window must be a number from 10 to 1000 ms, got "0.01"']] as const) {
      await page.fill('#rms_window_ms', value);
      await page.click('#save');
      await page.waitForSelector('#settings-message.bad');
      expect(await page.textContent('#settings-message')).toBe(message);
    }
    expect((await request<Settings>(`${url}/api/settings`)).body.settings.rms_window_ms).toBe(before.body.settings.rms_window_ms);

    // The key removed with its button.
    await page.fill('#rms_window_ms', '100');
    await page.click('#acoustid_api_key-remove');
    await page.click('#save');
    await page.waitForSelector('#settings-message.good');
    expect((await request<Settings>(`${url}/api/settings`)).body.secrets.acoustid_api_key).toEqual({ set: false, from: null });
    expect(problems).toEqual([]);
  });
});

describe('identification on the page', () => {
  it('shows the queue, each identified passage\'s song and a doubtful one\'s candidates', async () => {
    const library = makeLibrary({ albums: 1, tracksPerAlbum: 3, singles: 1 }, 'page');
    // The single's fingerprint matches only weakly: a Low confidence, kept as a candidate.
    library.catalogue.recordings[3] = { ...library.catalogue.recordings[3]!, score: 0.62 };
    const services = await startFakeServices({ catalogue: library.catalogue });
    const root = tempFolder();
    const db = openWkmpDatabase(join(root, 'wkmp.db'));
    await recordLibrary(db, library.records);
    await db.recorder.write(storeSettings(settingsFor(services)));
    await db.close();
    try {
      const { url } = await startService(root);
      const { page, problems } = await openPage(`${url}/`);
      await page.waitForFunction(`document.querySelector('#queue-counts [data-count="done"]')?.textContent === '3'`);
      expect(await page.textContent('#queue-counts [data-count="noMatch"]')).toBe('1');
      expect(await page.textContent('#queue-counts [data-count="waiting"]')).toBe('0');
      // One batch to AcoustID; MusicBrainz for the album only: the single is not sure enough to be worth a request.
      expect(await page.textContent('#queue-line')).toBe('1 AcoustID and 1 MusicBrainz requests in this run');
      await page.screenshot({ path: '/tmp/wkmp-ai-identification.png', fullPage: true });

      await page.goto(`${url}/file.html?path=${encodeURIComponent('Artist 0/Album 0/02 Song.ogg')}`);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await texts(page, '#legend-rows td.identified')).toEqual(['Song 0.2 — Artist 0 (Album 0) · high confidence, 1']);
      await page.goto(`${url}/file.html?path=${encodeURIComponent('Singles/1 Single.ogg')}`);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await texts(page, '#legend-rows td.identified')).toEqual(['no sure match; candidates: Song 1.1 — Artist 1 (Single 1) 0.62']);
      // The files are not on disk: only the envelope is missing, said in one line.
      expect(problems.filter((problem) => !/404/.test(problem))).toEqual([]);
    } finally {
      await services.close();
    }
  });
});

describe('the routes behind the page', () => {
  it('lists the folders inside the root and refuses paths outside it', async () => {
    const root = copyFixtureRoot();
    const { url } = await startService(root);
    expect((await request(`${url}/api/folders?path=Artist%20A`)).body).toEqual({ path: 'Artist A', parent: '', folders: ['Album One'] });
    for (const [path, status] of [['..', 400], ['Artist A/../..', 400], [tempFolder(), 400], ['notes.txt', 400], ['No Such', 404]] as const) {
      expect((await request(`${url}/api/folders?path=${encodeURIComponent(path)}`)).status, path).toBe(status);
    }
    expect((await request(`${url}/api/files/passages?path=..%2Fx.mp3`)).status).toBe(400);
    expect((await request(`${url}/api/files/passages?path=Various%2FFifth.m4a`)).status).toBe(404); // not imported yet
    expect((await request(`${url}/api/files/passages`)).status).toBe(400);
  });

  it('serves the pages with a policy that allows only its own scripts', async () => {
    const { url } = await startService(copyFixtureRoot());
    for (const path of ['/', '/settings.html', '/file.html']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    expect((await fetch(`${url}/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${url}/nothing.js`)).status).toBe(404);
  });
});
