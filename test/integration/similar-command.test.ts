/**
 * `wkmp-ai similar`'s own work, in this process (test/e2e/flavor.test.ts runs the command itself):
 * each passage of a file named with its place and times, its flavor's sources and measures (what
 * was measured, and nothing of what was not), its nearest passages or why there are none, the JSON
 * form, and a one-line refusal for a file outside the root, one without passages, or no database.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { similarToFile } from '../../src/cli/similar.js';
import { openWkmpDatabase } from '../../src/db/setup.js';
import { composePassageFlavor } from '../../src/flavor/compose.js';
import { ANALYSIS_VERSION, secondsToTicks, type PassageRecord } from '../../src/file-record.js';
import type { AudioFeatures } from '../../src/stored/additional-metadata.js';
import { fileRecord, passageRecord } from './db-helpers.js';
import { tempFolder } from './helpers.js';

const measured: AudioFeatures = {
  bpm: 124.4, bpm_confidence: 0.6, key: 'A', mode: 'minor', key_strength: 0.7, loudness_lufs: -11.24, loudness_range_lu: 5,
  spectral_centroid_hz: 1400, onset_rate: 3, dynamic_complexity: 3, danceability: 1.3,
};
/** A passage's flavor from AcousticBrainz alone: a tags pass measured nothing of its audio. */
const fromAcousticBrainz = composePassageFlavor({
  features: null, recordings: [{ flavor: { danceability: { danceable: 0.7, not_danceable: 0.3 } }, confidence: { danceability: 0.8 }, seconds: 55 }],
});

function passage(features: AudioFeatures | null, overrides: Partial<PassageRecord> = {}): PassageRecord {
  return passageRecord({
    additionalMetadata: features === null ? null : { audio_features: features },
    flavor: features === null ? null : composePassageFlavor({ features, recordings: [] }),
    ...overrides,
  });
}

/** A root and its database holding `files` (path → passages); the files themselves empty. */
async function library(files: Record<string, PassageRecord[]>): Promise<{ root: string; database: string }> {
  const root = tempFolder();
  const database = join(root, 'wkmp.db');
  const db = openWkmpDatabase(database);
  const recording = db.recorder.beginRecording(randomUUID());
  for (const [path, passages] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
    await recording.add(fileRecord(path, { passages }));
  }
  await recording.end();
  await db.close();
  return { root, database };
}

const options = (root: string, database: string, path: string, more: { limit?: number; json?: boolean } = {}) => ({
  rootFolder: root, database, path: join(root, path), limit: more.limit ?? 10, json: more.json ?? false,
});

describe('wkmp-ai similar, in this process', () => {
  it('names each passage by its place and times, says what was measured, and lists its nearest', async () => {
    const meta = (number: number, of: number) => ({ analysis: 'full' as const, analysisVersion: ANALYSIS_VERSION, passage: { number, of }, boundaries: { source: 'silence' as const, rejectedGaps: [] } });
    const { root, database } = await library({
      'A/two songs.flac': [
        passage(measured, { title: 'First', endTicks: secondsToTicks(192), importMetadata: meta(1, 2) }),
        passage(null, { title: null, startTicks: secondsToTicks(195), endTicks: secondsToTicks(250), importMetadata: meta(2, 2), flavor: fromAcousticBrainz }),
      ],
      'B/other.flac': [passage({ ...measured, bpm: 90 }, { title: 'Other' })],
    });
    const text = similarToFile(options(root, database, 'A/two songs.flac', { limit: 1 }));
    const blocks = text.split('\n\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]!.split('\n')).toEqual([
      'A/two songs.flac 1/2 (0:00-3:12) · First',
      '  flavor   wkmp-ai audio · 124 BPM, A minor, -11.2 LUFS',
      // The other file's passage shares every characteristic; the AcousticBrainz-only one shares none (distance 1).
      expect.stringMatching(/^ {3}1\. 0\.\d{4} {2}B\/other\.flac \(0:00-3:00\) · Other$/),
    ]);
    // Nothing was measured of the second's audio: its line says its source alone, its name is its place.
    expect(blocks[1]!.split('\n').slice(0, 2)).toEqual(['A/two songs.flac 2/2 (3:15-4:10)', '  flavor   AcousticBrainz']);

    const json = JSON.parse(similarToFile(options(root, database, 'A/two songs.flac', { json: true }))) as
      { passage: { number: number }; sources: string[]; audio_features: AudioFeatures; warnings: string[]; similar: { distance: number }[] }[];
    expect(json.map((entry) => entry.passage.number)).toEqual([1, 2]);
    expect(json[0]).toMatchObject({ sources: ['wkmp-ai audio'], audio_features: measured, warnings: [] });
    expect(json[0]!.similar).toHaveLength(2);
    expect(json[0]!.similar[0]!.distance).toBeLessThanOrEqual(json[0]!.similar[1]!.distance);
  });

  it('says when a passage has no flavor yet, and when no other passage has one', async () => {
    const { root, database } = await library({
      'tags only.mp3': [passage(null)],
      'alone.flac': [passage(measured)],
    });
    expect(similarToFile(options(root, database, 'tags only.mp3'))).toMatch(/^[0-9a-f-]{36}: no flavor yet \(a full import measures it\)$/);
    expect(similarToFile(options(root, database, 'alone.flac')).split('\n').at(-1)).toBe('  no other passage has a flavor yet');
    const [entry] = JSON.parse(similarToFile(options(root, database, 'tags only.mp3', { json: true }))) as { flavor: unknown; sources: string[]; similar: unknown[] }[];
    expect(entry).toMatchObject({ flavor: null, sources: [], similar: [] });
  });

  it('refuses in one line a file outside the root, a file without passages, and a missing database', async () => {
    const { root, database } = await library({ 'alone.flac': [passage(measured)] });
    writeFileSync(join(root, 'not imported.flac'), '');
    expect(() => similarToFile({ ...options(root, database, 'x'), path: join(tempFolder(), 'elsewhere.flac') })).toThrow(/outside|not inside|root/);
    expect(() => similarToFile(options(root, database, 'not imported.flac'))).toThrow(`not imported.flac has no passages in ${database}: import it first`);
    expect(() => similarToFile(options(root, join(root, 'none.db'), 'alone.flac'))).toThrow(`no database at ${join(root, 'none.db')}: import a folder first (wkmp-ai import)`);
  });
});
