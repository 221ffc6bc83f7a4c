/**
 * A passage keeps its guid whatever happens to its file, as long as it is the same music: what the
 * player's history, a user's title and fades, identification and flavor hang on (WKMP.md,
 * "Identity"). Real file operations on the real fixture library, then the next import: which guids
 * survived, and that no passage, song link, identification job or flavor was lost.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/import/run.js';
import { realMusicDir } from '../real-music.js';
import { closeAfterTest } from './db-helpers.js';
import { copyFixtureRoot, inspect } from './helpers.js';

interface Snapshot {
  /** guid → path, present and missing. */
  files: Map<string, string>;
  missing: string[];
  /** passage guid → its file's guid. */
  passages: Map<string, string>;
  songLinks: number;
  albumLinks: number;
  identificationJobs: number;
  flavored: number;
  userTitles: Map<string, string>;
}

function snapshot(db: Database.Database): Snapshot {
  const files = db.prepare('SELECT guid, path, missing_since AS missingSince FROM files ORDER BY path').all() as { guid: string; path: string; missingSince: string | null }[];
  const passages = db.prepare('SELECT guid, file_id AS fileId, user_title AS userTitle FROM passages').all() as { guid: string; fileId: string; userTitle: string | null }[];
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    files: new Map(files.map((file) => [file.guid, file.path])),
    missing: files.filter((file) => file.missingSince !== null).map((file) => file.path),
    passages: new Map(passages.map((passage) => [passage.guid, passage.fileId])),
    songLinks: n('SELECT count(*) AS n FROM passage_songs'),
    albumLinks: n('SELECT count(*) AS n FROM passage_albums'),
    identificationJobs: n('SELECT count(*) AS n FROM wkmp_ai_identification_jobs'),
    flavored: n('SELECT count(*) AS n FROM passages WHERE musical_flavor_vector IS NOT NULL'),
    userTitles: new Map(passages.flatMap((passage) => (passage.userTitle === null ? [] : [[passage.guid, passage.userTitle] as const]))),
  };
}

/** The fixture library (with what `prepare` adds) imported in full, each passage given a user's title (what must survive). */
async function importedLibrary(prepare: (root: string) => void = () => undefined): Promise<{ root: string; open: () => Database.Database; before: Snapshot }> {
  const root = copyFixtureRoot();
  prepare(root);
  await runImport({ rootFolder: root, jobs: 2 });
  const open = () => closeAfterTest(inspect(join(root, 'wkmp.db')));
  open().exec("UPDATE passages SET user_title = 'mine: ' || guid");
  return { root, open, before: snapshot(open()) };
}

/** Everything the passages had, still there under the same guids. */
function expectNothingLost(before: Snapshot, after: Snapshot): void {
  expect([...after.passages.keys()].sort()).toEqual([...before.passages.keys()].sort());
  expect(after.userTitles).toEqual(before.userTitles);
  expect([after.songLinks, after.albumLinks, after.identificationJobs, after.flavored])
    .toEqual([before.songLinks, before.albumLinks, before.identificationJobs, before.flavored]);
  expect([...after.files.keys()].sort()).toEqual([...before.files.keys()].sort());
}

function guidOf(shot: Snapshot, path: string): string {
  const found = [...shot.files].find(([, at]) => at === path);
  if (!found) throw new Error(`no file at ${path}`);
  return found[0];
}

function move(root: string, from: string, to: string): void {
  mkdirSync(dirname(join(root, to)), { recursive: true });
  renameSync(join(root, from), join(root, to));
}

