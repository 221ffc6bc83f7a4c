/**
 * A corpus of audio files in every container/codec pair the system ffmpeg can encode, plus the
 * edge cases an importer meets in real libraries (a big ID3v2 tag in front of FLAC or MP3, zero
 * bytes before an MP3, truncated files, a wrong extension, videos, an MP3 with a cover), each with
 * what ffprobe says of it. Made with the system `ffmpeg` and `ffprobe` (Debian's; CI installs them).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { containerName } from '../../src/analysis/decode/stream-facts.js';

const execFileAsync = promisify(execFile);

/** What ffprobe says of a file's first audio stream (the one ffmpeg picks). */
export interface ExpectedStream {
  /** containerName(format_name). */
  container: string;
  /** ffprobe's codec_name, e.g. 'flac', 'opus', 'pcm_s16be'. */
  codec: string;
  sampleRate: number;
  channels: number;
  /**
   * ffprobe's duration of the stream (else of the file). Where ffprobe can only estimate it from
   * the bitrate (raw AAC, AC-3, MP2, DTS: it warns "Estimating duration from bitrate"), the length
   * the system ffmpeg decodes instead: the estimate of raw AAC is 0.4 s too long.
   */
  durationSeconds: number;
}

export interface CorpusFile {
  /** Relative to the corpus folder, '/'-separated. */
  path: string;
  kind: 'audio' | 'video' | 'truncated';
  /** Null when ffprobe finds no audio stream in it (a truncated file it cannot read). */
  expected: ExpectedStream | null;
  /** The tags ffprobe reads (format tags, else the audio stream's); null where the file carries none (raw AC-3, MP2, DTS). */
  tags: { title: string | null; artist: string | null; album: string | null };
  /** A truncated file: the corpus file it is the first 40 % of. */
  source?: string;
  /** What the file is, for a person reading the test's table. */
  about: string;
}

/** A file the installed ffmpeg cannot make, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface CorpusPlan {
  /** The files makeFormatCorpus makes, in order, without what ffprobe says (that needs the files). */
  files: Omit<CorpusFile, 'expected' | 'tags'>[];
  skipped: SkippedFile[];
}

const seconds = 20;

/** Every file's tags, its title its file name; the YEAR-only file has `year` and no `date`. */
function tagArgs(path: string, year: 'date' | 'year-only' = 'date'): string[] {
  return [
    '-metadata', `title=${titleOf(path)}`, '-metadata', 'artist=Corpus Artist', '-metadata', 'album=Format Corpus',
    ...(year === 'date' ? ['-metadata', 'date=2001'] : ['-metadata', 'year=1999']),
  ];
}

function titleOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * ~20 s of deterministic music-like stereo at 44.1 kHz: 440 Hz on the left, 659.25 Hz (a fifth up)
 * on the right, pink noise (seed 1) in both, a 1.5 Hz tremolo over all. No silence anywhere: one song.
 */
const musicGraph = [
  `sine=frequency=440:duration=${seconds}:sample_rate=44100[l]`,
  `sine=frequency=659.25:duration=${seconds}:sample_rate=44100[r]`,
  '[l][r]amerge=inputs=2[lr]',
  `anoisesrc=duration=${seconds}:color=pink:seed=1:amplitude=0.05:sample_rate=44100,pan=stereo|c0=c0|c1=c0[n]`,
  '[lr][n]amix=inputs=2:normalize=0,tremolo=f=1.5:d=0.4[out]',
].join(';');

/** In the scratch folder: the music as 16-bit WAV and a 300×300 JPEG cover, made once; every file is encoded from them. */
const music = 'music.wav';
const cover = 'cover.jpg';

/** One output of an encoding ffmpeg: input 0 is the music, input 1 the cover. */
interface Encode {
  /** A corpus path, or `scratch:<name>` for a file the corpus is assembled from. */
  to: string;
  /** Output options: maps, codec, muxer, tags. */
  args: string[];
}

