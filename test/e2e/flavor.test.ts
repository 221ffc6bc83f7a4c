/**
 * A passage's flavor through the service and the command line: GET /passages/:guid/flavor, the
 * nearest passages by the SPEC003 distance (GET /passages/:guid/similar, `wkmp-ai similar`), on
 * passages recorded as an import records them, with flavors made from their audio descriptors.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWkmpDatabase } from '../../src/db/setup.js';
import { composePassageFlavor } from '../../src/flavor/compose.js';
import { flavorDistance } from '../../src/flavor/distance.js';
import type { AudioFeatures } from '../../src/stored/additional-metadata.js';
import { fileRecord, passageRecord } from '../integration/db-helpers.js';
import { spawnCli, tempFolder } from '../integration/helpers.js';
import { request, startService } from './helpers.js';

const loudFast: AudioFeatures = {
  bpm: 128, bpm_confidence: 0.9, key: 'A', mode: 'minor', key_strength: 0.8, loudness_lufs: -9, loudness_range_lu: 4,
  spectral_centroid_hz: 2200, onset_rate: 5, dynamic_complexity: 2.5, danceability: 1.5,
};
const library = {
  'Club/floor.flac': loudFast,
  'Club/floor again.flac': { ...loudFast, bpm: 126, loudness_lufs: -10 },
  'Club/warm up.flac': { ...loudFast, bpm: 118, key: 'E', loudness_lufs: -13 },
  'Quiet/nocturne.flac': { ...loudFast, bpm: 62, key: 'D#', mode: 'major', loudness_lufs: -27, loudness_range_lu: 14, spectral_centroid_hz: 600, onset_rate: 1, danceability: 0.7 },
} as const satisfies Record<string, AudioFeatures>;

/** A root holding the four files (empty: only their rows matter) and their passages recorded, each with its flavor. */
async function flavoredLibrary(): Promise<{ root: string; guids: Record<string, string> }> {
  const root = tempFolder();
  const db = openWkmpDatabase(join(root, 'wkmp.db'));
  const guids: Record<string, string> = {};
  const recording = db.recorder.beginRecording(randomUUID());
  for (const [path, features] of Object.entries(library)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
    const passage = passageRecord({
      title: path.split('/').pop()!.replace('.flac', ''), additionalMetadata: { audio_features: features },
      flavor: composePassageFlavor({ features, recordings: [] }),
    });
    guids[path] = passage.guid;
    await recording.add(fileRecord(path, { passages: [passage] }));
  }
  await recording.end();
  await db.close();
  return { root, guids };
}

interface Similar { similar: { guid: string; distance: number; passage: { path: string; title: string } }[] }

