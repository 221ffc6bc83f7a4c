/**
 * Old databases heal: a file analysed under older rules (analysis_version below ANALYSIS_VERSION) is
 * analysed again by the next full import; its new passages replace the old ones in the same
 * transaction, and a new passage whose edges match an old one's within 0.1 s is that passage,
 * guid and all, so what another WKMP service holds against it survives. Every passage gains the
 * flavor measured from its audio, the kept one included; a tags pass measures none.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANALYSIS_VERSION, secondsToTicks } from '../../src/file-record.js';
import type { ImportSummary } from '../../src/import/events.js';
import { runImport } from '../../src/import/run.js';
import { realMusicDir } from '../real-music.js';
import { closeAfterTest, fileScopedFolder } from './db-helpers.js';
import { inspect } from './helpers.js';

const path = 'digital-gaps.flac';
const manifest = JSON.parse(readFileSync(join(realMusicDir(), 'manifest.json'), 'utf8')) as { files: { path: string; passages: [number, number][] }[] };
const songs = manifest.files.find((file) => file.path === `joins/${path}`)!.passages;
const userFlavor = { 'my.mood': { calm: 0.6, tense: 0.4 }, 'wkmp.tempo': { slow: 1, moderate: 0, brisk: 0, fast: 0 } };

describe('a file analysed under older rules', () => {
  let root: string;
  let again: ImportSummary;
  const ticks = (seconds: number) => secondsToTicks(seconds);
  const open = () => closeAfterTest(inspect(join(root, 'wkmp.db')));

  beforeAll(async () => {
    root = fileScopedFolder();
    copyFileSync(join(realMusicDir(), 'joins', path), join(root, path));
    await runImport({ rootFolder: root, jobs: 2 });
    // What rules 1 left: the first song whole (its end 50 ms off what the new rules find), the
    // second cut at a quiet bar, and another service's hold on each (a user title, fades, a queue entry).
    const db = inspect(join(root, 'wkmp.db'));
    const file = db.prepare('SELECT guid FROM files WHERE path = ?').get(path) as { guid: string };
    db.exec('DELETE FROM passages; CREATE TABLE player_queue (passage_id TEXT NOT NULL REFERENCES passages(guid) ON DELETE CASCADE)');
    const insert = db.prepare(`INSERT INTO passages (guid, file_id, start_time_ticks, end_time_ticks, fade_in_start_ticks, fade_out_start_ticks,
      user_title, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'INGEST COMPLETE')`);
    const [first, second] = songs as [[number, number], [number, number]];
    insert.run('old-first', file.guid, ticks(first[0]), ticks(first[1] + 0.05), ticks(first[0] + 0.04), ticks(first[1] + 0.03), 'My favourite');
    insert.run('old-fragment-a', file.guid, ticks(second[0]), ticks(second[0] + 10), null, null, null);
    insert.run('old-fragment-b', file.guid, ticks(second[0] + 10.5), ticks(second[1]), null, null, null);
    db.exec(`INSERT INTO player_queue VALUES ('old-first'), ('old-fragment-a');
      UPDATE files SET analysis_version = 1`);
    // A characteristic of the user's own (SPEC003 MFL-UDEF) beside a stale one of wkmp-ai's.
    db.prepare(`UPDATE passages SET musical_flavor_vector = ? WHERE guid = 'old-first'`).run(JSON.stringify(userFlavor));
    db.close();
    again = await runImport({ rootFolder: root, jobs: 2 });
  });

  it('is analysed again by the next full import, and counted as upgraded', () => {
    expect(again.counts).toMatchObject({ new: 0, changed: 0, upgraded: 1, recorded: 1, passages: 3 });
    expect(open().prepare('SELECT analysis_version AS version FROM files').get()).toEqual({ version: ANALYSIS_VERSION });
  });

  it('keeps the guid of a passage whose edges still match within 0.1 s, with what another service set on it', () => {
    const db = open();
    const kept = db.prepare(`SELECT guid, user_title AS userTitle, start_time_ticks AS start, end_time_ticks AS end,
      fade_in_start_ticks AS fadeIn, fade_out_start_ticks AS fadeOut FROM passages WHERE guid = 'old-first'`).get() as
      { guid: string; userTitle: string; start: number; end: number; fadeIn: number | null; fadeOut: number | null };
    expect(kept.userTitle).toBe('My favourite');
    expect(Math.abs(kept.start - ticks(songs[0]![0]))).toBeLessThanOrEqual(ticks(0.1));
    // A fade point the new edges leave outside the passage is cleared; one inside is kept.
    expect(kept.end).toBeLessThan(ticks(songs[0]![1] + 0.03));
    expect(kept.fadeOut).toBeNull();
    expect(kept.fadeIn).toBe(ticks(songs[0]![0] + 0.04));
    expect(db.prepare('SELECT passage_id AS id FROM player_queue').all()).toEqual([{ id: 'old-first' }]);
  });

  it('gives every passage its flavor from the audio, the kept one included', () => {
    const rows = open().prepare(`SELECT guid, additional_metadata AS metadata, flavor_source_blend AS sources, musical_flavor_vector AS vector
      FROM passages ORDER BY start_time_ticks`).all() as { guid: string; metadata: string; sources: string; vector: string }[];
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(JSON.parse(row.sources), row.guid).toEqual(['wkmp-ai audio']);
      expect(Object.keys(JSON.parse(row.vector) as object), row.guid).toContain('wkmp.loudness');
      expect((JSON.parse(row.metadata) as { audio_features: { loudness_lufs: number } }).audio_features.loudness_lufs, row.guid).toBeLessThan(0);
    }
    expect(again.counts.flavoredPassages).toEqual({ 'wkmp-ai audio': 3 });
  });

  it('keeps a characteristic the user added to the kept passage\'s flavor, and replaces wkmp-ai\'s own', () => {
    const { vector } = open().prepare(`SELECT musical_flavor_vector AS vector FROM passages WHERE guid = 'old-first'`).get() as { vector: string };
    const stored = JSON.parse(vector) as Record<string, Record<string, number>>;
    expect(stored['my.mood']).toEqual(userFlavor['my.mood']);
    expect(stored['wkmp.tempo']).not.toEqual(userFlavor['wkmp.tempo']);
    expect(Object.keys(stored)).toContain('wkmp.loudness');
  });

  it('replaces the passages that no longer match, in the same import', () => {
    const db = open();
    const guids = (db.prepare('SELECT guid FROM passages ORDER BY start_time_ticks').all() as { guid: string }[]).map((row) => row.guid);
    expect(guids).toHaveLength(3);
    expect(guids[0]).toBe('old-first');
    expect(guids).not.toContain('old-fragment-a');
    expect(guids).not.toContain('old-fragment-b');
  });

  it('is left alone by the import after that', async () => {
    const third = await runImport({ rootFolder: root, jobs: 2 });
    expect(third.counts).toMatchObject({ upgraded: 0, unchanged: 1, recorded: 0 });
  });
});

describe('a tags pass', () => {
  it('measures no flavor: its passages have none until a full import', async () => {
    const root = fileScopedFolder();
    copyFileSync(join(realMusicDir(), 'joins', path), join(root, path));
    const summary = await runImport({ rootFolder: root, jobs: 2, analysis: 'tags' });
    expect(summary.counts.flavoredPassages).toEqual({});
    const db = closeAfterTest(inspect(join(root, 'wkmp.db')));
    expect(db.prepare('SELECT musical_flavor_vector AS vector, additional_metadata AS metadata FROM passages').all()).toEqual([{ vector: null, metadata: null }]);
  });
});
