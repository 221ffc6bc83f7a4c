/**
 * The narrow tag readers (analysis/tag-readers, docs/adr/0009) on files tagged by an independent
 * writer (tag-corpus.ts): each file reads as music-metadata reads it, the common containers are
 * read without it, and what a user relies on (artists, MusicBrainz ids, dates, track) comes out
 * as the tags say. What the readers leave (an ID3v1 tag beside the ID3v2 one, a damaged file)
 * music-metadata still reads.
 */
import { copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileTypeFromBuffer } from 'file-type';
import { classifyContent, commonAudioType } from '../../src/analysis/content-type.js';
import { readOwnTags } from '../../src/analysis/tag-readers/read-own-tags.js';
import { readTags, type ReadTagsOptions } from '../../src/analysis/tags.js';
import { fileScopedFolder } from './db-helpers.js';
import { seededRandom } from '../seeded-random.js';
import { contentHeadOf, differencesFromMusicMetadata, makeTagCorpus } from './tag-corpus.js';

let folder = '';
let files: string[] = [];
const durations = ['container', 'frames', 'none'] as const;

async function optionsOf(path: string, mpegDuration: ReadTagsOptions['mpegDuration']): Promise<ReadTagsOptions> {
  return { mime: (await classifyContent(contentHeadOf(path))).mime, mpegDuration };
}

/** What the narrow readers make of the file, as the worker would ask them; null when they leave it to music-metadata. */
async function ownTagsOf(path: string, mpegDuration: ReadTagsOptions['mpegDuration']) {
  const { mime } = await optionsOf(path, mpegDuration);
  if (mime === null) throw new Error(`${path}: no content type`);
  return readOwnTags(path, mime, mpegDuration);
}

/** What the worker asks for an MP3 (worker.ts): the Xing or Info header's count when there is one, else counted frames. */
const asked = (path: string): ReadTagsOptions['mpegDuration'] => (path.includes('noxing') || !path.endsWith('.mp3') ? 'frames' : 'container');

beforeAll(() => {
  folder = fileScopedFolder();
  files = makeTagCorpus(folder);
});