describe('a file that moved is the same file', () => {
  it('a renamed file keeps its row, guid and passages, and nothing is decoded', async () => {
    const { root, open, before } = await importedLibrary();
    const guid = guidOf(before, 'Artist B/Third.ogg');
    move(root, 'Artist B/Third.ogg', 'Artist B/03 Third (fixed typo).ogg');

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ moved: 1, new: 0, changed: 0, missing: 0, audioSeconds: 0 });
    const after = snapshot(open());
    expect(after.files.get(guid)).toBe('Artist B/03 Third (fixed typo).ogg');
    expect(after.missing).toEqual([]);
    expectNothingLost(before, after);
  });

  it('a renamed folder, a whole tree moved under another folder, and a file moved across folders: every row follows', async () => {
    const { root, open, before } = await importedLibrary();
    move(root, 'Artist A', 'Artist Z');
    mkdirSync(join(root, 'Collection'));
    move(root, 'Various', 'Collection/Various');
    move(root, 'Artist B/Fourth.opus', 'Collection/Fourth.opus');

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ moved: 6, new: 0, missing: 0, audioSeconds: 0 });
    const after = snapshot(open());
    expect([...after.files.values()].sort()).toEqual([
      'Artist B/Third.ogg', 'Artist Z/Album One/01 First.mp3', 'Artist Z/Album One/02 Second.flac',
      'Collection/Fourth.opus', 'Collection/Various/Fifth.m4a', 'Collection/Various/Sixth copy.wav', 'Collection/Various/Sixth.wav',
    ]);
    expect(after.files.get(guidOf(before, 'Artist A/Album One/01 First.mp3'))).toBe('Artist Z/Album One/01 First.mp3');
    expectNothingLost(before, after);
  });

  it('a move seen in two imports (the folder it left first, then the one it went to) is still a move', async () => {
    const { root, open, before } = await importedLibrary();
    const guid = guidOf(before, 'Artist B/Third.ogg');
    move(root, 'Artist B/Third.ogg', 'Various/Third.ogg');

    const first = await runImport({ rootFolder: root, folder: 'Artist B', jobs: 2 });
    expect(first.counts.missing).toBe(1);
    expect(snapshot(open()).missing).toEqual(['Artist B/Third.ogg']);
    const second = await runImport({ rootFolder: root, folder: 'Various', jobs: 2 });
    expect(second.counts).toMatchObject({ moved: 1, new: 0, audioSeconds: 0 });
    const after = snapshot(open());
    expect(after.files.get(guid)).toBe('Various/Third.ogg');
    expect(after.missing).toEqual([]);
    expectNothingLost(before, after);
  });

  it('a file copied to another filesystem and deleted here (a new inode, the same bytes) is found by its content, not decoded', async () => {
    const { root, open, before } = await importedLibrary();
    const guid = guidOf(before, 'Artist A/Album One/02 Second.flac');
    copyFileSync(join(root, 'Artist A/Album One/02 Second.flac'), join(root, 'Artist A/Second.flac'));
    rmSync(join(root, 'Artist A/Album One/02 Second.flac'));

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ moved: 1, new: 0, missing: 0, audioSeconds: 0 });
    const after = snapshot(open());
    expect(after.files.get(guid)).toBe('Artist A/Second.flac');
    expectNothingLost(before, after);
  });

  it('of two identical copies, each keeps its own guid when one is renamed, and a copy that stays put is not taken for it', async () => {
    const { root, open, before } = await importedLibrary();
    const copy = guidOf(before, 'Various/Sixth copy.wav');
    const original = guidOf(before, 'Various/Sixth.wav');
    move(root, 'Various/Sixth copy.wav', 'Various/Sixth (2).wav');

    await runImport({ rootFolder: root, jobs: 2 });
    const after = snapshot(open());
    expect([after.files.get(copy), after.files.get(original)]).toEqual(['Various/Sixth (2).wav', 'Various/Sixth.wav']);
    expectNothingLost(before, after);
  });

  it('a file only touched (same bytes, new time) is not decoded again', async () => {
    const { root, open, before } = await importedLibrary();
    const path = join(root, 'Artist B/Fourth.opus');
    const later = statSync(path).mtime.getTime() / 1000 + 3600;
    utimesSync(path, later, later);

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ moved: 1, changed: 0, audioSeconds: 0 });
    const third = await runImport({ rootFolder: root, jobs: 2 });
    expect(third.counts).toMatchObject({ moved: 0, unchanged: 7 });
    expectNothingLost(before, snapshot(open()));
  });
});

