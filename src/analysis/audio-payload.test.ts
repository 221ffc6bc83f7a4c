/**
 * hashAudioPayload on real files: ffmpeg encodes 3 s of seeded pink noise in each container, and
 * the real tag editor mutagen (/usr/bin/python3 with python3-mutagen, as CI installs it) retags
 * copies of them. ffmpeg and mutagen are required: without them these tests fail; a codec that
 * this ffmpeg cannot encode skips its format's tests, saying so.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileTypeFromFile } from 'file-type';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashAudioPayload } from './audio-payload.js';

const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);

/**
 * Retags the file at argv[1] as a tag editor would: a much longer title, a new artist, and with
 * argv[2] = 'cover' a 256 KiB picture (more than any padding holds, so blocks grow and move).
 * MPEG and ADTS files also get an APEv2 tag and an ID3v1 tag behind the audio.
 */
const retagScript = `
import base64, sys, mutagen
from mutagen.aiff import AIFF
from mutagen.apev2 import APEv2
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3, ID3NoHeaderError, TIT2, TPE1
from mutagen.mp4 import MP4, MP4Cover
from mutagen.wave import WAVE

path, with_cover = sys.argv[1], sys.argv[2] == 'cover'
title = 'A new title, much longer than the one the encoder wrote. ' * 8
artist = 'A New Artist'
cover = bytes(range(256)) * 1024

def add_id3_frames(tags):
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TPE1(encoding=3, text=artist))
    if with_cover:
        tags.add(APIC(encoding=3, mime='image/jpeg', type=3, desc='Cover', data=cover))

def flac_picture():
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, 'image/jpeg', cover
    return picture

# mutagen.File takes an ADTS file with an ID3v2 tag in front for an MP3, and fails on it.
audio = None if path.endswith(('.mp3', '.aac')) else mutagen.File(path)
if audio is None:
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        tags = ID3()
    ape = APEv2()  # first: saving an APEv2 tag drops an ID3v1 tag behind it
    ape['Title'], ape['Artist'] = title, artist
    ape.save(path)
    add_id3_frames(tags)
    tags.save(path, v1=2)
elif isinstance(audio, (WAVE, AIFF)):
    if audio.tags is None:
        audio.add_tags()
    add_id3_frames(audio.tags)
    audio.save()
elif isinstance(audio, MP4):
    audio['\\xa9nam'], audio['\\xa9ART'] = [title], [artist]
    if with_cover:
        audio['covr'] = [MP4Cover(cover, imageformat=MP4Cover.FORMAT_JPEG)]
    audio.save()
elif isinstance(audio, FLAC):
    audio['title'], audio['artist'] = [title], [artist]
    if with_cover:
        audio.add_picture(flac_picture())
    audio.save()
else:  # Ogg Vorbis, Opus, FLAC: Vorbis comments
    audio['title'], audio['artist'] = [title], [artist]
    if with_cover:
        audio['metadata_block_picture'] = [base64.b64encode(flac_picture().write()).decode('ascii')]
    audio.save()
`;

interface Format {
  name: string;
  ext: string;
  /** What file-type sniffs, which is what the worker passes. */
  mime: string;
  encoder: string;
  args: readonly string[];
}

const formats: readonly Format[] = [
  { name: 'MP3 with a Xing/LAME frame', ext: 'mp3', mime: 'audio/mpeg', encoder: 'libmp3lame', args: ['-c:a', 'libmp3lame', '-b:a', '128k'] },
  { name: 'MP3 without one', ext: 'mp3', mime: 'audio/mpeg', encoder: 'libmp3lame', args: ['-c:a', 'libmp3lame', '-b:a', '128k', '-write_xing', '0'] },
  { name: 'ADTS AAC with ID3v2 and APEv2', ext: 'aac', mime: 'audio/aac', encoder: 'aac', args: ['-c:a', 'aac', '-b:a', '96k', '-f', 'adts', '-write_id3v2', '1', '-write_apetag', '1'] },
  { name: 'FLAC', ext: 'flac', mime: 'audio/flac', encoder: 'flac', args: ['-c:a', 'flac'] },
  { name: 'Ogg Vorbis', ext: 'ogg', mime: 'audio/ogg', encoder: 'libvorbis', args: ['-c:a', 'libvorbis', '-q:a', '3'] },
  { name: 'Ogg Opus', ext: 'opus', mime: 'audio/ogg; codecs=opus', encoder: 'libopus', args: ['-c:a', 'libopus', '-b:a', '64k'] },
  { name: 'Ogg FLAC', ext: 'oga', mime: 'audio/ogg', encoder: 'flac', args: ['-c:a', 'flac', '-f', 'ogg'] },
  { name: 'M4A (AAC)', ext: 'm4a', mime: 'audio/x-m4a', encoder: 'aac', args: ['-c:a', 'aac', '-b:a', '96k'] },
  { name: 'WAV', ext: 'wav', mime: 'audio/wav', encoder: 'pcm_s16le', args: ['-c:a', 'pcm_s16le'] },
  { name: 'AIFF', ext: 'aiff', mime: 'audio/aiff', encoder: 'pcm_s16be', args: ['-c:a', 'pcm_s16be', '-write_id3v2', '1'] },
];

