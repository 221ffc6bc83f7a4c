/**
 * What ffmpeg says about a file's streams, read from its log (`-loglevel +level+info`): the
 * container (its demuxer), each input stream (type, codec, rate, channels, whether a video stream
 * is only a cover), the stream it decodes, and its errors. Both the decoder and the probe read
 * files this way, so the audio facts stored are the decoder's view of the stream it decoded, and a
 * file is audio when ffmpeg finds an audio stream in it, whatever its name or first bytes.
 */

export interface InputStream {
  index: number;
  type: 'audio' | 'video' | 'other';
  /** ffmpeg's codec name, e.g. `opus`, `mp3`, `pcm_s16le`. */
  codec: string;
  sampleRate: number | null;
  channels: number | null;
  /** A video stream that is a cover picture (`attached pic`), not moving pictures. */
  attachedPicture: boolean;
}

export interface FfmpegReport {
  /** The demuxer's names as ffmpeg prints them, e.g. `mov,mp4,m4a,3gp,3g2,mj2`; null when it found none. */
  formatName: string | null;
  /** The container's stated duration, when it states one. */
  durationSeconds: number | null;
  streams: InputStream[];
  /** The input stream the decode reads (`Stream mapping`); null in a probe. */
  mappedStream: number | null;
  /** Error lines, without ffmpeg's `[demuxer @ 0x…]` context and level. */
  errors: string[];
  /**
   * The input's metadata (the container's and its streams'), keys lowercased, the first value of
   * each: the tags of a container the tag library does not read (worker.ts).
   */
  tags: Record<string, string>;
}

/** The audio facts stored with a file: the decoder's view of the stream it decoded. */
export interface AudioStreamFacts {
  /** The container, short: `mp4` for ffmpeg's `mov,mp4,m4a,3gp,3g2,mj2`, `matroska` for `matroska,webm`, else the demuxer's first name. */
  container: string;
  codec: string;
  sampleRate: number | null;
  channels: number | null;
}

const containerAliases: Readonly<Record<string, string>> = {
  'mov,mp4,m4a,3gp,3g2,mj2': 'mp4',
  'matroska,webm': 'matroska',
};

/** The container name stored for ffmpeg's (or ffprobe's) `format_name`. */
export function containerName(formatName: string): string {
  return containerAliases[formatName] ?? formatName.split(',')[0]!;
}

/** Channels of the layouts ffmpeg prints; `N channels` otherwise. */
const layoutChannels: Readonly<Record<string, number>> = {
  mono: 1, stereo: 2, downmix: 2, '2.1': 3, '3.0': 3, '3.1': 4, '4.0': 4, quad: 4, '4.1': 5, '5.0': 5, '5.1': 6,
  '6.0': 6, hexagonal: 6, '6.1': 7, '7.0': 7, '7.1': 8, octagonal: 8, hexadecagonal: 16, '22.2': 24,
};

function channelsOf(layout: string): number | null {
  const counted = /^(\d+) channels/.exec(layout);
  if (counted) return Number(counted[1]);
  return layoutChannels[layout.replace(/\(.*$/, '')] ?? null;
}

/** Splits at commas outside parentheses and brackets: `aac (LC) (mp4a / 0x6134706D), 44100 Hz, 5.1(side), fltp`. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '(' || c === '[') depth += 1;
    else if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** Codecs of still pictures, as ffmpeg names them. */
const pictureCodecs = new Set(['mjpeg', 'png', 'bmp', 'gif', 'tiff', 'webp']);

/**
 * A cover, not moving pictures: ffmpeg says `(attached pic)`; the registry's ffmpeg (of 2018)
 * says it of no stream, so there a picture codec's stream without a frame rate (`fps`) is one too
 * (an MP3's APIC, an ASF's WM/Picture); a camera's MJPEG video has its frame rate.
 */
function isAttachedPicture(codec: string, parts: readonly string[], description: string): boolean {
  return description.includes('(attached pic)') || (pictureCodecs.has(codec) && !parts.some((part) => / fps$/.test(part)));
}

function parseStream(index: number, kind: string, description: string): InputStream {
  const parts = topLevelParts(description);
  const codec = (parts[0] ?? '').split(' ')[0] ?? '';
  if (kind !== 'Audio') {
    return { index, type: kind === 'Video' ? 'video' : 'other', codec, sampleRate: null, channels: null, attachedPicture: kind === 'Video' && isAttachedPicture(codec, parts, description) };
  }
  const rateAt = parts.findIndex((part) => /^\d+ Hz$/.test(part));
  const sampleRate = rateAt === -1 ? null : Number.parseInt(parts[rateAt]!, 10);
  const layout = rateAt === -1 ? parts[1] : parts[rateAt + 1];
  const channels = layout === undefined ? null : channelsOf(layout);
  return { index, type: 'audio', codec, sampleRate: sampleRate || null, channels: channels || null, attachedPicture: false };
}

function parseDuration(text: string): number | null {
  const match = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(text);
  return match ? Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) : null;
}