interface Entry {
  path: string;
  kind: CorpusFile['kind'];
  about: string;
  source?: string;
  /** Encoders (names in `ffmpeg -encoders`) it needs. */
  needs: string[];
  /** Corpus files it is made from (they must be made). */
  from?: string[];
  encodes: Encode[];
  /** Makes the file from what the encodes made (none: an encode made it). */
  assemble?: (folder: string, scratch: string) => void;
}

const audioFiles: { path: string; about: string; needs: string[]; args: string[]; year?: 'year-only' }[] = [
  { path: 'mp3/libmp3lame.mp3', about: 'MP3 (LAME), ID3v2', needs: ['libmp3lame'], args: ['-c:a', 'libmp3lame', '-b:a', '192k'] },
  { path: 'mp3/libmp3lame-mono-22050.mp3', about: 'MP3 mono 22.05 kHz', needs: ['libmp3lame'], args: ['-c:a', 'libmp3lame', '-ac', '1', '-ar', '22050', '-b:a', '64k'] },
  { path: 'mp3/libmp3lame-cbr-no-xing.mp3', about: 'MP3 CBR without a Xing/Info header', needs: ['libmp3lame'], args: ['-c:a', 'libmp3lame', '-b:a', '192k', '-write_xing', '0'] },
  { path: 'mp3/libmp3lame-vbr-no-xing.mp3', about: 'MP3 VBR without a Xing header', needs: ['libmp3lame'], args: ['-c:a', 'libmp3lame', '-q:a', '4', '-write_xing', '0'] },
  { path: 'mp2/mp2.mp2', about: 'MPEG-1 Layer II, raw (no tags)', needs: ['mp2'], args: ['-c:a', 'mp2', '-b:a', '256k'] },
  { path: 'aac/aac.m4a', about: 'AAC in MP4 (.m4a)', needs: ['aac'], args: ['-c:a', 'aac', '-b:a', '160k'] },
  { path: 'aac/aac.mp4', about: 'AAC in MP4 named .mp4, no video', needs: ['aac'], args: ['-c:a', 'aac', '-b:a', '160k'] },
  { path: 'aac/aac-adts.aac', about: 'AAC raw ADTS, APEv2 tag', needs: ['aac'], args: ['-c:a', 'aac', '-b:a', '160k', '-f', 'adts', '-write_apetag', '1'] },
  { path: 'alac/alac.m4a', about: 'ALAC in MP4 (.m4a)', needs: ['alac'], args: ['-c:a', 'alac'] },
  { path: 'alac/alac.caf', about: 'ALAC in CAF', needs: ['alac'], args: ['-c:a', 'alac'] },
  { path: 'flac/flac.flac', about: 'FLAC 16-bit', needs: ['flac'], args: ['-c:a', 'flac'] },
  { path: 'flac/flac-24bit-96k.flac', about: 'FLAC 24-bit 96 kHz', needs: ['flac'], args: ['-c:a', 'flac', '-ar', '96000', '-sample_fmt', 's32'] },
  { path: 'flac/flac-in-ogg.oga', about: 'FLAC in Ogg (.oga)', needs: ['flac'], args: ['-c:a', 'flac', '-f', 'ogg'] },
  { path: 'flac/flac.mka', about: 'FLAC in Matroska (.mka)', needs: ['flac'], args: ['-c:a', 'flac'] },
  { path: 'vorbis/vorbis.ogg', about: 'Vorbis in Ogg', needs: ['libvorbis'], args: ['-c:a', 'libvorbis', '-q:a', '4'] },
  { path: 'vorbis/vorbis-year-only.ogg', about: 'Vorbis, YEAR=1999 and no DATE', needs: ['libvorbis'], args: ['-c:a', 'libvorbis', '-q:a', '4'], year: 'year-only' },
  { path: 'opus/opus.opus', about: 'Opus in Ogg (.opus)', needs: ['libopus'], args: ['-c:a', 'libopus', '-b:a', '128k'] },
  { path: 'opus/opus.ogg', about: 'Opus in Ogg named .ogg', needs: ['libopus'], args: ['-c:a', 'libopus', '-b:a', '128k'] },
  { path: 'opus/opus.webm', about: 'Opus in WebM, no video', needs: ['libopus'], args: ['-c:a', 'libopus', '-b:a', '128k'] },
  { path: 'opus/opus.mka', about: 'Opus in Matroska (.mka)', needs: ['libopus'], args: ['-c:a', 'libopus', '-b:a', '128k'] },
  { path: 'wavpack/wavpack.wv', about: 'WavPack, APEv2 tag', needs: ['wavpack'], args: ['-c:a', 'wavpack'] },
  { path: 'tta/tta.tta', about: 'True Audio', needs: ['tta'], args: ['-c:a', 'tta'] },
  { path: 'aiff/aiff.aiff', about: 'AIFF 16-bit big-endian, ID3 chunk', needs: ['pcm_s16be'], args: ['-c:a', 'pcm_s16be', '-write_id3v2', '1'] },
  { path: 'au/pcm_s16be.au', about: 'Sun AU 16-bit', needs: ['pcm_s16be'], args: ['-c:a', 'pcm_s16be'] },
  { path: 'wav/pcm_s16le.wav', about: 'WAV 16-bit, LIST INFO', needs: ['pcm_s16le'], args: ['-c:a', 'pcm_s16le'] },
  { path: 'wav/pcm_s24le.wav', about: 'WAV 24-bit', needs: ['pcm_s24le'], args: ['-c:a', 'pcm_s24le'] },
  { path: 'wav/pcm_f32le.wav', about: 'WAV 32-bit float', needs: ['pcm_f32le'], args: ['-c:a', 'pcm_f32le'] },
  { path: 'wav/mp3-in-wav.wav', about: 'MP3 inside WAV', needs: ['libmp3lame'], args: ['-c:a', 'libmp3lame', '-f', 'wav'] },
  { path: 'wav/adpcm_ms.wav', about: 'Microsoft ADPCM in WAV', needs: ['adpcm_ms'], args: ['-c:a', 'adpcm_ms'] },
  { path: 'ac3/ac3.ac3', about: 'AC-3 raw (no tags)', needs: ['ac3'], args: ['-c:a', 'ac3', '-b:a', '192k'] },
  { path: 'ac3/eac3.eac3', about: 'E-AC-3 raw (no tags)', needs: ['eac3'], args: ['-c:a', 'eac3', '-b:a', '192k'] },
  { path: 'dts/dts.dts', about: 'DTS raw, experimental encoder (no tags)', needs: ['dca'], args: ['-c:a', 'dca', '-strict', '-2'] },
  { path: 'wma/wmav2.wma', about: 'WMA 2 in ASF', needs: ['wmav2'], args: ['-c:a', 'wmav2', '-b:a', '128k'] },
  { path: 'wma/wmav1.wma', about: 'WMA 1 in ASF', needs: ['wmav1'], args: ['-c:a', 'wmav1', '-b:a', '128k'] },
  { path: 'speex/speex.spx', about: 'Speex in Ogg, 32 kHz (its widest band)', needs: ['libspeex'], args: ['-c:a', 'libspeex', '-ar', '32000'] },
];