/** The encoders this ffmpeg has, read once: a format whose encoder is missing is skipped, not failed. */
const encoders = new Set(
  execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }).split('\n').map((line) => line.trim().split(/\s+/)[1] ?? ''),
);
const missing = (encoder: string): string | null => (encoders.has(encoder) ? null : `this ffmpeg cannot encode ${encoder}`);

let folder = '';
const file = (name: string): string => join(folder, name);
const variant = (format: Format, kind: 'original' | 'retagged' | 'covered' | 'trimmed' | 'cut'): string =>
  file(`${formats.indexOf(format)}-${kind}.${format.ext}`);

const ffmpeg = (args: readonly string[]): Promise<unknown> => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
const encode = (input: string, output: string, args: readonly string[], extra: readonly string[] = []): Promise<unknown> =>
  ffmpeg(['-i', input, ...extra, ...args, '-metadata', 'title=Original', '-metadata', 'artist=Encoder', output]);

async function retag(path: string, kind: 'tags' | 'cover'): Promise<void> {
  await run(PYTHON, ['-c', retagScript, path, kind]);
}

/** The original, copies retagged by mutagen (tags; tags and a cover), the source 0.5 s shorter, and a copy cut short. */
async function makeVariants(format: Format): Promise<void> {
  const original = variant(format, 'original');
  await encode(file('source.wav'), original, format.args);
  await encode(file('source.wav'), variant(format, 'trimmed'), format.args, ['-t', '2.5']);
  copyFileSync(original, variant(format, 'retagged'));
  copyFileSync(original, variant(format, 'covered'));
  await Promise.all([retag(variant(format, 'retagged'), 'tags'), retag(variant(format, 'covered'), 'cover')]);
  copyFileSync(original, variant(format, 'cut'));
  truncateSync(variant(format, 'cut'), Math.floor(statSync(original).size * 0.7));
}

function payloadHash(path: string, mime: string | null): string | null {
  const fd = openSync(path, 'r');
  try {
    return hashAudioPayload(fd, statSync(path).size, mime);
  } finally {
    closeSync(fd);
  }
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const fileHash = (path: string): string => sha256(readFileSync(path));

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'wkmp-audio-payload-'));
  await ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=duration=3:color=pink:sample_rate=44100:amplitude=0.3:seed=42', file('source.wav')]);
  await Promise.all(formats.filter((format) => !missing(format.encoder)).map(makeVariants));
}, 60_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe.each(formats)('hashAudioPayload of $name', (format) => {
  const skipReason = missing(format.encoder);

  it(`is given the mime file-type sniffs: ${format.mime}`, async ({ skip }) => {
    if (skipReason) skip(skipReason);
    expect((await fileTypeFromFile(variant(format, 'original')))?.mime).toBe(format.mime);
  });

  it.for(['retagged', 'covered'] as const)('stays the same when mutagen rewrites the tags (%s)', (kind, { skip }) => {
    if (skipReason) skip(skipReason);
    const original = variant(format, 'original');
    const retagged = variant(format, kind);
    expect(fileHash(retagged)).not.toBe(fileHash(original));
    if (kind === 'covered') expect(statSync(retagged).size - statSync(original).size).toBeGreaterThan(200 * 1024); // FLAC's padding takes a little
    const hash = payloadHash(original, format.mime);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(payloadHash(retagged, format.mime)).toBe(hash);
  });

  it('changes when the audio is 0.5 s shorter', ({ skip }) => {
    if (skipReason) skip(skipReason);
    const trimmed = payloadHash(variant(format, 'trimmed'), format.mime);
    expect(trimmed).toMatch(/^[0-9a-f]{64}$/);
    expect(trimmed).not.toBe(payloadHash(variant(format, 'original'), format.mime));
  });

  it('gives null or another hash, without throwing, for a file cut short', ({ skip }) => {
    if (skipReason) skip(skipReason);
    expect(payloadHash(variant(format, 'cut'), format.mime)).not.toBe(payloadHash(variant(format, 'original'), format.mime));
  });
});

