import { describe, expect, it } from 'vitest';
import { isUnreadContainer, untagged, withFfmpegTags } from './tags.js';

describe('withFfmpegTags', () => {
  it('fills the fields the tag library left empty from ffmpeg\'s metadata, and keeps the ones it read', () => {
    const report = untagged();
    report.tags.title = 'From the tags';
    const filled = withFfmpegTags(report, { title: 'From ffmpeg', album_artist: 'Band', album: 'Live', track: '3/12', date: '1999-05-01' });
    expect(filled.tags).toEqual({ title: 'From the tags', artist: 'Band', album: 'Live', trackNumber: 3, year: 1999 });
    expect(filled.artistNames).toEqual(['Band']);
    expect(filled.releaseDate).toBe('1999-05-01');
  });

  it('takes YEAR, ORIGINALDATE or ORIGINALYEAR when there is no DATE, and ignores what is no number', () => {
    expect(withFfmpegTags(untagged(), { originalyear: '1971' }).tags.year).toBe(1971);
    expect(withFfmpegTags(untagged(), { track: 'side A', date: 'unknown' }).tags).toMatchObject({ trackNumber: null, year: null });
    expect(withFfmpegTags(untagged(), {})).toEqual(untagged());
  });
});

describe('isUnreadContainer', () => {
  it('tells a container the tag library does not read from a damaged file', () => {
    expect(isUnreadContainer('Failed to determine audio format')).toBe(true);
    expect(isUnreadContainer('Guessed MIME-type not supported: audio/vnd.dolby.dd-raw')).toBe(true);
    expect(isUnreadContainer('End-Of-Stream')).toBe(false);
  });
});
