import { parseFromTokenizer, type IAudioMetadata } from 'music-metadata';
import { fromFile } from 'strtok3';
import type { FileTags } from '../file-record.js';

/** The MusicBrainz ids embedded by Picard: authoritative when present. */
export interface EmbeddedIds {
  recordingMbid: string | null;
  artistMbids: string[];
  releaseMbid: string | null;
  workMbid: string | null;
}

export interface AudioFormat {
  format: string | null;
  sampleRate: number | null;
  channels: number | null;
  /** Seconds, only when the container states it reliably; null otherwise. */
  durationSeconds: number | null;
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
function cueSheetTag(metadata: IAudioMetadata): string | null {
  for (const tags of Object.values(metadata.native)) {
    for (const tag of tags) if (tag.id.toUpperCase() === 'CUESHEET' && typeof tag.value === 'string') return tag.value;
  }
  return null;
}

const mbidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A tag value that is a well-formed MBID, lowercased; anything else is ignored rather than stored. */
export function asMbid(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const mbid = value.trim().toLowerCase();
  return mbidPattern.test(mbid) ? mbid : null;
}

function text(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Containers whose duration needs a scan of the file to be known (Ogg: the last page's granule). */
function needsDurationScan(mime: string): boolean {
  return mime === 'audio/ogg' || mime === 'audio/opus' || mime === 'application/ogg' || mime === 'video/ogg';
}

function formatName(metadata: IAudioMetadata): string | null {
  const { container, codec } = metadata.format;
  if (!container) return null;
  if (container === 'MPEG') return codec?.includes('Layer 2') ? 'mp2' : 'mp3';
  if (container === 'Ogg') return codec?.toLowerCase().startsWith('opus') ? 'opus' : codec?.toLowerCase().startsWith('vorbis') ? 'vorbis' : 'ogg';
  if (container.startsWith('M4A') || container.startsWith('isom') || container.startsWith('mp4') || container.startsWith('MP4')) return 'm4a';
  if (container === 'WAVE') return 'wav';
  return container.toLowerCase();
}

export interface ReadTagsOptions {
  /** The MIME type the content showed: music-metadata otherwise picks its parser by extension. */
  mime: string;
  /** For MP3: whether the first frame has a Xing/Info/VBRI header (see mp3-header.ts). */
  mp3HasSeekHeader: boolean;
}

/** Reads tags, MusicBrainz ids and the audio format with music-metadata, choosing the parser by content. */
export async function readTags(path: string, options: ReadTagsOptions): Promise<TagReport> {
  const tokenizer = await fromFile(path);
  tokenizer.fileInfo.mimeType = options.mime;
  let metadata: IAudioMetadata;
  try {
    metadata = await parseFromTokenizer(tokenizer, { duration: needsDurationScan(options.mime), skipCovers: true });
  } finally {
    await tokenizer.close();
  }
  if (!metadata.format.container) throw new Error('no audio container found');
  const common = metadata.common;
  const isMpeg = metadata.format.container === 'MPEG';
  const duration = metadata.format.duration;
  const trusted = duration !== undefined && duration > 0 && Number.isFinite(duration) && (!isMpeg || options.mp3HasSeekHeader);
  const artist = text(common.artist) ?? (common.artists?.length ? common.artists.join('; ') : null);
  return {
    tags: {
      title: text(common.title),
      artist,
      album: text(common.album),
      trackNumber: common.track.no ?? null,
      year: common.year ?? null,
    },
    artistNames: (common.artists ?? []).map((name) => name.trim()).filter((name) => name !== ''),
    releaseDate: text(common.date) ?? (common.year ? String(common.year) : null),
    workTitle: text(common.work),
    ids: {
      recordingMbid: asMbid(common.musicbrainz_recordingid),
      artistMbids: (common.musicbrainz_artistid ?? []).flatMap((id) => asMbid(id) ?? []),
      releaseMbid: asMbid(common.musicbrainz_albumid),
      workMbid: asMbid(common.musicbrainz_workid),
    },
    audio: {
      format: formatName(metadata),
      sampleRate: metadata.format.sampleRate ?? null,
      channels: metadata.format.numberOfChannels ?? null,
      durationSeconds: trusted ? duration : null,
    },
    cueSheet: cueSheetTag(metadata),
  };
}
