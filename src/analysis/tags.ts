import type { IAudioMetadata } from 'music-metadata';
import type { FileTags } from '../file-record.js';
import type { AudioStreamFacts } from './decode/stream-facts.js';
import { id3v2Size } from './mp3-header.js';
import { walkMpegFrames } from './mpeg-frames.js';
import { oggDurationSeconds } from './ogg-duration.js';
import { asMbid } from './mbid.js';
import type { ReadAheadTokenizer } from './read-ahead-tokenizer.js';
import { commonTagsOf, type CommonTags } from './tag-readers/common-tags.js';
import type { AudioFormat, MpegDurationSource } from './tag-readers/container-tags.js';
import { readOwnTags } from './tag-readers/read-own-tags.js';

export type { AudioFormat } from './tag-readers/container-tags.js';

/** A native tag as either reader gives it: music-metadata's values are not all text. */
type AnyNativeTag = { id: string; value: unknown };

/** The MusicBrainz ids embedded by Picard: authoritative when present. */
export interface EmbeddedIds {
  recordingMbid: string | null;
  artistMbids: string[];
  releaseMbid: string | null;
  workMbid: string | null;
}

export interface TagReport {
  tags: FileTags;
  /** Every credited artist name, in credit order. */
  artistNames: string[];
  releaseDate: string | null;
  workTitle: string | null;
  ids: EmbeddedIds;
  audio: AudioFormat;
  /** A cue sheet written into the tags (a `CUESHEET` Vorbis comment or APE item), as text. */
  cueSheet: string | null;
}

/** The text of a CUESHEET tag in any of the file's tag formats. */
function cueSheetTag(native: Iterable<AnyNativeTag>): string | null {
  for (const tag of native) if (tag.id.toUpperCase() === 'CUESHEET' && typeof tag.value === 'string') return tag.value;
  return null;
}