describe('the tag corpus', () => {
  it('reads every file as music-metadata does, for each way of taking an MP3\'s duration', async () => {
    expect(files.length).toBeGreaterThan(250);
    const differing: string[] = [];
    for (const path of files) differing.push(...await differencesFromMusicMetadata(path, durations));
    expect(differing).toEqual([]);
  });

  it('knows the common containers by their first bytes as file-type knows them, and all of them', async () => {
    const differing: string[] = [];
    for (const path of files) {
      const head = contentHeadOf(path);
      const known = commonAudioType(head);
      const fileType = (await fileTypeFromBuffer(head))?.mime ?? null;
      if (known !== fileType) differing.push(`${basename(path)}: ${known} ≠ file-type's ${fileType}`);
    }
    expect(differing).toEqual([]);
  });

  it('reads the common containers without music-metadata, all but an MP3 with an ID3v1 tag too', async () => {
    const leftToIt: string[] = [];
    for (const path of files) if (await ownTagsOf(path, asked(path)) === null) leftToIt.push(basename(path));
    expect(leftToIt.sort()).toEqual(['cbr-with-v1.mp3', 'mono22k-with-v1.mp3', 'noxing-with-v1.mp3', 'vbr-with-v1.mp3']);
  });

  const picard = ['vorbis-picard.ogg', 'opus-picard.opus', 'flac-picard.flac', 'aac-picard.m4a', 'alac-picard.m4a', 'cbr-picard-v24-utf8.mp3', 'vbr-picard-v24-utf16.mp3', 'noxing-picard-v23-utf16.mp3'];
  it.each(picard)('%s: the artists, ids, dates, work and track Picard wrote', async (name) => {
    const path = join(folder, name);
    const report = await readTags(path, await optionsOf(path, asked(path)));
    expect({ ...report, audio: undefined }).toEqual({
      tags: { title: 'Für Elise', artist: 'A feat. B', album: 'Ünïcode ☃ 🎵', trackNumber: 3, year: 2001 },
      artistNames: ['A', 'B'],
      // ID3v2.3 has no full date: its TYER says the year.
      releaseDate: name.includes('v23') ? '2001' : '2001-05-01',
      // iTunes and Vorbis name the work; ID3 keeps it in a frame music-metadata does not map.
      workTitle: name.endsWith('.mp3') ? null : 'Opus 1',
      ids: {
        recordingMbid: '0f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f60', releaseMbid: '1f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f61', workMbid: '4f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f64',
        artistMbids: ['2f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f62', '3f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f63'],
      },
      audio: undefined,
      cueSheet: null,
    });
    expect(report.audio.durationSeconds).toBeCloseTo(3, 1);
  });

  it('gives each container\'s audio as ffmpeg names it', async () => {
    const audio = async (name: string) => {
      const path = join(folder, name);
      const { format, codec, sampleRate, channels } = (await readTags(path, await optionsOf(path, asked(path)))).audio;
      return [format, codec, sampleRate, channels];
    };
    expect(await audio('vorbis-basic.ogg')).toEqual(['ogg', 'vorbis', 44100, 1]);
    expect(await audio('opus-basic.opus')).toEqual(['ogg', 'opus', 48000, 1]);
    expect(await audio('flac-basic.flac')).toEqual(['flac', 'flac', 44100, 1]);
    // An MP4 sample entry says 2 channels for any AAC (the count is in the decoder's configuration), and music-metadata
    // reads the entry: a tags pass records 2 for this mono file, until a full pass records the decoded stream's 1.
    expect(await audio('aac-basic.m4a')).toEqual(['mp4', 'aac', 44100, 2]);
    expect(await audio('alac-basic.m4a')).toEqual(['mp4', 'alac', 44100, 1]);
    expect(await audio('mono22k-basic-v24-utf8.mp3')).toEqual(['mp3', 'mp3', 22050, 1]);
  });

  it('takes two ARTIST values as two artists, and ARTISTS alone as the artist too', async () => {
    const read = async (name: string) => {
      const path = join(folder, name);
      const { tags, artistNames } = await readTags(path, await optionsOf(path, asked(path)));
      return [tags.artist, artistNames];
    };
    expect(await read('flac-two-artists.flac')).toEqual(['X', ['X', 'Y']]);
    expect(await read('vorbis-artists-only.ogg')).toEqual(['P, Q & R', ['P', 'Q', 'R']]);
    expect(await read('aac-artists-pair.m4a')).toEqual(['P & Q', ['P', 'Q']]);
    // ID3v2.3 separates a list with '/', as Picard flattens one: AC/DC is two artists there, as music-metadata reads it.
    expect(await read('cbr-slash-v23-latin1.mp3')).toEqual(['AC', ['AC', 'DC']]);
    expect(await read('cbr-slash-v24-utf8.mp3')).toEqual(['AC/DC', ['AC/DC']]);
  });

  it('reads YEAR and ORIGINALYEAR when there is no DATE, and a cue sheet written into the tags', async () => {
    const read = async (name: string) => {
      const path = join(folder, name);
      return readTags(path, await optionsOf(path, asked(path)));
    };
    expect((await read('vorbis-year-only.ogg')).tags.year).toBe(1999);
    expect((await read('cbr-year-only-v23-latin1.mp3')).tags.year).toBe(1999);
    expect((await read('aac-original-year.m4a')).tags.year).toBe(1971);
    expect((await read('flac-cuesheet.flac')).cueSheet).toContain('TRACK 02 AUDIO');
  });

  it('leaves a file cut inside its tags to music-metadata, which says what is wrong with it or reads what is there', async () => {
    const differing: string[] = [];
    for (const name of ['vorbis-cover.ogg', 'flac-cover.flac', 'aac-picard.m4a', 'cbr-cover-v24-utf8.mp3', 'opus-picard.opus']) {
      const whole = readFileSync(join(folder, name));
      for (const fraction of [0.01, 0.05, 0.3]) {
        const path = join(folder, `cut-${fraction}-${name}`);
        writeFileSync(path, whole.subarray(0, Math.floor(whole.length * fraction)));
        differing.push(...await differencesFromMusicMetadata(path, durations));
      }
    }
    expect(differing).toEqual([]);
  });

  it('reads a file with damaged bytes in its headers and tags as music-metadata does, or leaves it to it', async () => {
    const random = seededRandom(20);
    const differing: string[] = [];
    for (const name of ['vorbis-picard.ogg', 'opus-basic.opus', 'flac-picard.flac', 'aac-picard.m4a', 'alac-basic.m4a', 'cbr-picard-v24-utf8.mp3', 'noxing-picard-v23-utf16.mp3']) {
      const whole = readFileSync(join(folder, name));
      for (let copy = 0; copy < 20; copy += 1) {
        const bytes = Buffer.from(whole);
        // Three bytes anywhere in the first 8 KiB: lengths, counts, ids, flags and text.
        for (let i = 0; i < 3; i += 1) bytes[Math.floor(random() * Math.min(bytes.length, 8192))] = Math.floor(random() * 256);
        const path = join(folder, `damaged-${copy}-${name}`);
        writeFileSync(path, bytes);
        differing.push(...await differencesFromMusicMetadata(path, [asked(path)]));
      }
    }
    expect(differing).toEqual([]);
  });

  it('leaves an unsynchronised ID3v2 tag to music-metadata', async () => {
    const path = join(folder, 'unsynchronised.mp3');
    copyFileSync(join(folder, 'cbr-basic-v24-utf8.mp3'), path);
    const bytes = readFileSync(path);
    bytes[5] = bytes[5]! | 0x80; // the tag's unsynchronisation flag: its bytes must be restored before reading
    writeFileSync(path, bytes);
    expect(await ownTagsOf(path, 'container')).toBeNull();
    expect((await readTags(path, await optionsOf(path, 'container'))).tags.title).toBe('Song');
  });
});