/** Formats ffmpeg decodes but cannot encode: not in the corpus. */
const notEncodable: SkippedFile[] = [
  { path: '*.mpc', reason: 'ffmpeg has no Musepack encoder' },
  { path: '*.ape', reason: 'ffmpeg has no Monkey\'s Audio encoder' },
  { path: '*.tak', reason: 'ffmpeg has no TAK encoder' },
  { path: '*.shn', reason: 'ffmpeg has no Shorten encoder' },
  { path: '*.dsf', reason: 'ffmpeg has no DSD encoder' },
];

/** Videos with an audio track; each with its video and audio encoders in order of preference. */
const videoFiles: { path: string; about: string; video: string[]; audio: string[] }[] = [
  { path: 'video/video.mp4', about: 'video in MP4', video: ['libx264', 'mpeg4'], audio: ['aac'] },
  { path: 'video/video.mkv', about: 'video in Matroska', video: ['mpeg4', 'libx264'], audio: ['libmp3lame', 'flac'] },
  { path: 'video/video.webm', about: 'video in WebM', video: ['libvpx', 'libvpx-vp9'], audio: ['libopus', 'libvorbis'] },
  { path: 'video/video.ogv', about: 'video in Ogg', video: ['libtheora'], audio: ['libvorbis'] },
];

