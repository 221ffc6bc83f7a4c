/**
 * `wkmp-ai flavor --from-dump`: AcousticBrainz's high-level dump archives, built here in the exact
 * layout of acousticbrainz-server's db/dump.py (tar through the zstd program at level 10, members
 * `<dir>/highlevel/<2>/<1>/<mbid>-<n>.json`, COPYING last), read into a real wkmp.db: what is kept,
 * merged, passed over, counted as broken, and what an archive that ends early leaves.
 */
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { importDump } from '../../src/flavoring/dump.js';
import { memberOf } from '../../src/flavoring/dump-archive.js';
import { documentMember, dumpFolder, memberPath, truncateFile, writeDumpArchive, type DumpMember } from '../support/acousticbrainz-dump.js';
import { highLevelDocument } from '../support/fake-acousticbrainz.js';
import { flavorLibraryDatabase, makeFlavorLibrary, type FlavorLibrary } from '../support/flavor-library.js';
import { uuidOf } from '../support/identify-library.js';
import { spawnCli, tempFolder } from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

const database = (library: FlavorLibrary) => flavorLibraryDatabase(library, join(tempFolder(), 'wkmp.db'), open);

function query<T>(path: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** The offsets stored for a recording, sorted. */
function storedOffsets(path: string, mbid: string): string[] {
  const rows = query<{ data: string }>(path, 'SELECT high_level_data AS data FROM acousticbrainz_cache WHERE recording_mbid = ?', mbid);
  return rows.length === 0 ? [] : Object.keys(JSON.parse(rows[0]!.data) as object).sort();
}

const others = Array.from({ length: 5 }, (_, i) => uuidOf(`not in this library ${i}`));

describe('a dump archive\'s members', () => {
  it('are named by their recording and offset, the low-level ones and the rest told apart', () => {
    expect(memberOf(memberPath('564ccd5c-c4d3-4752-9abf-c33bb085d6a5', 12))).toEqual({ kind: 'document', mbid: '564ccd5c-c4d3-4752-9abf-c33bb085d6a5', offset: '12' });
    expect(memberPath('564ccd5c-c4d3-4752-9abf-c33bb085d6a5', 0)).toBe('acousticbrainz-highlevel-json-20220623/highlevel/56/4/564ccd5c-c4d3-4752-9abf-c33bb085d6a5-0.json');
    expect(memberOf(`${dumpFolder}/COPYING`)).toEqual({ kind: 'other' });
    expect(memberOf('acousticbrainz-lowlevel-json-20220623/lowlevel/56/4/564ccd5c-c4d3-4752-9abf-c33bb085d6a5-0.json')).toEqual({ kind: 'low-level' });
  });
});

describe('reading a dump into wkmp.db', () => {
  it('keeps this library\'s recordings, passes the others unread, names a broken member, flavors songs and passages; read again it writes nothing', async () => {
    const library = makeFlavorLibrary(4);
    const [twice, once, broken, absent] = library.mbids as [string, string, string, string];
    const { db, path } = await database(library);
    const file = join(tempFolder(), 'acousticbrainz-highlevel-json-20220623-0.tar.zst');
    await writeDumpArchive(file, [
      documentMember(others[0]!, 0, highLevelDocument(others[0]!, 0.1)),
      documentMember(twice, 0, highLevelDocument(twice, 0.2)),
      documentMember(others[1]!, 3, highLevelDocument(others[1]!, 0.3)),
      { path: memberPath(broken, 0), content: '{"highlevel": {"danceability": ' },
      documentMember(once, 0, highLevelDocument(once, 0.4)),
      documentMember(twice, 1, highLevelDocument(twice, 0.5)),
      ...others.slice(2).map((mbid, i) => documentMember(mbid, 0, highLevelDocument(mbid, i / 10))),
    ]);
    const summary = await importDump({ db, file });
    expect(summary).toMatchObject({
      complete: true, cancelled: false, error: null, members: 9, stored: 3, otherRecordings: 5, alreadyStored: 0, recordings: 2,
      bytesRead: statSync(file).size, bytesTotal: statSync(file).size, flavored: { songs: 2, passages: 2 },
      broken: { count: 1, members: [{ member: memberPath(broken, 0), problem: expect.stringMatching(/^not JSON \(/) as unknown }] },
    });
    expect(storedOffsets(path, twice)).toEqual(['0', '1']);
    expect(storedOffsets(path, once)).toEqual(['0']);
    expect(storedOffsets(path, broken)).toEqual([]);
    expect(storedOffsets(path, absent)).toEqual([]);
    expect(query(path, 'SELECT count(*) AS n FROM acousticbrainz_cache')).toEqual([{ n: 2 }]);
    // Each document as the archive holds it.
    const stored = JSON.parse(query<{ data: string }>(path, 'SELECT high_level_data AS data FROM acousticbrainz_cache WHERE recording_mbid = ?', once)[0]!.data) as Record<string, unknown>;
    expect(stored['0']).toEqual(highLevelDocument(once, 0.4));
    expect(query(path, 'SELECT recording_mbid AS mbid, status FROM songs WHERE status = \'FLAVOR READY\' ORDER BY recording_mbid')).toEqual([twice, once].sort().map((mbid) => ({ mbid, status: 'FLAVOR READY' })));
    const passage = query<{ sources: string }>(path, `
      SELECT p.flavor_source_blend AS sources FROM passages p JOIN passage_songs ps ON ps.passage_id = p.guid JOIN songs s ON s.guid = ps.song_id WHERE s.recording_mbid = ?`, twice)[0]!;
    expect(JSON.parse(passage.sources)).toEqual(['AcousticBrainz']);

    // An interrupted or repeated reading starts over: what is stored is passed unread.
    const again = await importDump({ db, file });
    expect(again).toMatchObject({ complete: true, members: 9, stored: 0, alreadyStored: 3, otherRecordings: 5, recordings: 0, flavored: { songs: 0, passages: 0 }, broken: { count: 1 } });
  });

  it('adds a recording\'s offsets found in another archive to those stored, and keeps those stored as they are', async () => {
    const library = makeFlavorLibrary(2);
    const [spread, repeated] = library.mbids as [string, string];
    const { db, path } = await database(library);
    const first = join(tempFolder(), 'acousticbrainz-highlevel-json-20220623-0.tar.zst');
    const second = join(tempFolder(), 'acousticbrainz-highlevel-json-20220623-1.tar.zst');
    await writeDumpArchive(first, [documentMember(spread, 0, highLevelDocument(spread, 0.9, 200)), documentMember(repeated, 0, highLevelDocument(repeated, 0.1))]);
    await writeDumpArchive(second, [documentMember(spread, 2, highLevelDocument(spread, 0.1, 201)), documentMember(repeated, 0, highLevelDocument(repeated, 0.7))]);
    await importDump({ db, file: first });
    const songBefore = query<{ vector: string }>(path, 'SELECT flavor_vector AS vector FROM songs WHERE recording_mbid = ?', spread)[0]!.vector;
    const summary = await importDump({ db, file: second });
    expect(summary).toMatchObject({ stored: 1, alreadyStored: 1, recordings: 1, flavored: { songs: 1, passages: 1 } });
    expect(storedOffsets(path, spread)).toEqual(['0', '2']);
    const kept = JSON.parse(query<{ data: string }>(path, 'SELECT high_level_data AS data FROM acousticbrainz_cache WHERE recording_mbid = ?', repeated)[0]!.data) as Record<string, unknown>;
    expect(kept['0']).toEqual(highLevelDocument(repeated, 0.1));
    // The song's flavor is now the mean of its two submissions.
    const songAfter = query<{ vector: string }>(path, 'SELECT flavor_vector AS vector FROM songs WHERE recording_mbid = ?', spread)[0]!.vector;
    expect(songAfter).not.toBe(songBefore);
  });

  it('keeps every recording of the archive with `all`, the library\'s songs flavored among them', async () => {
    const library = makeFlavorLibrary(1);
    const { db, path } = await database(library);
    const file = join(tempFolder(), 'dump.tar.zst');
    await writeDumpArchive(file, [library.mbids[0]!, ...others].map((mbid) => documentMember(mbid, 0, highLevelDocument(mbid, 0.5))));
    const summary = await importDump({ db, file, all: true });
    expect(summary).toMatchObject({ stored: 6, otherRecordings: 0, recordings: 6, flavored: { songs: 1, passages: 1 } });
    expect(query(path, 'SELECT count(*) AS n FROM acousticbrainz_cache')).toEqual([{ n: 6 }]);
  });

  it('keeps what was read before an archive that ends early, and says so in one line naming the file', async () => {
    const library = makeFlavorLibrary(400);
    const { db, path } = await database(library);
    const whole = join(tempFolder(), 'whole.tar.zst');
    await writeDumpArchive(whole, library.mbids.map((mbid, i) => documentMember(mbid, 0, highLevelDocument(mbid, i / 400))));
    const cut = join(tempFolder(), 'acousticbrainz-highlevel-json-20220623-7.tar.zst');
    truncateFile(whole, cut, Math.floor(statSync(whole).size * 0.6));
    const summary = await importDump({ db, file: cut });
    expect(summary.complete).toBe(false);
    expect(summary.error).toBe(`reading ${cut}: the archive ends before its zstd stream does (a truncated download?); what was read before is kept`);
    expect(summary.stored).toBeGreaterThan(100);
    expect(summary.stored).toBeLessThan(400);
    expect(query(path, 'SELECT count(*) AS n FROM acousticbrainz_cache')).toEqual([{ n: summary.stored }]);
    expect(query(path, 'SELECT count(*) AS n FROM songs WHERE status = \'FLAVOR READY\'')).toEqual([{ n: summary.stored }]);

    // Then the whole archive: what was kept is passed, the rest stored.
    const rest = await importDump({ db, file: whole });
    expect(rest).toMatchObject({ complete: true, alreadyStored: summary.stored, stored: 400 - summary.stored });
  });

  it('says so when the tar stream inside a whole zstd stream ends in the middle of a member', async () => {
    const library = makeFlavorLibrary(20);
    const { db, path } = await database(library);
    const pack = tar.pack();
    for (const member of library.mbids.map((mbid, i) => documentMember(mbid, 0, highLevelDocument(mbid, i / 20)))) pack.entry({ name: member.path }, member.content);
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    const whole = Buffer.concat(chunks);
    const file = join(tempFolder(), 'cut-inside.tar.zst');
    const zstd = spawnSync('zstd', ['-10', '-q', '-c'], { input: whole.subarray(0, Math.floor(whole.length * 0.7)), maxBuffer: 64 << 20 });
    writeFileSync(file, zstd.stdout);
    const summary = await importDump({ db, file });
    expect(summary.error).toBe(`reading ${file}: the archive ends in the middle of a member (a truncated download?); what was read before is kept`);
    expect(summary.stored).toBeGreaterThan(5);
    expect(query(path, 'SELECT count(*) AS n FROM acousticbrainz_cache')).toEqual([{ n: summary.stored }]);
  });

  it('stops when cancelled, keeping what it read', async () => {
    const library = makeFlavorLibrary(300);
    const { db, path } = await database(library);
    const file = join(tempFolder(), 'dump.tar.zst');
    await writeDumpArchive(file, library.mbids.map((mbid, i) => documentMember(mbid, 0, highLevelDocument(mbid, i / 300))));
    const controller = new AbortController();
    const summary = await importDump({ db, file, signal: controller.signal, onProgress: (p) => { if (p.stored >= 1) controller.abort(); } });
    expect(summary).toMatchObject({ cancelled: true, complete: false, error: null });
    expect(summary.stored).toBeGreaterThanOrEqual(1);
    expect(summary.stored).toBeLessThan(300);
    expect(query(path, 'SELECT count(*) AS n FROM acousticbrainz_cache')).toEqual([{ n: summary.stored }]);
  });

  it('refuses a low-level archive and a file that is not zstd, in one line each', async () => {
    const library = makeFlavorLibrary(1);
    const { db } = await database(library);
    const lowLevel = join(tempFolder(), 'acousticbrainz-lowlevel-json-20220623-0.tar.zst');
    await writeDumpArchive(lowLevel, [{ path: `acousticbrainz-lowlevel-json-20220623/lowlevel/${library.mbids[0]!.slice(0, 2)}/x/${library.mbids[0]}-0.json`, content: '{}' }]);
    expect((await importDump({ db, file: lowLevel })).error).toMatch(/: it is a low-level dump \(acousticbrainz-lowlevel-json-20220623\/lowlevel\/.*\): give a high-level one \(acousticbrainz-highlevel-json-…\); what was read before is kept$/);
    const text = join(tempFolder(), 'notes.tar.zst');
    writeFileSync(text, 'these are not the archives you are looking for\n'.repeat(10));
    expect((await importDump({ db, file: text })).error).toBe(`reading ${text}: it is not zstd data, or it is damaged; what was read before is kept`);
  });
});

describe('wkmp-ai flavor --from-dump', () => {
  it('prints its summary (--json too), and exits 1 with one line on stderr for an archive that ends early', { timeout: 60_000 }, async () => {
    const library = makeFlavorLibrary(50);
    const { db, path } = await database(library);
    await db.close();
    const file = join(tempFolder(), 'acousticbrainz-highlevel-json-20220623-0.tar.zst');
    const members: DumpMember[] = library.mbids.map((mbid, i) => documentMember(mbid, 0, highLevelDocument(mbid, i / 50)));
    await writeDumpArchive(file, [...members, { path: memberPath(others[0]!, 0), content: 'not json' }]);
    const run = await spawnCli(['flavor', '--db', path, '--from-dump', file]).exited;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^dump: acousticbrainz-highlevel-json-20220623-0\.tar\.zst read to the end in \d+\.\d s \([\d.]+ of [\d.]+ MB\)\n {2}documents {2}51 read: 50 stored, 1 of other recordings, 0 already stored, 0 broken\n {2}flavored {3}50 recordings stored or completed, 50 songs, 50 passages\n$/);

    const cut = join(tempFolder(), 'cut.tar.zst');
    truncateFile(file, cut, Math.floor(statSync(file).size / 2));
    const truncated = await spawnCli(['flavor', '--db', path, '--from-dump', cut, '--json']).exited;
    expect(truncated.code).toBe(1);
    expect(JSON.parse(truncated.stdout)).toMatchObject({ complete: false, stored: 0, alreadyStored: expect.any(Number) as unknown });
    expect(truncated.stderr).toBe(`wkmp-ai: reading ${cut}: the archive ends before its zstd stream does (a truncated download?); what was read before is kept\n`);

    const missing = await spawnCli(['flavor', '--db', path, '--from-dump', join(tempFolder(), 'none.tar.zst')]).exited;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^wkmp-ai: --from-dump .*none\.tar\.zst: no such file \(an AcousticBrainz high-level dump, acousticbrainz-highlevel-json-20220623-N\.tar\.zst\)\n$/);
    const allAlone = await spawnCli(['flavor', '--db', path, '--all']).exited;
    expect(allAlone.code).toBe(1);
    expect(allAlone.stderr).toMatch(/^error: option '--all' goes with '--from-dump <file>'/);
  });
});
