/**
 * Files tagged every way a tag reader meets them: short Ogg Vorbis, Opus, FLAC, MP3 (CBR with an
 * Info header, VBR with Xing, without either, mono at 22 kHz) and M4A (AAC, ALAC) made by ffmpeg,
 * tagged by Python's mutagen (an independent writer of every format: tag-corpus.py) with twelve sets
 * of tags, MP3s as ID3v2.4 and v2.3 in each text encoding. Both are required (Debian: apt-get
 * install ffmpeg python3-mutagen); when either is missing the tests fail, they do not skip.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { classifyContent, sniffBytes, tagInFront } from '../../src/analysis/content-type.js';
import { readTags, readTagsWithMusicMetadata, type ReadTagsOptions } from '../../src/analysis/tags.js';

const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('./tag-corpus.py', import.meta.url));

const bases: readonly { name: string; args: readonly string[] }[] = [
  { name: 'vorbis.ogg', args: ['-c:a', 'libvorbis'] },
  { name: 'opus.opus', args: ['-c:a', 'libopus'] },
  { name: 'flac.flac', args: ['-c:a', 'flac'] },
  { name: 'cbr.mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k'] },
  { name: 'vbr.mp3', args: ['-c:a', 'libmp3lame', '-q:a', '4'] },
  { name: 'noxing.mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k', '-write_xing', '0'] },
  { name: 'mono22k.mp3', args: ['-ar', '22050', '-ac', '1', '-c:a', 'libmp3lame'] },
  { name: 'aac.m4a', args: ['-c:a', 'aac'] },
  { name: 'alac.m4a', args: ['-c:a', 'alac'] },
];

function run(command: string, args: readonly string[]): string {
  const ran = spawnSync(command, args, { encoding: 'utf8' });
  if (ran.error) throw new Error(`${command} could not run (${ran.error.message}); the tag corpus needs ffmpeg and ${python} with mutagen`);
  if (ran.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${ran.stderr}`);
  return ran.stdout;
}

/** Makes the corpus in `folder`; the files' absolute paths. */
export function makeTagCorpus(folder: string): string[] {
  for (const base of bases) {
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3:sample_rate=44100', ...base.args, join(folder, `base-${base.name}`)]);
  }
  return run(python, [script, folder]).trim().split('\n');
}

/** The first bytes of the content, after a tag in front, as the worker classifies it (worker.ts contentHead). */
export function contentHeadOf(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const readAt = (position: number): Uint8Array => {
      const bytes = new Uint8Array(sniffBytes);
      return bytes.subarray(0, readSync(fd, bytes, 0, sniffBytes, position));
    };
    const head = readAt(0);
    const offset = tagInFront(head);
    return offset === 0 ? head : readAt(offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * How the file reads differently through the narrow readers (`readTags`) and through
 * music-metadata alone, for each way of taking an MP3's duration asked: one line per difference
 * (a throw is compared by its message), none when they agree.
 */
export async function differencesFromMusicMetadata(path: string, mpegDurations: readonly ReadTagsOptions['mpegDuration'][]): Promise<string[]> {
  const { mime } = await classifyContent(contentHeadOf(path));
  const differences: string[] = [];
  for (const mpegDuration of mpegDurations) {
    const read = (reader: typeof readTags) => reader(path, { mime, mpegDuration }).then(JSON.stringify, (error: unknown) => `throws: ${String(error)}`);
    const [own, theirs] = [await read(readTags), await read(readTagsWithMusicMetadata)];
    if (own !== theirs) differences.push(`${basename(path)} (MPEG duration from ${mpegDuration}): ${own} ≠ ${theirs}`);
  }
  return differences;
}