const edge = {
  flacBigId3: 'edge/flac-behind-190k-id3v2.flac',
  mp3BigId3: 'edge/mp3-behind-190k-id3v2.mp3',
  mp3Zeros: 'edge/mp3-behind-4k-zeros.mp3',
  oggAsMp3: 'edge/ogg-vorbis-named.mp3',
  mp3Cover: 'edge/mp3-with-cover.mp3',
  wmaPicture: 'edge/wma-with-wm-picture.wma',
  wmvAudioFirst: 'edge/wmv-audio-stream-first.wmv',
};

const truncations = [
  { path: 'truncated/flac-40pc.flac', source: 'flac/flac.flac' },
  { path: 'truncated/mp3-40pc.mp3', source: 'mp3/libmp3lame.mp3' },
  { path: 'truncated/vorbis-40pc.ogg', source: 'vorbis/vorbis.ogg' },
  { path: 'truncated/aac-40pc.m4a', source: 'aac/aac.m4a' },
];

/**
 * A valid ID3v2.3 tag of ~190 KB: TIT2/TPE1/TALB/TYER text frames and one PRIV frame of 190,000
 * bytes of deterministic noise (an embedded picture's worth, 0xFF bytes and all), no padding.
 */
function bigId3v2(title: string): Buffer {
  const frame = (id: string, body: Buffer): Buffer => {
    const header = Buffer.alloc(10);
    header.write(id, 0, 'latin1');
    header.writeUInt32BE(body.length, 4); // v2.3: a plain 32-bit size; flags 0
    return Buffer.concat([header, body]);
  };
  const text = (id: string, value: string): Buffer => frame(id, Buffer.concat([Buffer.from([0]), Buffer.from(value, 'latin1')]));
  const noise = Buffer.alloc(190_000);
  let state = 0x2545f491;
  for (let i = 0; i < noise.length; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    noise[i] = state >>> 24;
  }
  const frames = Buffer.concat([
    text('TIT2', title), text('TPE1', 'Corpus Artist'), text('TALB', 'Format Corpus'), text('TYER', '2001'),
    frame('PRIV', Buffer.concat([Buffer.from('wkmp-test-padding\0', 'latin1'), noise])),
  ]);
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]); // 'ID3' v2.3.0, no flags
  for (let i = 0; i < 4; i++) header[9 - i] = (frames.length >>> (7 * i)) & 0x7f; // syncsafe size
  return Buffer.concat([header, frames]);
}

/** An ASF object's GUID as its bytes (the first three fields little-endian). */
function asfGuid(text: string): Buffer {
  const hex = text.replaceAll('-', '');
  const bytes = Buffer.from(hex, 'hex');
  return Buffer.concat([Buffer.from(bytes.subarray(0, 4)).reverse(), Buffer.from(bytes.subarray(4, 6)).reverse(), Buffer.from(bytes.subarray(6, 8)).reverse(), bytes.subarray(8)]);
}

const asfFileProperties = asfGuid('8cabdca1-a947-11cf-8ee4-00c00c205365');
const asfExtendedContentDescription = asfGuid('d2d0a440-e307-11d2-97f0-00a0c95ea850');
const asfStreamProperties = asfGuid('b7dc0791-a9b7-11cf-8ee6-00c00c205365');

