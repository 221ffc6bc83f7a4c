/**
 * AcousticBrainz's documents are merged before their transaction (db/record-acousticbrainz.ts); a
 * recording whose stored documents another writer changed in between is merged again inside it,
 * so that no offset either wrote is lost.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { recordAcousticBrainz } from '../../src/db/record-acousticbrainz.js';
import { openWkmpDatabase, type WkmpDatabase } from '../../src/db/setup.js';
import { tempFolder } from './helpers.js';

const open: WkmpDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

const mbid = '0b1c2d3e-0000-4000-8000-000000000001';
const noSongFlavor = () => ({ vector: null, sources: null, status: 'FLAVORING FAILED' as const });

it('keeps the offsets another writer stored between the merge and the transaction', async () => {
  const path = join(tempFolder(), 'wkmp.db');
  const db = openWkmpDatabase(path);
  open.push(db);
  await db.recorder.write(recordAcousticBrainz(db.read, { recordings: [{ recordingMbid: mbid, documents: { 0: { a: 0 } } }], jobs: [] }, noSongFlavor));
  // Merged now, against offset 0 alone...
  const unit = recordAcousticBrainz(db.read, { recordings: [{ recordingMbid: mbid, documents: { 2: { a: 2 } } }], jobs: [] }, noSongFlavor);
  // ...while another writer adds offset 1 before the unit runs.
  const other = new Database(path);
  other.prepare('UPDATE acousticbrainz_cache SET high_level_data = ? WHERE recording_mbid = ?').run(JSON.stringify({ 0: { a: 0 }, 1: { a: 1 } }), mbid);
  other.close();
  expect(await db.recorder.write(unit)).toMatchObject({ stored: 1 });
  const row = db.read.prepare('SELECT high_level_data AS text FROM acousticbrainz_cache WHERE recording_mbid = ?').get(mbid) as { text: string };
  expect(Object.keys(JSON.parse(row.text) as object).sort()).toEqual(['0', '1', '2']);
});