describe('a retagged file is the same file', () => {
  /** Rewrites the file's tags the way a tag editor does (mutagen, which Picard and beets use), padding and all. */
  function retag(path: string, title: string, recordingMbid?: string): void {
    execFileSync('/usr/bin/python3', ['-c', `
import sys, mutagen
f = mutagen.File(sys.argv[1], easy=True)
f['title'] = sys.argv[2]
f['artist'] = 'A Retagged Artist'
f['album'] = 'A Much Longer Album Name Than Before, To Move The Audio'
if len(sys.argv) > 3: f['musicbrainz_trackid'] = sys.argv[3]
f.save()`, path, title, ...(recordingMbid === undefined ? [] : [recordingMbid])]);
  }

  it('takes the new tags and keeps its guid and its passages, decoding nothing, for every format a tag editor rewrites', async () => {
    const { root, open, before } = await importedLibrary();
    const paths = ['Artist A/Album One/01 First.mp3', 'Artist A/Album One/02 Second.flac', 'Artist B/Third.ogg', 'Artist B/Fourth.opus', 'Various/Fifth.m4a'];
    for (const path of paths) retag(join(root, path), `Retitled ${path}`);

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ retagged: paths.length, changed: 0, new: 0, audioSeconds: 0 });
    const db = open();
    for (const path of paths) {
      const row = db.prepare('SELECT f.guid, f.title, f.artist, p.title AS passageTitle, p.album AS passageAlbum FROM files f JOIN passages p ON p.file_id = f.guid WHERE f.path = ?').get(path);
      expect(row, path).toEqual({
        guid: guidOf(before, path), title: `Retitled ${path}`, artist: 'A Retagged Artist', passageTitle: `Retitled ${path}`,
        passageAlbum: 'A Much Longer Album Name Than Before, To Move The Audio',
      });
    }
    expectNothingLost(before, snapshot(db));
  });

  it('a file retagged and renamed at once (a tagger that renames files) keeps its guid', async () => {
    const { root, open, before } = await importedLibrary();
    const guid = guidOf(before, 'Artist B/Third.ogg');
    retag(join(root, 'Artist B/Third.ogg'), 'Third, retitled');
    copyFileSync(join(root, 'Artist B/Third.ogg'), join(root, 'Artist B/03 - Third, retitled.ogg'));
    rmSync(join(root, 'Artist B/Third.ogg'));

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ retagged: 1, new: 0, missing: 0, audioSeconds: 0 });
    const after = snapshot(open());
    expect(after.files.get(guid)).toBe('Artist B/03 - Third, retitled.ogg');
    expectNothingLost(before, after);
  });

  it('analyses a file again when its new tags name another recording (as Picard writes them), its passage keeping its guid and taking that recording', async () => {
    const { root, open, before } = await importedLibrary();
    const path = 'Artist B/Third.ogg';
    const recording = '33333333-3333-4333-8333-333333333333';
    retag(join(root, path), 'Third, identified', recording);

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ retagged: 0, changed: 1 });
    expect(again.counts.audioSeconds).toBeGreaterThan(0);
    const db = open();
    const played = db.prepare(`SELECT p.guid, s.recording_mbid AS recording FROM passages p JOIN files f ON f.guid = p.file_id
      JOIN passage_songs ps ON ps.passage_id = p.guid JOIN songs s ON s.guid = ps.song_id WHERE f.path = ?`).all(path);
    expect(played).toEqual([{ guid: [...before.passages].find(([, file]) => file === guidOf(before, path))![0], recording }]);
  });
});