/**
 * An ASF file shaped as Windows Media Player rips it: its cover a WM/Picture attribute in the
 * Extended Content Description object, which comes before the stream properties (ffmpeg writes
 * that object there too, with the tags), so that these lie far past the first 4 KB. ffmpeg writes
 * a cover as a stream of its own, never as a WM/Picture: the attribute is added to its file here,
 * and the sizes that count it (the object's, the header's, the file's) grown to match.
 */
function withWmPicture(asf: Buffer, jpeg: Buffer): Buffer {
  const utf16 = (text: string): Buffer => Buffer.from(`${text}\0`, 'utf16le');
  const picture = Buffer.concat([Buffer.from([3]), Buffer.alloc(4), utf16('image/jpeg'), utf16(''), jpeg]); // 3: front cover
  picture.writeUInt32LE(jpeg.length, 1);
  const name = utf16('WM/Picture');
  const descriptor = Buffer.alloc(2 + name.length + 4);
  descriptor.writeUInt16LE(name.length, 0);
  name.copy(descriptor, 2);
  descriptor.writeUInt16LE(1, 2 + name.length); // a byte array
  descriptor.writeUInt16LE(picture.length, 4 + name.length);
  const added = descriptor.length + picture.length;
  const file = Buffer.from(asf);
  const objects = file.readUInt32LE(24);
  let at = 30; // past the Header Object's own fields
  let end: number | null = null;
  for (let i = 0; i < objects; i++) {
    const guid = file.subarray(at, at + 16);
    const size = Number(file.readBigUInt64LE(at + 16));
    if (guid.equals(asfFileProperties)) file.writeBigUInt64LE(file.readBigUInt64LE(at + 40) + BigInt(added), at + 40);
    if (guid.equals(asfExtendedContentDescription)) {
      file.writeBigUInt64LE(BigInt(size + added), at + 16);
      file.writeUInt16LE(file.readUInt16LE(at + 24) + 1, at + 24);
      end = at + size;
    }
    at += size;
  }
  if (end === null) throw new Error('withWmPicture: ffmpeg wrote no Extended Content Description object');
  const grown = Buffer.concat([file.subarray(0, end), descriptor, picture, file.subarray(end)]);
  grown.writeBigUInt64LE(grown.readBigUInt64LE(16) + BigInt(added), 16);
  if (grown.indexOf(asfStreamProperties) < 4100) throw new Error('withWmPicture: the cover is too small to push the stream properties past the first 4 KB');
  return grown;
}

function write(folder: string, path: string, bytes: Buffer): void {
  mkdirSync(dirname(join(folder, path)), { recursive: true });
  writeFileSync(join(folder, path), bytes);
}

