/**
 * The file page as a person reads it, in a real browser (Debian's Chromium through playwright-core,
 * against the real server): loudness drawn on one dBFS scale for every file, labelled, so a near-
 * silent NO AUDIO file lies along the bottom and a loud one reaches the top; passages without a
 * title named by their file, numbered within a file of several, here and on the import page.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/import/run.js';
import { fileScopedFolder, setSettings } from '../integration/db-helpers.js';
import { fixtures } from '../integration/helpers.js';
import { startService } from './helpers.js';
import { openPage } from './browser.js';

const TICKS_PER_SECOND = 28_224_000;
/** The chart's geometry (file.js): 0 dBFS at y = 22, −90 dBFS at the axis, y = 200. */
const yOfDbfs = (db: number): number => 200 - ((db + 90) / 90) * 178;


/** The y of every point of the drawn envelope (its path: M/L x y pairs). */
async function envelopeYs(page: Page): Promise<number[]> {
  const d = await page.getAttribute('svg path.env', 'd');
  if (d === null) throw new Error('no envelope drawn');
  const numbers = d.replace(/[MLZ]/g, ' ').trim().split(/\s+/).map(Number);
  return numbers.filter((_, i) => i % 2 === 1);
}

/** The highest point of the envelope above the axis: its loudest column (a smaller y is higher). */
async function envelopeTop(page: Page): Promise<number> {
  return Math.min(...(await envelopeYs(page)));
}

function ffmpeg(args: string[]): void {
  const made = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
}

let root = '';

beforeAll(async () => {
  root = fileScopedFolder();
  // lavfi's sine is at 1/8 of full scale (−18 dBFS peak); 1 kHz, where A-weighting (the envelope's by default) changes nothing.
  // At −80 dBFS peak (RMS −83), 24-bit: under the 70 dB silence threshold everywhere, NO AUDIO.
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=1000:duration=6:sample_rate=44100', '-af', 'volume=-61.94dB', '-c:a', 'flac', '-sample_fmt', 's32', join(root, 'quiet.flac')]);
  // At −6 dBFS peak (RMS −9), untagged: one passage without a title.
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=1000:duration=6:sample_rate=44100', '-af', 'volume=12.04dB', '-c:a', 'flac', join(root, 'loud.flac')]);
  // Three songs of 11–14 s, tagged with one title: the three passages have none of their own (the first has the tags' recording id).
  copyFileSync(join(fixtures, 'analysis', 'three-songs.mp3'), join(root, 'three-songs.mp3'));
  await setSettings(join(root, 'wkmp.db'), { minimum_song_duration_ticks: String(5 * TICKS_PER_SECOND) });
  const summary = await runImport({ rootFolder: root, jobs: 2 });
  expect(summary.counts).toMatchObject({ recorded: 3, noAudio: 1, passages: 4, failed: 0 });
}, 120_000);

describe('the file page', () => {
  it('draws a near-silent NO AUDIO file\'s loudness along the bottom of a labelled dBFS scale, not up to the top', async () => {
    const { url } = await startService(root);
    const { page, problems } = await openPage(`${url}/file.html?path=quiet.flac`);
    await page.screenshot({ path: '/tmp/wkmp-ai-file-quiet.png', fullPage: true });
    expect(await page.textContent('#file-line')).toContain('NO AUDIO');
    expect(await page.locator('svg text.db-label').allTextContents()).toEqual(['0 dBFS', '−30 dBFS', '−60 dBFS', '−90 dBFS']);
    const top = await envelopeTop(page);
    // Its loudest window is about −83 dBFS: within the lowest tenth of the chart, below the −75 dBFS line.
    expect(top).toBeGreaterThan(yOfDbfs(-75));
    expect(top).toBeCloseTo(yOfDbfs(-83), -1);
    expect(await page.textContent('main')).toMatch(/dBFS on one scale for every file: 0 at the top, −90 at the axis/);
    expect(problems).toEqual([]);
  });

  it('draws a loud file near the top of the same scale, and names its untitled passage by the file', async () => {
    const { url } = await startService(root);
    const { page, problems } = await openPage(`${url}/file.html?path=loud.flac`);
    const top = await envelopeTop(page);
    // About −9 dBFS RMS.
    expect(top).toBeCloseTo(yOfDbfs(-9), -1);
    expect(top).toBeLessThan(yOfDbfs(-20));
    expect(await page.locator('#legend-rows td.title').allTextContents()).toEqual(['loud.flac']);
    expect(problems).toEqual([]);
  });

  it('numbers the untitled passages of a file of several: "name (2 of 3)"', async () => {
    const { url } = await startService(root);
    const { page, problems } = await openPage(`${url}/file.html?path=three-songs.mp3`);
    expect(await page.locator('#legend-rows td.title').allTextContents())
      .toEqual(['identified passage', 'three-songs.mp3 (2 of 3)', 'three-songs.mp3 (3 of 3)']);
    expect(problems).toEqual([]);
  });
});