describe('an upgrade keeps the passages', () => {
  /** A side of an album in three passages, as an MP3 rip (the real-music fixtures: the same source as the FLAC). */
  const mp3 = join(realMusicDir(), 'joins', 'side-rip.mp3');
  const flac = join(realMusicDir(), 'joins', 'digital-gaps.flac');

  const imported = (files: Record<string, string>) => importedLibrary((root) => {
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      if (source.endsWith('.ogg')) execFileSync('ffmpeg', ['-v', 'error', '-i', flac, '-c:a', 'libvorbis', '-q:a', '3', join(root, path)]);
      else copyFileSync(source, join(root, path));
    }
  });

  const passagesOf = (db: Database.Database, path: string) =>
    (db.prepare('SELECT p.guid FROM passages p JOIN files f ON f.guid = p.file_id WHERE f.path = ? ORDER BY p.start_time_ticks').all(path) as { guid: string }[]).map((row) => row.guid);

  it('a FLAC of the same master replacing an MP3 at another path takes over its passages, guids, user titles and links; the MP3 row is retired, not deleted', async () => {
    const { root, open, before } = await imported({ 'Side/side-rip.mp3': mp3 });
    const oldGuid = guidOf(before, 'Side/side-rip.mp3');
    const oldPassages = passagesOf(open(), 'Side/side-rip.mp3');
    expect(oldPassages).toHaveLength(3);
    rmSync(join(root, 'Side/side-rip.mp3'));
    copyFileSync(flac, join(root, 'Side/side.flac'));

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ reencoded: 1, ambiguous: 0, new: 1 });
    const db = open();
    expect(passagesOf(db, 'Side/side.flac')).toEqual(oldPassages);
    expect(db.prepare('SELECT missing_since IS NOT NULL AS missing, superseded_by AS supersededBy FROM files WHERE guid = ?').get(oldGuid))
      .toEqual({ missing: 1, supersededBy: guidOf(snapshot(db), 'Side/side.flac') });
    const after = snapshot(db);
    expect([...after.passages.keys()].sort()).toEqual([...before.passages.keys()].sort());
    expect(after.userTitles).toEqual(before.userTitles);
    expect([after.identificationJobs, after.flavored]).toEqual([before.identificationJobs, before.flavored]);
  });

  it('does not guess between two missing encodings that both match: the new file takes nothing, both stay, and the summary and the error rows say so', async () => {
    const { root, open, before } = await imported({ 'Side/side-rip.mp3': mp3, 'Side/side-rip.ogg': 'encode.ogg' });
    rmSync(join(root, 'Side/side-rip.mp3'));
    rmSync(join(root, 'Side/side-rip.ogg'));
    copyFileSync(flac, join(root, 'Side/side.flac'));

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ reencoded: 0, ambiguous: 1, missing: 2 });
    expect(again.errors.filter((error) => error.code === 'AMBIGUOUS_UPGRADE').map((error) => error.path)).toEqual(['Side/side.flac']);
    const db = open();
    expect(passagesOf(db, 'Side/side.flac').filter((guid) => before.passages.has(guid))).toEqual([]);
    expect(passagesOf(db, 'Side/side-rip.mp3')).toHaveLength(3);
    expect(passagesOf(db, 'Side/side-rip.ogg')).toHaveLength(3);
  });

  it('takes nothing over from a missing file of other music', async () => {
    const { root, open } = await imported({ 'Side/side-rip.mp3': mp3 });
    rmSync(join(root, 'Side/side-rip.mp3'));
    copyFileSync(join(realMusicDir(), 'joins', 'gapless.flac'), join(root, 'Side/other.flac'));

    const again = await runImport({ rootFolder: root, jobs: 2 });
    expect(again.counts).toMatchObject({ reencoded: 0, ambiguous: 0, missing: 1 });
    expect(passagesOf(open(), 'Side/side-rip.mp3')).toHaveLength(3);
  });
});