function text(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Reads `length` bytes at `position`, fewer at the end of the file. */
function readerOf(tokenizer: ReadAheadTokenizer): (position: number, length: number) => Promise<Uint8Array> {
  return async (position, length) => {
    const bytes = new Uint8Array(length);
    return bytes.subarray(0, await tokenizer.peekBuffer(bytes, { position, length, mayBeLess: true }));
  };
}

/** An Ogg file's duration from its last page, read by seeking to the end instead of reading every page. */
async function oggDuration(tokenizer: ReadAheadTokenizer, sampleRate: number | null): Promise<number | null> {
  const readAt = readerOf(tokenizer);
  return oggDurationSeconds(await readAt(0, 4096), tokenizer.fileInfo.size, sampleRate, readAt);
}

/**
 * An MPEG audio file's duration counted frame by frame (mpeg-frames.ts), from after its ID3v2 tag;
 * undefined when its first frame turns out to be a seek header, whose count the container's
 * duration already is.
 */
async function mpegDuration(tokenizer: ReadAheadTokenizer, containerSeconds: number | undefined): Promise<number | undefined> {
  const readAt = readerOf(tokenizer);
  const walked = await walkMpegFrames(readAt, id3v2Size(await readAt(0, 10)), tokenizer.fileInfo.size);
  return walked.kind === 'frames' ? walked.seconds : walked.kind === 'seek header' ? containerSeconds : undefined;
}

/** music-metadata's container names to ffmpeg's demuxer names, as a full pass stores them. */
function containerOf(container: string): string {
  const known: Record<string, string> = {
    MPEG: 'mp3', Ogg: 'ogg', FLAC: 'flac', WAVE: 'wav', AIFF: 'aiff', 'AIFF-C': 'aiff', 'ASF/audio': 'asf', WavPack: 'wv',
    DSF: 'dsf', DSDIFF: 'iff', APEv2: 'ape', Monkey: 'ape', matroska: 'matroska', webm: 'matroska', EBML: 'matroska',
  };
  if (/^(M4A|M4B|M4P|isom|iso\d|mp4|MP4|mp42|dash|3gp)/.test(container)) return 'mp4';
  if (container.startsWith('Musepack')) return 'mpc';
  if (container.startsWith('EBML')) return 'matroska';
  if (container.startsWith('ADTS')) return 'aac';
  if (container.startsWith('ASF')) return 'asf';
  return known[container] ?? container.toLowerCase();
}

/** music-metadata's codec descriptions to ffmpeg's codec names, where the header says it plainly. */
function codecOf(codec: string | undefined): string | null {
  if (!codec) return null;
  const layer = /MPEG \S+ Layer (\d)/.exec(codec);
  if (layer) return `mp${layer[1]}`;
  const lower = codec.toLowerCase();
  for (const name of ['opus', 'vorbis', 'flac', 'alac', 'aac', 'speex', 'wavpack', 'ape', 'dsd']) if (lower.includes(name)) return name;
  return null;
}

function headerFacts(metadata: IAudioMetadata): Omit<AudioFormat, 'durationSeconds'> {
  const { container, codec, sampleRate, numberOfChannels } = metadata.format;
  const name = codecOf(codec);
  return {
    format: container ? containerOf(container) : null,
    codec: name,
    // Opus always decodes at 48 kHz; the header's rate is the encoder's input, for information only.
    sampleRate: name === 'opus' ? 48000 : sampleRate ?? null,
    channels: numberOfChannels ?? null,
  };
}

/** The year a date tag starts with, e.g. 1999 from `1999-05-01`. */
function yearOf(value: unknown): number | null {
  const match = typeof value === 'string' || typeof value === 'number' ? /^\s*(\d{4})/.exec(String(value)) : null;
  return match ? Number(match[1]) : null;
}

/** A native tag by id (any tag format, any case), e.g. a Vorbis comment `YEAR` that music-metadata does not map. */
function nativeTag(native: Iterable<AnyNativeTag>, id: string): unknown {
  for (const tag of native) if (tag.id.toUpperCase() === id) return tag.value;
  return undefined;
}

/** DATE's year; else YEAR, ORIGINALDATE or ORIGINALYEAR. */
function yearFrom(common: CommonTags, native: Iterable<AnyNativeTag>): number | null {
  return common.year ?? yearOf(nativeTag(native, 'YEAR')) ?? yearOf(common.originaldate) ?? common.originalyear ?? null;
}

export interface ReadTagsOptions {
  /** The MIME type the content showed: music-metadata otherwise picks its parser by extension. Null when only ffmpeg recognised it. */
  mime: string | null;
  /** Where an MPEG audio file's duration comes from (tag-readers/container-tags.ts). */
  mpegDuration: MpegDurationSource;
}

const noAudioFacts: AudioFormat = { format: null, codec: null, sampleRate: null, channels: null, durationSeconds: null };

/** The report of a file whose tags could not be read: no tag, no id; the audio facts when something else gave them. */
export function untagged(audio: AudioFormat = noAudioFacts): TagReport {
  return {
    tags: { title: null, artist: null, album: null, trackNumber: null, year: null },
    artistNames: [], releaseDate: null, workTitle: null,
    ids: { recordingMbid: null, artistMbids: [], releaseMbid: null, workMbid: null },
    audio, cueSheet: null,
  };
}

/** A stream's facts as a tags record stores them. */
export function headerOf(stream: AudioStreamFacts): Omit<AudioFormat, 'durationSeconds'> {
  return { format: stream.container, codec: stream.codec, sampleRate: stream.sampleRate, channels: stream.channels };
}

/** What music-metadata says of a container it does not read (raw AC-3, DTS, TTA, CAF, AU…): no fault of the file. */
export function isUnreadContainer(message: string): boolean {
  return /Failed to determine audio format|MIME-type not supported|no audio container found/i.test(message);
}

/**
 * The tag fields the tag library left empty, from ffmpeg's reading of the container
 * (decode/stream-facts.ts): all of them for a container it does not read, the missing ones
 * (Matroska's ALBUM, FLAC in Ogg) otherwise. Ids stay the tag library's.
 */
export function withFfmpegTags(report: TagReport, ffmpegTags: Readonly<Record<string, string>>): TagReport {
  const pick = (...keys: string[]): string | null => {
    for (const key of keys) {
      const value = ffmpegTags[key]?.trim();
      if (value) return value;
    }
    return null;
  };
  const track = Number.parseInt(pick('track') ?? '', 10);
  const date = pick('date', 'year', 'originaldate', 'originalyear');
  const { tags } = report;
  return {
    ...report,
    tags: {
      title: tags.title ?? pick('title'),
      artist: tags.artist ?? pick('artist', 'album_artist'),
      album: tags.album ?? pick('album'),
      trackNumber: tags.trackNumber ?? (Number.isInteger(track) && track > 0 ? track : null),
      year: tags.year ?? yearOf(date),
    },
    artistNames: report.artistNames.length > 0 ? report.artistNames : [tags.artist ?? pick('artist', 'album_artist')].flatMap((name) => name ?? []),
    releaseDate: report.releaseDate ?? date,
  };
}

/** The duration the file's headers give when they give it reliably (AudioFormat), else null. */
async function durationOf(tokenizer: ReadAheadTokenizer, metadata: IAudioMetadata, options: ReadTagsOptions): Promise<number | null> {
  const { container, duration: containerSeconds, sampleRate } = metadata.format;
  const seconds = container === 'Ogg' ? await oggDuration(tokenizer, sampleRate ?? null) ?? undefined
    : container !== 'MPEG' || options.mpegDuration === 'container' ? containerSeconds
      : options.mpegDuration === 'frames' ? await mpegDuration(tokenizer, containerSeconds) : undefined;
  return seconds !== undefined && seconds > 0 && Number.isFinite(seconds) ? seconds : null;
}

/** The report of a file's common tags, its native ones (for what music-metadata does not map) and its audio. */
function reportOf(common: CommonTags, native: readonly AnyNativeTag[], audio: AudioFormat): TagReport {
  const artist = text(common.artist) ?? (common.artists?.length ? common.artists.join('; ') : null);
  const year = yearFrom(common, native);
  return {
    tags: {
      title: text(common.title),
      artist,
      album: text(common.album),
      trackNumber: common.track.no ?? null,
      year,
    },
    artistNames: (common.artists ?? []).map((name) => name.trim()).filter((name) => name !== ''),
    releaseDate: text(common.date) ?? (year === null ? null : String(year)),
    workTitle: text(common.work),
    ids: {
      recordingMbid: asMbid(common.musicbrainz_recordingid),
      artistMbids: (common.musicbrainz_artistid ?? []).flatMap((id) => asMbid(id) ?? []),
      releaseMbid: asMbid(common.musicbrainz_albumid),
      workMbid: asMbid(common.musicbrainz_workid),
    },
    audio,
    cueSheet: cueSheetTag(native),
  };
}

/**
 * Reads tags, MusicBrainz ids and the audio format with music-metadata, choosing the parser by
 * content: for the containers the narrow readers leave to it. It and its parsers are loaded on the
 * first such file, so a worker whose files are all common formats never loads them.
 */
export async function readTagsWithMusicMetadata(path: string, options: ReadTagsOptions): Promise<TagReport> {
  const [{ parseFromTokenizer }, { ReadAheadTokenizer: Tokenizer }] = await Promise.all([import('music-metadata'), import('./read-ahead-tokenizer.js')]);
  const tokenizer = new Tokenizer(path);
  if (options.mime !== null) tokenizer.fileInfo.mimeType = options.mime;
  let metadata: IAudioMetadata;
  let durationSeconds: number | null;
  try {
    metadata = await parseFromTokenizer(tokenizer, { duration: false, skipCovers: true });
    durationSeconds = await durationOf(tokenizer, metadata, options);
  } finally {
    await tokenizer.close();
  }
  if (!metadata.format.container) throw new Error('no audio container found');
  return reportOf(metadata.common, Object.values(metadata.native).flat(), { ...headerFacts(metadata), durationSeconds });
}

/**
 * Reads tags, MusicBrainz ids and the audio format: Ogg Vorbis, Opus, FLAC, MP3 and M4A with the
 * narrow readers of tag-readers/ (docs/adr/0009), which read them as music-metadata does at a
 * fraction of its cost; anything they leave, with music-metadata.
 */
export async function readTags(path: string, options: ReadTagsOptions): Promise<TagReport> {
  const own = options.mime === null ? null : await readOwnTags(path, options.mime, options.mpegDuration);
  if (own === null) return readTagsWithMusicMetadata(path, options);
  return reportOf(commonTagsOf(own.tags, own.map), own.tags, own.audio);
}