/** Longer lines (a tag holding a whole cue sheet or lyrics) are cut: nothing read from the log is that long. */
const maxLineLength = 4096;
const errorLevels = new Set(['error', 'fatal', 'panic']);

/** Reads ffmpeg's log as it comes, keeping only what the report needs, so a file with huge tags costs no memory. */
export class FfmpegLogReader {
  private pending = '';
  private section: 'before' | 'input' | 'mapping' | 'after' = 'before';
  private inMetadata = false;
  private readonly report: FfmpegReport = { formatName: null, durationSeconds: null, streams: [], mappedStream: null, errors: [], tags: {} };

  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop()!.slice(0, maxLineLength);
    for (const line of lines) this.line(line.replace(/\r$/, ''));
  }

  end(): FfmpegReport {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
    return this.report;
  }

  private tag(text: string): void {
    const tag = tagOf(text);
    if (tag === null || Object.keys(this.report.tags).length >= 64) return;
    const [key, value] = tag;
    if (!(key in this.report.tags) && value !== '') this.report.tags[key] = value.slice(0, 1000);
  }

  private line(raw: string): void {
    // `[flac @ 0x55d4…] [error] message`, `[info]   Stream #0:0: Audio: …`; continuation lines have no level.
    const match = /^(?:\[[^\]]* @ 0x[0-9a-f]+\] )?\[(\w+)\] ?(.*)$/.exec(raw);
    if (!match) return;
    const [, level, text] = match as unknown as [string, string, string];
    if (errorLevels.has(level)) {
      if (this.report.errors.length < 8) this.report.errors.push(text.trim());
      return;
    }
    if (level !== 'info') return;
    const input = /^Input #0, (\S+), from /.exec(text);
    if (input) {
      this.report.formatName = input[1]!;
      this.section = 'input';
      return;
    }
    if (/^(Output|Input) #\d/.test(text)) {
      this.section = 'after';
      return;
    }
    if (text.startsWith('Stream mapping:')) {
      this.section = 'mapping';
      return;
    }
    if (this.section === 'input') {
      if (/^\s+Metadata:$/.test(text)) {
        this.inMetadata = true;
        return;
      }
      const duration = /^\s+Duration: (\S+?),/.exec(text);
      if (duration) this.report.durationSeconds = parseDuration(duration[1]!);
      const stream = /^\s+Stream #0:(\d+)\S*: (\w+): (.*)$/.exec(text);
      if (stream) this.report.streams.push(parseStream(Number(stream[1]), stream[2]!, stream[3]!));
      if (duration || stream) this.inMetadata = false;
      else if (this.inMetadata) this.tag(text);
    } else if (this.section === 'mapping') {
      const mapped = /^\s+Stream #0:(\d+) -> #0:0/.exec(text);
      if (mapped) this.report.mappedStream ??= Number(mapped[1]);
      else if (!/^\s+Stream #/.test(text)) this.section = 'after';
    }
  }
}

function tagOf(text: string): [string, string] | null {
  const match = /^\s+(\S(?:[^:]*\S)?)\s*: (.*)$/.exec(text);
  return match ? [match[1]!.toLowerCase(), match[2]!.trim()] : null;
}

/**
 * The audio stream the decode read (or, in a probe, the one it would read: ffmpeg's first audio
 * stream), with its container. A stream whose rate and channels ffmpeg could not find is none:
 * that is what it makes of random bytes named `.flac` (`Audio: flac, 0 channels`).
 */
export function decodedAudio(report: FfmpegReport): AudioStreamFacts | null {
  const audio = report.streams.filter((stream) => stream.type === 'audio' && stream.sampleRate !== null && stream.channels !== null);
  const stream = audio.find((s) => s.index === report.mappedStream) ?? audio[0];
  if (stream === undefined || report.formatName === null) return null;
  return { container: containerName(report.formatName), codec: stream.codec, sampleRate: stream.sampleRate, channels: stream.channels };
}

/** Whether the file holds moving pictures: a video stream that is not a cover. */
export function holdsVideo(report: FfmpegReport): boolean {
  return report.streams.some((stream) => stream.type === 'video' && !stream.attachedPicture);
}
