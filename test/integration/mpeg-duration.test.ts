/**
 * A tags pass over MPEG audio without a Xing, Info or VBRI header: each file gets its whole-file
 * passage, with the duration a full decode gives, where the container's figure is only a guess from
 * the first frames (music-metadata's and ffprobe's, printed beside it). Real recordings: asc-music's
 * MP3s, which have no such header, and a drascula-music song transcoded with `-write_xing 0`. And
 * the summary of a tags pass says how many files it could give no passage, and why.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from 'music-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseFile } from '../../src/analysis/worker.js';
import { TICKS_PER_SECOND } from '../../src/file-record.js';
import { realMusicDir } from '../real-music.js';
import { analyseTask, fixtures, inspect, spawnCli, tempFolder } from './helpers.js';

/** Within one MPEG-2 frame (576 samples at 22.05 kHz: 26 ms); the walk in fact matches to the sample. */
const tolerance = 0.03;

function ffmpeg(args: string[]): Buffer {
  return execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 512 << 20 });
}

/** What ffmpeg decodes of the file: its samples (mono s16) over its rate. */
function decodedSeconds(path: string): number {
  const rate = Number(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate', '-of', 'csv=p=0', path], { encoding: 'utf8' }));
  return ffmpeg(['-i', path, '-map', '0:a:0', '-ac', '1', '-f', 's16le', '-']).length / 2 / rate;
}

function ffprobeSeconds(path: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' }));
}

interface Case {
  name: string;
  path: string;
  /** The decoded length: the manifest's for asc-music's files, ffmpeg's here for the transcodes. */
  decoded: number;
}

const cases: Case[] = [];
let folder = '';

/** From the real-music fixtures' song (drascula-music track 29, 32 s), encoded without a seek header. */
const transcodes = [
  { name: 'VBR, 20 s of digital silence first (its first frames 32 kbit/s)', file: 'vbr-silent-start.mp3', args: ['-af', 'adelay=20s:all=1', '-c:a', 'libmp3lame', '-q:a', '2', '-write_xing', '0'] },
  { name: 'VBR MPEG-1 44.1 kHz', file: 'vbr.mp3', args: ['-c:a', 'libmp3lame', '-q:a', '4', '-write_xing', '0'] },
  { name: 'VBR MPEG-2 22.05 kHz mono', file: 'vbr-mpeg2.mp3', args: ['-ar', '22050', '-ac', '1', '-c:a', 'libmp3lame', '-q:a', '6', '-write_xing', '0'] },
  { name: 'CBR 128 kbit/s', file: 'cbr.mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k', '-write_xing', '0'] },
  { name: 'MPEG-1 Layer II (MP2)', file: 'layer2.mp2', args: ['-c:a', 'mp2', '-b:a', '192k'] },
];

beforeAll(() => {
  const real = realMusicDir();
  const manifest = JSON.parse(readFileSync(join(real, 'manifest.json'), 'utf8')) as { files: { path: string; sources: string[]; duration: number }[] };
  for (const file of manifest.files.filter((entry) => entry.path.endsWith('.mp3') && entry.sources[0]!.startsWith('asc-music/'))) {
    cases.push({ name: `asc-music ${file.path} (CBR MPEG-2, no seek header)`, path: join(real, file.path), decoded: file.duration });
  }
  folder = tempFolder();
  const song = join(real, 'singles', 'track29.flac');
  ffmpeg(['-i', song, ...transcodes.flatMap(({ file, args }) => [...args, join(folder, file)])]);
  for (const { name, file } of transcodes) cases.push({ name: `drascula-music track 29, ${name}`, path: join(folder, file), decoded: decodedSeconds(join(folder, file)) });
});

describe('a tags pass over MPEG audio without a seek header', () => {
  it('gives each file one passage over the whole file, as long as a full decode of it', async () => {
    const rows: string[][] = [['file', 'tags pass', 'decoded', 'ffprobe', 'music-metadata']];
    const results = [];
    for (const file of cases) {
      const result = await analyseFile(analyseTask(file.path, file.name, { analysis: 'tags', ffmpeg: null }));
      if (result.kind !== 'record') throw new Error(`${file.name}: ${JSON.stringify(result)}`);
      const seconds = result.durationTicks === null ? null : result.durationTicks / TICKS_PER_SECOND;
      const container = (await parseFile(file.path, { duration: false, skipCovers: true })).format.duration;
      rows.push([file.name, seconds?.toFixed(3) ?? 'none', file.decoded.toFixed(3), ffprobeSeconds(file.path).toFixed(3), container?.toFixed(3) ?? 'none']);
      results.push({
        file: file.name,
        status: result.status,
        passages: result.passages.map((p) => [p.startTicks, p.endTicks === result.durationTicks ? 'the end' : p.endTicks]),
        duration: seconds !== null && Math.abs(seconds - file.decoded) <= tolerance ? 'as decoded' : seconds,
        warnings: result.warnings,
      });
    }
    console.log(rows.map((row) => row.join(' | ')).join('\n'));
    expect(results).toEqual(cases.map((file) => ({
      file: file.name, status: 'INGEST COMPLETE', passages: [[0, 'the end']], duration: 'as decoded', warnings: [],
    })));
  });
});

describe('wkmp-ai import --analysis tags, as a person reads it', () => {
  it('records the VBR MP3 without a Xing header whole, and says why the raw AAC has no passage', async () => {
    const root = tempFolder();
    copyFileSync(join(fixtures, 'vbr-no-xing.mp3'), join(root, 'vbr-no-xing.mp3'));
    // Raw AAC (ADTS): its headers give no duration without reading every frame, which a tags pass does not do.
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:a', 'aac', '-f', 'adts', join(root, 'tone.aac')]);
    const run = await spawnCli(['import', '--root-folder', root, '--analysis', 'tags', '--jobs', '1']).exited;
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain('  no passage 1 file recorded PENDING until a full import decodes it: its headers give no duration (1)');
    expect(lines).toContain(`    NO_PASSAGE       reading tags of tone.aac: recorded without a passage until its audio is decoded: its headers give no duration`);
    const db = inspect(join(root, 'wkmp.db'));
    try {
      const rows = db.prepare(`SELECT f.path, f.status, f.duration_ticks AS duration, count(p.guid) AS passages
        FROM files f LEFT JOIN passages p ON p.file_id = f.guid GROUP BY f.guid ORDER BY f.path`).all() as { path: string; status: string; duration: number | null; passages: number }[];
      expect(rows.map((row) => ({ ...row, duration: row.duration === null ? null : Math.round((row.duration / TICKS_PER_SECOND) * 100) / 100 }))).toEqual([
        { path: 'tone.aac', status: 'PENDING', duration: null, passages: 0 },
        // 116 frames of 1152 samples at 44.1 kHz; the container says 5.12 s.
        { path: 'vbr-no-xing.mp3', status: 'INGEST COMPLETE', duration: 3.03, passages: 1 },
      ]);
    } finally {
      db.close();
    }
  });
});
