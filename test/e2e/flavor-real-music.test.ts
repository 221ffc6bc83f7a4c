/**
 * Musical flavor as a user meets it, on real music (Debian's asc-music and drascula-music
 * soundtracks): a full import gives every passage a flavor from its audio, the same music as FLAC
 * and as MP3 finds itself first among its nearest passages (GET /passages/:guid/similar, the way
 * WKMP's Program Director will choose), and the pages show it: the file page's flavor section
 * (bars, tempo, key and loudness, sources, the nearest passages with their distances) and the
 * import page's summary, which counts the passages with a flavor by source; a characteristic of the
 * user's own is shown too, with a warning when its classes do not sum to 1.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src/import/events.js';
import { runImport } from '../../src/import/run.js';
import { fileScopedFolder } from '../integration/db-helpers.js';
import { openPage } from './browser.js';
import { request, startService } from './helpers.js';

/** Four pieces of different character: a minute of each, from 20 s in (past any quiet opening). */
const pieces = {
  strike: '/usr/share/games/asc/music/time_to_strike.mp3',
  frontiers: '/usr/share/games/asc/music/frontiers.mp3',
  track3: '/usr/share/scummvm/drascula/audio/track3.ogg',
  track9: '/usr/share/scummvm/drascula/audio/track9.ogg',
} as const;
const names = Object.keys(pieces) as (keyof typeof pieces)[];

function ffmpeg(args: string[]): void {
  const made = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
}

interface Similar { similar: { guid: string; distance: number; passage: { path: string } }[] }
interface Flavor { sources: string[]; flavor: Record<string, Record<string, number>>; audio_features: { bpm: number | null; loudness_lufs: number | null } }

let root = '';
let summary: ImportSummary;
const guidOf = new Map<string, string>();

beforeAll(async () => {
  root = fileScopedFolder();
  const masters = fileScopedFolder();
  mkdirSync(join(root, 'flac'));
  mkdirSync(join(root, 'mp3'));
  for (const name of names) {
    // One master, two encodes: lossless and a lossy one at 128 kb/s.
    const master = join(masters, `${name}.wav`);
    ffmpeg(['-ss', '20', '-t', '60', '-i', pieces[name], '-ac', '2', '-ar', '44100', master]);
    ffmpeg(['-i', master, '-c:a', 'flac', join(root, 'flac', `${name}.flac`)]);
    ffmpeg(['-i', master, '-c:a', 'libmp3lame', '-b:a', '128k', join(root, 'mp3', `${name}.mp3`)]);
  }
  summary = await runImport({ rootFolder: root, jobs: 2 });
  const db = new Database(join(root, 'wkmp.db'), { readonly: true });
  try {
    // Each file's first passage (a minute of music makes one).
    const rows = db.prepare('SELECT f.path, p.guid FROM passages p JOIN files f ON f.guid = p.file_id ORDER BY p.start_time_ticks DESC').all() as { path: string; guid: string }[];
    for (const row of rows) guidOf.set(row.path, row.guid);
  } finally {
    db.close();
  }
}, 240_000);

describe('musical flavor on real music', () => {
  it('gives every analysed passage a flavor from its audio, and the summary counts them by source', () => {
    expect(summary.counts).toMatchObject({ recorded: 8, failed: 0 });
    expect(summary.counts.passages).toBeGreaterThanOrEqual(8);
    expect(summary.counts.flavoredPassages).toEqual({ 'wkmp-ai audio': summary.counts.passages });
  });

  it('finds the same music in the other encoding first among a passage\'s nearest', async () => {
    const { url } = await startService(root);
    for (const name of names) {
      for (const [from, twin] of [[`mp3/${name}.mp3`, `flac/${name}.flac`], [`flac/${name}.flac`, `mp3/${name}.mp3`]] as const) {
        const answer = await request<Similar>(`${url}/passages/${guidOf.get(from)}/similar?limit=3`);
        expect(answer.status).toBe(200);
        expect(answer.body.similar[0]?.passage.path, `${from}'s nearest`).toBe(twin);
        // Nearer to its twin than to anything else, by a margin: the encode changes little.
        expect(answer.body.similar[0]!.distance).toBeLessThan(answer.body.similar[1]!.distance / 2);
      }
    }
  });

  it('shows a passage\'s characteristics, measures, sources and nearest passages on the file page', async () => {
    // A characteristic of the user's own whose classes sum to 0.98: shown, with a warning.
    const db = new Database(join(root, 'wkmp.db'));
    db.prepare(`UPDATE passages SET musical_flavor_vector = json_set(musical_flavor_vector, '$."my.mood"', json('{"calm":0.5,"tense":0.48}')) WHERE guid = ?`)
      .run(guidOf.get('mp3/strike.mp3'));
    db.close();
    const { url } = await startService(root);
    const flavor = await request<Flavor>(`${url}/passages/${guidOf.get('mp3/strike.mp3')}/flavor`);
    expect(flavor.body.sources).toEqual(['wkmp-ai audio']);
    const { page, problems } = await openPage(`${url}/file.html?path=${encodeURIComponent('mp3/strike.mp3')}`);
    await page.waitForSelector('.flavor-card table.flavor');
    await page.screenshot({ path: '/tmp/wkmp-ai-file-flavor.png', fullPage: true });
    const card = page.locator('.flavor-card').first();
    expect((await card.locator('svg.flavor-bar').evaluateAll((bars) => bars.map((bar) => bar.getAttribute('data-characteristic')))).sort())
      .toEqual(Object.keys(flavor.body.flavor).sort());
    const measured = await card.locator('.flavor-measured').textContent();
    expect(measured).toContain(`${Math.round(flavor.body.audio_features.bpm!)} BPM`);
    expect(measured).toContain(`${flavor.body.audio_features.loudness_lufs!.toFixed(1)} LUFS`);
    expect(await card.locator('.flavor-sources').textContent()).toContain('wkmp-ai audio');
    expect(await card.locator('.flavor-warning').allTextContents()).toEqual(['warning: my.mood: its classes sum to 0.9800, not 1 (SPEC003 MFL-DEF-040); the distance uses it as it is']);
    const nearest = await card.locator('li').allTextContents();
    expect(nearest).toHaveLength(7);
    expect(nearest[0]).toMatch(/^0\.\d{4} strike\.flac · flac\/strike\.flac$/);
    expect(problems).toEqual([]);
  });

  it('counts the passages with a flavor by source in the import page\'s summary', async () => {
    const { url } = await startService(root);
    const { page, problems } = await openPage(`${url}/`);
    const count = page.locator('[data-flavor-source="wkmp-ai audio"]');
    await count.waitFor();
    expect(await count.textContent()).toBe(String(summary.counts.passages));
    expect(problems).toEqual([]);
  });
});