describe('a passage\'s flavor through the service', () => {
  it('shows a passage\'s characteristics, sources, confidence and the audio descriptors they come from', async () => {
    const { root, guids } = await flavoredLibrary();
    const { url } = await startService(root);
    const answer = await request<{ flavor: Record<string, Record<string, number>>; sources: string[]; confidence: Record<string, number>; completeness: number; audio_features: AudioFeatures; passage: { path: string } }>(
      `${url}/passages/${guids['Club/floor.flac']}/flavor`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sources: ['wkmp-ai audio'], audio_features: loudFast, passage: { path: 'Club/floor.flac' } });
    expect(answer.body.flavor['wkmp.loudness']!.loud).toBeGreaterThan(0.9);
    expect(answer.body.confidence['wkmp.tempo']).toBe(0.9);
    expect(answer.body.completeness).toBeCloseTo(8 / 26, 3);
    expect((await request(`${url}/passages/${randomUUID()}/flavor`)).status).toBe(404);
  });

  it('warns of a characteristic a user added whose classes do not sum to 1, through the service and wkmp-ai similar', async () => {
    const { root, guids } = await flavoredLibrary();
    const db = new Database(join(root, 'wkmp.db'));
    db.prepare(`UPDATE passages SET musical_flavor_vector = json_set(musical_flavor_vector, '$."my.mood"', json('{"calm":0.5,"tense":0.48}')) WHERE guid = ?`)
      .run(guids['Club/floor.flac']);
    db.close();
    const { url } = await startService(root);
    const answer = await request<{ warnings: string[] }>(`${url}/passages/${guids['Club/floor.flac']}/flavor`);
    expect(answer.body.warnings).toEqual(['my.mood: its classes sum to 0.9800, not 1 (SPEC003 MFL-DEF-040); the distance uses it as it is']);
    expect((await request<{ warnings: string[] }>(`${url}/passages/${guids['Club/warm up.flac']}/flavor`)).body.warnings).toEqual([]);
    const text = await spawnCli(['similar', 'Club/floor.flac', '--root-folder', root], root).exited;
    expect(text.stdout).toContain('  warning  my.mood: its classes sum to 0.9800');
  });

  it('lists the nearest passages by the SPEC003 distance, nearest first, never the passage itself', async () => {
    const { root, guids } = await flavoredLibrary();
    const { url } = await startService(root);
    const answer = await request<Similar>(`${url}/passages/${guids['Club/floor.flac']}/similar?limit=3`);
    expect(answer.status).toBe(200);
    expect(answer.body.similar.map((n) => n.passage.path)).toEqual(['Club/floor again.flac', 'Club/warm up.flac', 'Quiet/nocturne.flac']);
    const distances = answer.body.similar.map((n) => n.distance);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    // The same distance as the model gives, to the stored precision.
    const model = flavorDistance(composePassageFlavor({ features: loudFast, recordings: [] })!.vector, composePassageFlavor({ features: library['Quiet/nocturne.flac'], recordings: [] })!.vector);
    expect(distances[2]).toBeCloseTo(model, 5);
    expect((await request<Similar>(`${url}/passages/${guids['Club/floor.flac']}/similar?limit=1`)).body.similar).toHaveLength(1);
    expect((await request(`${url}/passages/${guids['Club/floor.flac']}/similar?limit=0`)).status).toBe(400);
    expect((await request(`${url}/passages/${guids['Club/floor.flac']}/similar?limit=many`)).status).toBe(400);
    expect((await request(`${url}/passages/${randomUUID()}/similar`)).status).toBe(404);
  });
});

describe('wkmp-ai similar', () => {
  it('prints each passage of a file with its flavor and its nearest passages; --json gives the same as one array', async () => {
    const { root } = await flavoredLibrary();
    const text = await spawnCli(['similar', join(root, 'Quiet/nocturne.flac'), '--root-folder', root, '--limit', '2']).exited;
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Quiet/nocturne.flac (0:00-3:00) · nocturne');
    expect(lines[1]).toBe('  flavor   wkmp-ai audio · 62 BPM, D# major, -27.0 LUFS');
    expect(lines.slice(2)).toEqual([expect.stringMatching(/^ {3}1\. 0\.\d{4} {2}Club\/warm up\.flac \(0:00-3:00\) · warm up$/), expect.stringMatching(/^ {3}2\. 0\.\d{4} {2}Club\/floor/)]);
    const json = await spawnCli(['similar', 'Club/floor.flac', '--root-folder', root, '--json'], root).exited;
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { similar: { passage: { path: string } }[] }[];
    expect(parsed[0]!.similar[0]!.passage.path).toBe('Club/floor again.flac');
  });

  it('says in one line what it cannot do: a file outside the root, one with no passages', async () => {
    const { root } = await flavoredLibrary();
    writeFileSync(join(root, 'new.flac'), '');
    const outside = await spawnCli(['similar', '/etc/hostname', '--root-folder', root]).exited;
    expect(outside).toMatchObject({ code: 1, stderr: `wkmp-ai: file /etc/hostname is outside the root folder ${root}\n` });
    const unknown = await spawnCli(['similar', join(root, 'new.flac'), '--root-folder', root]).exited;
    expect(unknown).toMatchObject({ code: 1, stderr: `wkmp-ai: new.flac has no passages in ${join(root, 'wkmp.db')}: import it first\n` });
  });
});
