/**
 * Passages' flavors made again once their recordings' AcousticBrainz documents are known
 * (src/flavoring/recompose.ts): the recordings' runtime-weighted centroid beside the passage's own
 * characteristics, AcousticBrainz first among the sources; passages whose recordings it does not
 * know, or that have none, keep what they had.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openWkmpDatabase, type WkmpDatabase } from '../../src/db/setup.js';
import { composePassageFlavor } from '../../src/flavor/compose.js';
import { secondsToTicks } from '../../src/file-record.js';
import { recomposeStaleFlavors } from '../../src/flavoring/recompose.js';
import type { AudioFeatures } from '../../src/stored/additional-metadata.js';
import { fileRecord, passageRecord, testMbid } from './db-helpers.js';
import { tempFolder } from './helpers.js';

const open: WkmpDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

const features: AudioFeatures = {
  bpm: 100, bpm_confidence: 0.7, key: 'G', mode: 'major', key_strength: 0.6, loudness_lufs: -16, loudness_range_lu: 7,
  spectral_centroid_hz: 1300, onset_rate: 3, dynamic_complexity: 4, danceability: 1.1,
};

function recordingRef(n: number) {
  return { songGuid: randomUUID(), recordingMbid: testMbid('c', n), title: `Song ${n}`, artists: [], works: [] };
}

function highLevel(danceable: number): string {
  const model = (all: Record<string, number>) => ({ all, probability: Math.max(...Object.values(all)), value: 'x' });
  return JSON.stringify({ 0: { highlevel: { danceability: model({ danceable, not_danceable: 1 - danceable }), mood_sad: model({ not_sad: 0.9, sad: 0.1 }) }, metadata: {} } });
}

function flavorRow(path: string, guid: string) {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT musical_flavor_vector AS vector, flavor_source_blend AS sources, flavor_completeness AS completeness FROM passages WHERE guid = ?').get(guid) as
      { vector: string; sources: string; completeness: number };
  } finally {
    db.close();
  }
}

describe('passages\' flavors made again', () => {
  it('adds the recordings AcousticBrainz knows to the passages that play them, weighted by their runtime, and leaves the others as they were', async () => {
    const path = join(tempFolder(), 'wkmp.db');
    const db = openWkmpDatabase(path);
    open.push(db);
    const known = passageRecord({ additionalMetadata: { audio_features: features }, flavor: composePassageFlavor({ features, recordings: [] }), recording: recordingRef(1) });
    const unknown = passageRecord({ additionalMetadata: { audio_features: features }, flavor: composePassageFlavor({ features, recordings: [] }), recording: recordingRef(2) });
    const unidentified = passageRecord({ additionalMetadata: { audio_features: features }, flavor: composePassageFlavor({ features, recordings: [] }) });
    const recording = db.recorder.beginRecording(randomUUID());
    for (const [i, passage] of [known, unknown, unidentified].entries()) await recording.add(fileRecord(`f${i}.flac`, { passages: [passage] }));
    await recording.end();
    expect(JSON.parse(flavorRow(path, known.guid).sources)).toEqual(['wkmp-ai audio']);

    const writer = new Database(path);
    writer.prepare(`UPDATE passages SET musical_flavor_vector = json_set(musical_flavor_vector, '$."my.energy"', json('{"high":0.7,"low":0.3}')) WHERE guid = ?`).run(known.guid);
    writer.prepare('INSERT INTO acousticbrainz_cache (recording_mbid, high_level_data) VALUES (?, ?), (?, ?)').run(testMbid('c', 1), highLevel(0.8), testMbid('c', 2), '{}');
    writer.close();
    expect(await recomposeStaleFlavors(db)).toBe(1);

    const remade = flavorRow(path, known.guid);
    expect(JSON.parse(remade.sources)).toEqual(['AcousticBrainz', 'wkmp-ai audio']);
    const vector = JSON.parse(remade.vector) as Record<string, Record<string, number>>;
    // The user's own characteristic, added before (SPEC003 MFL-UDEF), is kept beside what was made again.
    expect(vector['my.energy']).toEqual({ high: 0.7, low: 0.3 });
    expect(vector.danceability).toEqual({ danceable: 0.8, not_danceable: 0.2 });
    expect(vector['wkmp.tempo']).toEqual(known.flavor!.vector['wkmp.tempo']);
    expect(remade.completeness).toBeCloseTo(10 / 26, 3);
    for (const other of [unknown, unidentified]) expect(JSON.parse(flavorRow(path, other.guid).sources)).toEqual(['wkmp-ai audio']);
    // Nothing is stale any more: a second pass writes nothing.
    expect(await recomposeStaleFlavors(db)).toBe(0);
  });

  it('gives a passage of two recordings their centroid by the time each plays in it', async () => {
    const path = join(tempFolder(), 'wkmp.db');
    const db = openWkmpDatabase(path);
    open.push(db);
    const passage = passageRecord({ endTicks: secondsToTicks(400), recording: recordingRef(3) });
    const recording = db.recorder.beginRecording(randomUUID());
    await recording.add(fileRecord('medley.flac', { passages: [passage] }));
    await recording.end();
    const writer = new Database(path);
    // The passage plays song 3 for 300 s, then song 4 for 100 s.
    const song4 = randomUUID();
    writer.prepare("INSERT INTO songs (guid, recording_mbid, title) VALUES (?, ?, 'Song 4')").run(song4, testMbid('c', 4));
    writer.prepare('UPDATE passage_songs SET end_time_ticks = ? WHERE passage_id = ?').run(secondsToTicks(300), passage.guid);
    writer.prepare('INSERT INTO passage_songs (passage_id, song_id, start_time_ticks, end_time_ticks) VALUES (?, ?, ?, ?)').run(passage.guid, song4, secondsToTicks(300), secondsToTicks(400));
    writer.prepare('INSERT INTO acousticbrainz_cache (recording_mbid, high_level_data) VALUES (?, ?), (?, ?)').run(testMbid('c', 3), highLevel(0.9), testMbid('c', 4), highLevel(0.1));
    writer.close();
    expect(await recomposeStaleFlavors(db)).toBe(1);
    const remade = flavorRow(path, passage.guid);
    expect(JSON.parse(remade.sources)).toEqual(['AcousticBrainz']);
    expect((JSON.parse(remade.vector) as Record<string, Record<string, number>>).danceability!.danceable).toBeCloseTo(0.7, 6);
  });
});