/** Every file of the corpus, and how it is made. */
function entries(have: ReadonlySet<string>): Entry[] {
  const list: Entry[] = audioFiles.map((file) => ({
    path: file.path, kind: 'audio', about: file.about, needs: file.needs,
    encodes: [{ to: file.path, args: ['-map', '0:a', ...file.args, ...tagArgs(file.path, file.year ?? 'date')] }],
  }));
  // (a), (b): a FLAC (its Vorbis comments the same tags) and an MP3 (without its own ID3v2) behind a ~190 KB ID3v2.3 tag.
  list.push({
    path: edge.flacBigId3, kind: 'audio', about: 'FLAC behind a 190 KB ID3v2.3 tag', needs: ['flac'],
    encodes: [{ to: 'scratch:id3.flac', args: ['-map', '0:a', '-c:a', 'flac', ...tagArgs(edge.flacBigId3)] }],
    assemble: (folder, scratch) => write(folder, edge.flacBigId3, Buffer.concat([bigId3v2(titleOf(edge.flacBigId3)), readFileSync(join(scratch, 'id3.flac'))])),
  }, {
    path: edge.mp3BigId3, kind: 'audio', about: 'MP3 behind a 190 KB ID3v2.3 tag', needs: ['libmp3lame'],
    encodes: [{ to: 'scratch:id3.mp3', args: ['-map', '0:a', '-c:a', 'libmp3lame', '-b:a', '192k', '-write_id3v2', '0'] }],
    assemble: (folder, scratch) => write(folder, edge.mp3BigId3, Buffer.concat([bigId3v2(titleOf(edge.mp3BigId3)), readFileSync(join(scratch, 'id3.mp3'))])),
  });
  // (c): 4 KB of zero bytes, then an MP3 without ID3v2 (its tags in an ID3v1 at the end).
  list.push({
    path: edge.mp3Zeros, kind: 'audio', about: 'MP3 behind 4 KB of zero bytes, ID3v1 tag', needs: ['libmp3lame'],
    encodes: [{ to: 'scratch:zeros.mp3', args: ['-map', '0:a', '-c:a', 'libmp3lame', '-b:a', '192k', '-write_id3v2', '0', '-write_id3v1', '1', ...tagArgs(edge.mp3Zeros)] }],
    assemble: (folder, scratch) => write(folder, edge.mp3Zeros, Buffer.concat([Buffer.alloc(4096), readFileSync(join(scratch, 'zeros.mp3'))])),
  });
  // (d): the first 40 % of the bytes of four files.
  for (const cut of truncations) {
    list.push({
      path: cut.path, kind: 'truncated', about: `first 40 % of ${cut.source}`, source: cut.source, needs: [], from: [cut.source], encodes: [],
      assemble: (folder) => {
        const whole = readFileSync(join(folder, cut.source));
        write(folder, cut.path, whole.subarray(0, Math.floor(whole.length * 0.4)));
      },
    });
  }
  // (e): an Ogg Vorbis file named .mp3 (its own, not a copy of vorbis.ogg: a copy would be recorded DUPLICATE HASH, without passages).
  list.push({
    path: edge.oggAsMp3, kind: 'audio', about: 'Ogg Vorbis named .mp3', needs: ['libvorbis'],
    encodes: [{ to: edge.oggAsMp3, args: ['-map', '0:a', '-c:a', 'libvorbis', '-q:a', '4', '-f', 'ogg', ...tagArgs(edge.oggAsMp3)] }],
  });
  // (f): videos with an audio track (inputs 2 and 3 of the video ffmpeg): skipped as video.
  for (const video of videoFiles) {
    const videoEncoder = video.video.find((name) => have.has(name)) ?? video.video[0]!;
    const audioEncoder = video.audio.find((name) => have.has(name)) ?? video.audio[0]!;
    const speed = videoEncoder === 'libx264' ? ['-preset', 'ultrafast'] : videoEncoder.startsWith('libvpx') ? ['-deadline', 'realtime', '-cpu-used', '8'] : [];
    list.push({
      path: video.path, kind: 'video', about: `${video.about}: ${videoEncoder} + ${audioEncoder}`, needs: [videoEncoder, audioEncoder],
      encodes: [{
        to: video.path,
        args: ['-map', '2:v', '-map', '3:a', '-c:v', videoEncoder, ...speed, '-pix_fmt', 'yuv420p', '-c:a', audioEncoder, '-ac', '2', ...tagArgs(video.path)],
      }],
    });
  }
  // (g): an MP3 with a cover picture (attached_pic): audio, not video.
  list.push({
    path: edge.mp3Cover, kind: 'audio', about: 'MP3 with an attached JPEG cover (APIC)', needs: ['libmp3lame', 'mjpeg'],
    encodes: [{
      to: edge.mp3Cover,
      args: ['-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-b:a', '192k', '-c:v', 'mjpeg', '-disposition:v', 'attached_pic', '-id3v2_version', '3', ...tagArgs(edge.mp3Cover)],
    }],
  });
  // (h): a WMA as Windows Media Player rips it, its cover a WM/Picture before the stream properties:
  // what the first 4 KB show is an ASF header and no stream, so ffmpeg decides (analysis/content-type.ts).
  list.push({
    path: edge.wmaPicture, kind: 'audio', about: 'WMA 2 with a WM/Picture cover ahead of its streams, as a WMP rip', needs: ['wmav2'],
    encodes: [{ to: 'scratch:picture.wma', args: ['-map', '0:a', '-c:a', 'wmav2', '-b:a', '128k', ...tagArgs(edge.wmaPicture)] }],
    assemble: (folder, scratch) => write(folder, edge.wmaPicture, withWmPicture(readFileSync(join(scratch, 'picture.wma')), readFileSync(join(scratch, cover)))),
  });
  // (i): a WMV whose first stream is its audio, as Windows' encoders write them: its first bytes say audio, ffmpeg says video.
  list.push({
    path: edge.wmvAudioFirst, kind: 'video', about: 'video in ASF, its audio stream first: wmv2 + wmav2', needs: ['wmv2', 'wmav2'],
    encodes: [{ to: edge.wmvAudioFirst, args: ['-map', '3:a', '-map', '2:v', '-c:a', 'wmav2', '-c:v', 'wmv2', ...tagArgs(edge.wmvAudioFirst)] }],
  });
  return list;
}