describe('hashAudioPayload', () => {
  it('changes when the same MP3 is encoded at another bit rate', async ({ skip }) => {
    if (missing('libmp3lame')) skip(missing('libmp3lame')!);
    const [mp3] = formats;
    await encode(file('source.wav'), file('192k.mp3'), ['-c:a', 'libmp3lame', '-b:a', '192k']);
    expect(payloadHash(file('192k.mp3'), 'audio/mpeg')).not.toBe(payloadHash(variant(mp3!, 'original'), 'audio/mpeg'));
  });

  it('strips tags stacked around MP3 frames: two ID3v2 tags and zero padding in front; Lyrics3v2, APEv2 and ID3v1 behind', ({ skip }) => {
    if (missing('libmp3lame')) skip(missing('libmp3lame')!);
    const [mp3] = formats;
    const retagged = readFileSync(variant(mp3!, 'retagged')); // ID3v2, frames, APEv2, ID3v1
    const extraId3 = Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 20]), Buffer.alloc(20)]);
    const lyricsBody = 'LYRICSBEGININD0000210';
    const lyrics3 = Buffer.from(`${lyricsBody}${String(lyricsBody.length).padStart(6, '0')}LYRICS200`, 'latin1');
    const apeEnd = retagged.length - 128;
    const apeStart = retagged.lastIndexOf('APETAGEX', apeEnd - 32 - 1);
    expect(retagged.toString('latin1', apeEnd, apeEnd + 3)).toBe('TAG');
    expect(retagged.toString('latin1', apeEnd - 32, apeEnd - 24)).toBe('APETAGEX');
    expect(apeStart).toBeGreaterThan(0);
    const stacked = Buffer.concat([extraId3, Buffer.alloc(777), retagged.subarray(0, apeStart), lyrics3, retagged.subarray(apeStart)]);
    writeFileSync(file('stacked.mp3'), stacked);
    expect(payloadHash(file('stacked.mp3'), 'audio/mpeg')).toBe(payloadHash(variant(mp3!, 'original'), 'audio/mpeg'));
  });

  it('hashes exactly the contents of the fmt and data chunks of a WAV larger than one 1 MiB read', async () => {
    const path = file('long.wav');
    await ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=duration=8:sample_rate=48000:seed=7', '-ac', '2', '-c:a', 'pcm_s16le', '-metadata', 'title=Long', path]);
    const bytes = readFileSync(path);
    const contents = (id: string): Buffer => {
      const at = bytes.indexOf(id, 12, 'latin1');
      return bytes.subarray(at + 8, at + 8 + bytes.readUInt32LE(at + 4));
    };
    expect(contents('data').length).toBeGreaterThan(1 << 20);
    expect(payloadHash(path, 'audio/wav')).toBe(sha256(Buffer.concat([contents('fmt '), contents('data')])));
  });

  it('gives null for a container it does not know: WavPack, random bytes, no mime', async ({ skip }) => {
    writeFileSync(file('random.bin'), randomBytes(50_000));
    expect(payloadHash(file('random.bin'), null)).toBeNull();
    expect(payloadHash(file('random.bin'), 'audio/x-ms-asf')).toBeNull();
    if (missing('wavpack')) skip(missing('wavpack')!);
    await encode(file('source.wav'), file('noise.wv'), ['-c:a', 'wavpack']);
    const mime = (await fileTypeFromFile(file('noise.wv')))?.mime ?? null;
    expect(mime).toBe('audio/wavpack');
    expect(payloadHash(file('noise.wv'), mime)).toBeNull();
  });

  it.each(['audio/flac', 'audio/wav', 'audio/aiff', 'audio/x-m4a', 'audio/ogg', 'audio/ogg; codecs=opus'])(
    'gives null, without throwing, for random bytes or an empty file sniffed as %s',
    (mime) => {
      writeFileSync(file('random.bin'), randomBytes(50_000));
      writeFileSync(file('empty.bin'), '');
      expect(payloadHash(file('random.bin'), mime)).toBeNull();
      expect(payloadHash(file('empty.bin'), mime)).toBeNull();
    },
  );

  it('gives null for an empty MP3', () => {
    writeFileSync(file('empty.bin'), '');
    expect(payloadHash(file('empty.bin'), 'audio/mpeg')).toBeNull();
  });

  it('lets a real read error through', () => {
    const fd = openSync(file('source.wav'), 'r');
    closeSync(fd);
    expect(() => hashAudioPayload(fd, statSync(file('source.wav')).size, 'audio/wav')).toThrow(/EBADF/);
  });
});
