/**
 * readFlacCueSheet on real files: ffmpeg encodes a 20 s sine as FLAC, Python's mutagen (an
 * independent writer of the format) adds the CUESHEET block. Both are required (Debian: apt-get
 * install ffmpeg python3-mutagen); when either is missing these tests fail, they do not skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFlacCueSheet } from '../../src/analysis/flac-cue-sheet.js';
import { TICKS_PER_SECOND } from '../../src/file-record.js';

const PYTHON = '/usr/bin/python3';

/** Adds a CD cue sheet to the FLAC at argv[1]: tracks from argv[2] as JSON, [number, offset, isrc, [[index, offset], …]]. */
const addCueSheet = `
import json, sys
from mutagen.flac import FLAC, CueSheet, CueSheetTrack, CueSheetTrackIndex
flac = FLAC(sys.argv[1])
sheet = CueSheet(None)
sheet.media_catalog_number = b'0724385522925'
for number, offset, isrc, indexes in json.loads(sys.argv[2]):
    track = CueSheetTrack(number, offset, isrc=isrc.encode())
    track.indexes = [CueSheetTrackIndex(n, o) for n, o in indexes]
    sheet.tracks.append(track)
flac.metadata_blocks.append(sheet)
flac.save()
`;

function run(command: string, args: readonly string[]): void {
  const ran = spawnSync(command, args, { encoding: 'utf8' });
  if (ran.error) throw new Error(`${command} could not run (${ran.error.message}); these tests need ffmpeg and ${PYTHON} with mutagen`);
  if (ran.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${ran.stderr}`);
}

/** Reads a file's cue sheet the way a caller would, counting the bytes read. */
async function readCueSheetOf(path: string): Promise<{ tracks: Awaited<ReturnType<typeof readFlacCueSheet>>; bytesRead: number }> {
  const handle = await open(path);
  let bytesRead = 0;
  try {
    const tracks = await readFlacCueSheet(async (position, length) => {
      const buffer = new Uint8Array(length);
      const read = await handle.read(buffer, 0, length, position);
      bytesRead += read.bytesRead;
      return buffer.subarray(0, read.bytesRead);
    });
    return { tracks, bytesRead };
  } finally {
    await handle.close();
  }
}

const seconds = (s: number): number => s * TICKS_PER_SECOND;
let folder = '';
const file = (name: string): string => join(folder, name);

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'wkmp-flac-cue-'));
  run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=20:sample_rate=44100', '-c:a', 'flac', file('plain.flac')]);
  run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file('plain.flac'), file('plain.wav')]);
  writeFileSync(file('album.flac'), readFileSync(file('plain.flac')));
  // Track 2's pregap (INDEX 00) from 10 s, its INDEX 01 at 12 s = sample 529 200; the lead-out at the end, sample 882 000.
  run(PYTHON, ['-c', addCueSheet, file('album.flac'), JSON.stringify([
    [1, 0, 'GBAYE9700215', [[1, 0]]],
    [2, 441_000, '', [[0, 0], [1, 88_200]]],
    [170, 882_000, '', []],
  ])]);
  writeFileSync(file('short-lead-out.flac'), readFileSync(file('plain.flac')));
  run(PYTHON, ['-c', addCueSheet, file('short-lead-out.flac'), JSON.stringify([[1, 0, '', [[1, 0]]], [170, 793_800, '', []]])]);
  // An ID3v2.4 tag of 300 zero bytes (syncsafe size 0x00 0x00 0x02 0x2c) before fLaC.
  const id3 = Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 2, 0x2c, ...new Array<number>(300).fill(0)]);
  writeFileSync(file('id3-album.flac'), Buffer.concat([id3, readFileSync(file('album.flac'))]));
});

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('readFlacCueSheet on files written by ffmpeg and mutagen', () => {
  it('reads the tracks to the sample: track 1 ends at track 2’s INDEX 00, track 2 starts at 12 s and runs to the end', async () => {
    const { tracks, bytesRead } = await readCueSheetOf(file('album.flac'));
    expect(tracks).toEqual([
      { number: 1, kind: 'audio', startTicks: 0, endTicks: seconds(10), title: null, performer: null, recordingMbid: null, artistMbids: [], isrc: 'GBAYE9700215', flags: [] },
      { number: 2, kind: 'audio', startTicks: 338_688_000, endTicks: null, title: null, performer: null, recordingMbid: null, artistMbids: [], isrc: null, flags: [] },
    ]);
    expect(bytesRead).toBeLessThan(2048);
  });

  it('ends the last track at a lead-out before the end of the sound', async () => {
    expect((await readCueSheetOf(file('short-lead-out.flac'))).tracks?.map((t) => t.endTicks)).toEqual([seconds(18)]);
  });

  it('reads a FLAC file that starts with an ID3v2 tag', async () => {
    expect((await readCueSheetOf(file('id3-album.flac'))).tracks?.map((t) => t.startTicks)).toEqual([0, 338_688_000]);
  });

  it('gives null for a FLAC file without a cue sheet and for a WAV file', async () => {
    expect((await readCueSheetOf(file('plain.flac'))).tracks).toBeNull();
    expect((await readCueSheetOf(file('plain.wav'))).tracks).toBeNull();
  });
});