let encoderNames: Set<string> | undefined;

/** The encoders the system ffmpeg lists (`ffmpeg -encoders`). */
function encoders(): Set<string> {
  if (encoderNames) return encoderNames;
  const listed = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`\`ffmpeg -encoders\` failed (${listed.error?.message ?? listed.stderr}): install ffmpeg (Debian: apt-get install ffmpeg)`);
  encoderNames = new Set(listed.stdout.split('\n').map((line) => /^ [VAS][A-Z.]{5} (\S+)/.exec(line)?.[1]).filter((name) => name !== undefined));
  return encoderNames;
}

/** The entries the installed ffmpeg can make, and the rest with why not. */
function plan(): { make: Entry[]; skipped: SkippedFile[] } {
  const have = encoders();
  const make: Entry[] = [];
  const skipped: SkippedFile[] = [...notEncodable];
  for (const entry of entries(have)) {
    const lacking = entry.needs.filter((name) => !have.has(name));
    const missingSources = (entry.from ?? []).filter((path) => !make.some((made) => made.path === path));
    if (lacking.length > 0) skipped.push({ path: entry.path, reason: `the system ffmpeg has no ${lacking.join(', ')} encoder` });
    else if (missingSources.length > 0) skipped.push({ path: entry.path, reason: `made from ${missingSources.join(', ')}, which is skipped` });
    else make.push(entry);
  }
  return { make, skipped };
}

/** What makeFormatCorpus makes with the installed ffmpeg, and what it cannot; known before any file is made. */
export function planFormatCorpus(): CorpusPlan {
  const { make, skipped } = plan();
  return { files: make.map(({ path, kind, about, source }) => ({ path, kind, about, ...(source === undefined ? {} : { source }) })), skipped };
}

async function ffmpeg(args: string[]): Promise<Buffer> {
  try {
    const { stdout } = await execFileAsync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'buffer', maxBuffer: 256 << 20 });
    return stdout;
  } catch (error) {
    throw new Error(`ffmpeg ${args.join(' ')} failed: ${String((error as { stderr?: unknown }).stderr ?? error)}`, { cause: error });
  }
}

interface Probe {
  streams?: { index: number; codec_type?: string; codec_name?: string; sample_rate?: string; channels?: number; duration?: string; tags?: Record<string, string> }[];
  format?: { format_name?: string; duration?: string; tags?: Record<string, string> };
}

