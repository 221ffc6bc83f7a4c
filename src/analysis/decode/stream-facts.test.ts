import { describe, expect, it } from 'vitest';
import { containerName, decodedAudio, FfmpegLogReader, holdsVideo } from './stream-facts.js';

/** A log as ffmpeg writes it, pushed in uneven pieces as a pipe delivers it. */
function read(log: string) {
  const reader = new FfmpegLogReader();
  for (let at = 0; at < log.length; at += 37) reader.push(log.slice(at, at + 37));
  return reader.end();
}

// Logs of `ffmpeg -loglevel +level+info -i FILE … -f f32le -` (Debian's 5.1 and the static 4.1 print the same shape).
const m4a = `[info] Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/m/Fifth.m4a':
[info]   Metadata:
[info]     major_brand     : M4A 
[info]     title           : Fifth, with a comma: and a colon
[info]   Duration: 00:03:02.50, start: 0.000000, bitrate: 59 kb/s
[info]   Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, 5.1(side), fltp, 48 kb/s (default)
[info]   Stream #0:1[0x0]: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 300x300 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)
[info] Stream mapping:
[info]   Stream #0:0 -> #0:0 (aac (native) -> pcm_f32le (native))
[info] Output #0, f32le, to 'pipe:':
[info]     Stream #0:0: Audio: pcm_f32le, 11025 Hz, mono, flt, 352 kb/s
`;

describe('FfmpegLogReader', () => {
  it('reads the container, the streams and the one decoded, not the output', () => {
    const report = read(m4a);
    expect(report).toEqual({
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSeconds: 182.5,
      streams: [
        { index: 0, type: 'audio', codec: 'aac', sampleRate: 44100, channels: 6, attachedPicture: false },
        { index: 1, type: 'video', codec: 'mjpeg', sampleRate: null, channels: null, attachedPicture: true },
      ],
      mappedStream: 0,
      errors: [],
      tags: { major_brand: 'M4A', title: 'Fifth, with a comma: and a colon' },
    });
    expect(decodedAudio(report)).toEqual({ container: 'mp4', codec: 'aac', sampleRate: 44100, channels: 6 });
    expect(holdsVideo(report)).toBe(false);
  });

  it('takes the stream mapped for decoding among several, and tells moving pictures from a cover', () => {
    const report = read(`[info] Input #0, matroska,webm, from 'file:/m/clip.mkv':
[info]   Duration: N/A, start: 0.000000, bitrate: N/A
[info]   Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv), 160x120, SAR 1:1 DAR 4:3, 10 fps, 10 tbr, 1k tbn (default)
[info]   Stream #0:1(eng): Audio: opus, 48000 Hz, stereo, fltp (default)
[info]   Stream #0:2(fre): Audio: vorbis, 44100 Hz, 7 channels, fltp
[info]     Metadata:
[info]       ALBUM           : Live
[info]       TITLE           : Encore
[info] Stream mapping:
[info]   Stream #0:2 -> #0:0 (vorbis (native) -> pcm_f32le (native))
`);
    expect(report.durationSeconds).toBeNull();
    expect(decodedAudio(report)).toEqual({ container: 'matroska', codec: 'vorbis', sampleRate: 44100, channels: 7 });
    expect(holdsVideo(report)).toBe(true);
    expect(report.tags).toEqual({ album: 'Live', title: 'Encore' });
  });

  it('takes a picture stream without a frame rate for a cover where ffmpeg does not say (the static 4.1), and a camera\'s MJPEG for video', () => {
    // A Windows Media Player rip's WM/Picture, as the static 4.1 prints it: no `(attached pic)`.
    const wma = read(`[info] Input #0, asf, from 'file:/m/rip.wma':
[info]   Duration: 00:00:05.02, start: 0.000000, bitrate: 167 kb/s
[info]     Stream #0:0: Video: mjpeg (Baseline), yuvj444p(pc, bt470bg/unknown/unknown), 300x300 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn, 90k tbc
[info]     Stream #0:1: Audio: wmav2 (a[1][0][0] / 0x0161), 44100 Hz, mono, fltp, 128 kb/s
`);
    expect(wma.streams[0]).toMatchObject({ type: 'video', codec: 'mjpeg', attachedPicture: true });
    expect(holdsVideo(wma)).toBe(false);
    const camera = read(`[info] Input #0, avi, from 'file:/m/camera.avi':
[info]     Stream #0:0: Video: mjpeg (MJPG / 0x47504A4D), yuvj422p(pc, bt470bg/unknown/unknown), 640x480, 15 fps, 15 tbr, 15 tbn, 15 tbc
[info]     Stream #0:1: Audio: pcm_u8 ([1][0][0][0] / 0x0001), 11024 Hz, mono, u8, 88 kb/s
`);
    expect(holdsVideo(camera)).toBe(true);
  });

  it('finds no audio in a stream ffmpeg could not read the parameters of (random bytes named .flac)', () => {
    const report = read(`[flac @ 0x55d41657e980] [warning] Format flac detected only with low score of 1, misdetection possible!
[info] Input #0, flac, from 'file:/m/random.flac':
[info]   Duration: N/A, bitrate: N/A
[info]   Stream #0:0: Audio: flac, 0 channels
`);
    expect(report.streams).toEqual([{ index: 0, type: 'audio', codec: 'flac', sampleRate: null, channels: null, attachedPicture: false }]);
    expect(decodedAudio(report)).toBeNull();
  });

  it('keeps the errors without their context, and no audio when there is none', () => {
    const report = read(`[flac @ 0x563f3ec8f980] [warning] Format flac detected only with low score of 1, misdetection possible!
[error] file:/m/truncated.flac: Input/output error
Consider increasing the value for the 'analyzeduration' (0) and 'probesize' (5000000) options
[mp3 @ 0x55ae02af6940] [error] Failed to read frame size
[info] Conversion failed!
`);
    expect(report.errors).toEqual(['file:/m/truncated.flac: Input/output error', 'Failed to read frame size']);
    expect(report.formatName).toBeNull();
    expect(decodedAudio(report)).toBeNull();
  });

  it('cuts a huge tag line instead of holding it', () => {
    const reader = new FfmpegLogReader();
    reader.push(`[info] Input #0, flac, from 'file:/m/a.flac':\n[info]     LYRICS          : ${'la '.repeat(1_000_000)}`);
    reader.push('\n[info]   Stream #0:0: Audio: flac, 96000 Hz, mono, s32 (24 bit)\n');
    expect(decodedAudio(reader.end())).toEqual({ container: 'flac', codec: 'flac', sampleRate: 96000, channels: 1 });
  });
});

describe('containerName', () => {
  it('shortens the demuxer names ffmpeg and ffprobe print', () => {
    expect(containerName('mov,mp4,m4a,3gp,3g2,mj2')).toBe('mp4');
    expect(containerName('matroska,webm')).toBe('matroska');
    expect(containerName('ogg')).toBe('ogg');
    expect(containerName('aiff')).toBe('aiff');
  });
});