/** What ffprobe says of `file`: its first audio stream, and its tags. */
async function probe(file: string): Promise<Pick<CorpusFile, 'expected' | 'tags'>> {
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await execFileAsync('ffprobe', [
      '-v', 'warning', '-show_entries',
      'format=format_name,duration:stream=index,codec_type,codec_name,sample_rate,channels,duration:stream_disposition=attached_pic:format_tags:stream_tags',
      '-of', 'json', file,
    ], { maxBuffer: 16 << 20 }));
  } catch {
    return { expected: null, tags: { title: null, artist: null, album: null } };
  }
  const probed = JSON.parse(stdout) as Probe;
  const audio = probed.streams?.find((stream) => stream.codec_type === 'audio');
  const lower = (tags: Record<string, string> | undefined): Record<string, string> =>
    Object.fromEntries(Object.entries(tags ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
  const formatTags = lower(probed.format?.tags);
  const streamTags = lower(audio?.tags);
  const tag = (key: string): string | null => formatTags[key] ?? streamTags[key] ?? null;
  const tags = { title: tag('title'), artist: tag('artist'), album: tag('album') };
  if (!audio?.codec_name || !audio.sample_rate || !audio.channels || !probed.format?.format_name) return { expected: null, tags };
  const sampleRate = Number(audio.sample_rate);
  let durationSeconds = Number(audio.duration ?? probed.format.duration);
  if (stderr.includes('Estimating duration from bitrate') || !Number.isFinite(durationSeconds)) {
    // Its samples, mono 32-bit float at its own rate.
    durationSeconds = (await ffmpeg(['-i', file, '-map', '0:a:0', '-ac', '1', '-f', 'f32le', '-'])).length / 4 / sampleRate;
  }
  return { expected: { container: containerName(probed.format.format_name), codec: audio.codec_name, sampleRate, channels: audio.channels, durationSeconds }, tags };
}

/** Runs `task` on each item, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Makes the corpus in `folder` (the files of planFormatCorpus, in a folder per codec) and returns
 * each with what ffprobe says of it. Few processes (starting Debian's ffmpeg costs more than
 * encoding 20 s): one makes the music and the cover, three encode every file (an ffmpeg writes
 * many outputs), then the edge cases are assembled from their bytes and each file is probed.
 */
export async function makeFormatCorpus(folder: string): Promise<CorpusFile[]> {
  const { make } = plan();
  const scratch = join(folder, '.corpus-scratch');
  mkdirSync(scratch, { recursive: true });
  try {
    await ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc=size=300x300:rate=1:duration=1', '-filter_complex', musicGraph,
      '-map', '[out]', '-c:a', 'pcm_s16le', join(scratch, music), '-map', '0:v', '-frames:v', '1', join(scratch, cover),
    ]);
    const encodes = make.flatMap((entry) => entry.encodes);
    for (const encode of encodes) if (!encode.to.startsWith('scratch:')) mkdirSync(dirname(join(folder, encode.to)), { recursive: true });
    const target = (encode: Encode): string => encode.to.startsWith('scratch:') ? join(scratch, encode.to.slice('scratch:'.length)) : join(folder, encode.to);
    const inputs = [
      '-i', join(scratch, music), '-i', join(scratch, cover),
      '-f', 'lavfi', '-i', 'testsrc=duration=5:size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=5:sample_rate=44100',
    ];
    const batches = [0, 1, 2].map((lane) => encodes.filter((_, i) => i % 3 === lane)).filter((batch) => batch.length > 0);
    await inParallel(batches, 3, async (batch) => {
      await ffmpeg([...inputs, ...batch.flatMap((encode) => [...encode.args, target(encode)])]);
    });
    for (const entry of make) entry.assemble?.(folder, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const probed = new Map<string, Pick<CorpusFile, 'expected' | 'tags'>>();
  await inParallel(make, 3, async (entry) => {
    probed.set(entry.path, await probe(join(folder, entry.path)));
  });
  return make.map(({ path, kind, about, source }) => ({ path, kind, ...probed.get(path)!, about, ...(source === undefined ? {} : { source }) }));
}
