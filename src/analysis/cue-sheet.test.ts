import { describe, expect, it } from 'vitest';
import { TICKS_PER_SECOND } from '../file-record.js';
import type { CueTrack } from '../stored/file-cue-sheet.js';
import { CueSheetError, decodeCueText, missingFiles, parseCueSheet, tracksForFile, type CueSheet } from './cue-sheet.js';

/** mm:ss:ff in ticks: a CD frame is 1/75 s. */
function msf(minutes: number, seconds: number, frames: number): number {
  return ((minutes * 60 + seconds) * 75 + frames) * (TICKS_PER_SECOND / 75);
}

function track(number: number, startTicks: number, endTicks: number | null, more: Partial<CueTrack> = {}): CueTrack {
  return {
    number, kind: 'audio', startTicks, endTicks, title: null, performer: null, recordingMbid: null, artistMbids: [], isrc: null, flags: [], ...more,
  };
}

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]));

/** Windows-1252 bytes: Latin-1 for U+00A0–U+00FF, plus the two 0x80–0x9f characters the tests use. */
function windows1252(text: string): Uint8Array {
  const extra: Record<string, number> = { '’': 0x92, '€': 0x80 };
  return Uint8Array.from(text, (char) => {
    const code = char.charCodeAt(0);
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code;
    const byte = extra[char];
    if (byte === undefined) throw new Error(`${char} is not in the test's windows-1252 table`);
    return byte;
  });
}

/** A typical EAC sheet: album REMs, per-track PERFORMER/TITLE, INDEX 00 pregaps. */
function eacSheet(titles: readonly string[] = ['Airbag', 'Paranoid Android', 'Subterranean Homesick Alien'], performer = 'Radiohead'): string {
  return crlf([
    'REM GENRE "Alternative Rock"',
    'REM DATE 1997',
    'REM DISCID 860B640B',
    'REM COMMENT "ExactAudioCopy v1.6"',
    'CATALOG 0724385522925',
    `PERFORMER "${performer}"`,
    'TITLE "OK Computer"',
    'FILE "Radiohead - OK Computer.wav" WAVE',
    '  TRACK 01 AUDIO',
    `    TITLE "${titles[0]}"`,
    `    PERFORMER "${performer}"`,
    '    ISRC GBAYE9700215',
    '    INDEX 01 00:00:00',
    '  TRACK 02 AUDIO',
    `    TITLE "${titles[1]}"`,
    `    PERFORMER "${performer}"`,
    '    INDEX 00 04:42:35',
    '    INDEX 01 04:44:22',
    '  TRACK 03 AUDIO',
    `    TITLE "${titles[2]}"`,
    `    PERFORMER "${performer}"`,
    '    FLAGS DCP PRE',
    '    INDEX 00 11:08:05',
    '    INDEX 01 11:09:67',
    ...titles.slice(3).flatMap((title, i) => [`  TRACK ${String(i + 4).padStart(2, '0')} AUDIO`, `    TITLE "${title}"`, `    INDEX 01 ${20 + i}:00:00`]),
  ]);
}

describe('decodeCueText', () => {
  it('strips a UTF-8 byte order mark', () => {
    expect(decodeCueText(concat([0xef, 0xbb, 0xbf], utf8('TITLE "Café"')))).toBe('TITLE "Café"');
  });

  it('reads valid UTF-8 without a byte order mark as UTF-8', () => {
    expect(decodeCueText(utf8('TITLE "Déjà vu – Ærø"'))).toBe('TITLE "Déjà vu – Ærø"');
  });

  it('reads UTF-16 little- and big-endian by their byte order marks', () => {
    const text = 'TITLE "Señor Ærø"\r\n';
    const le = concat([0xff, 0xfe], new Uint8Array(Buffer.from(text, 'utf16le')));
    const be = concat([0xfe, 0xff], new Uint8Array(Buffer.from(text, 'utf16le').swap16()));
    expect(decodeCueText(le)).toBe(text);
    expect(decodeCueText(be)).toBe(text);
  });

  it('reads bytes that are not UTF-8 as windows-1252, curly quote and euro sign included', () => {
    expect(decodeCueText(windows1252('TITLE "Café Don’t €5"'))).toBe('TITLE "Café Don’t €5"');
  });

  it('reads a short German sheet that chardet takes for ISO-8859-9 as windows-1252', () => {
    expect(decodeCueText(windows1252('FILE "a.wav" WAVE\nTRACK 01 AUDIO\nTITLE "Müller"\nINDEX 01 00:00:00\n'))).toContain('"Müller"');
  });

  it('reads a Shift_JIS sheet that chardet recognises as Shift_JIS', () => {
    const titles = ['96e982c98bec82af82e9', '836e838b835783498393', '82a082cc96b282f082c882bc82c182c4', '82bd82d482f1', '8c5190c2'];
    const bytes = concat(utf8('PERFORMER "YOASOBI"\r\nFILE "album.wav" WAVE\r\n'), ...titles.flatMap((hex, i) => [
      utf8(`  TRACK 0${i + 1} AUDIO\r\n    TITLE "`), new Uint8Array(Buffer.from(hex, 'hex')), utf8(`"\r\n    INDEX 01 0${i}:00:00\r\n`),
    ]));
    const sheet = parseCueSheet(decodeCueText(bytes));
    expect(sheet.files[0]?.tracks.map((t) => t.title)).toEqual(['夜に駆ける', 'ハルジオン', 'あの夢をなぞって', 'たぶん', '群青']);
  });
});

describe('parseCueSheet', () => {
  const eacExpected: CueSheet = {
    album: {
      title: 'OK Computer', performer: 'Radiohead', date: '1997', genre: 'Alternative Rock', releaseMbid: null,
      catalog: '0724385522925', discId: '860B640B', comment: 'ExactAudioCopy v1.6',
    },
    files: [{
      name: 'Radiohead - OK Computer.wav',
      tracks: [
        track(1, 0, msf(4, 42, 35), { title: 'Airbag', performer: 'Radiohead', isrc: 'GBAYE9700215' }),
        track(2, msf(4, 44, 22), msf(11, 8, 5), { title: 'Paranoid Android', performer: 'Radiohead' }),
        track(3, msf(11, 9, 67), null, { title: 'Subterranean Homesick Alien', performer: 'Radiohead', flags: ['DCP', 'PRE'] }),
      ],
    }],
  };

  it('reads a typical EAC sheet in UTF-8 with BOM and CRLF: album REMs, tracks ending at the next INDEX 00', () => {
    const bytes = concat([0xef, 0xbb, 0xbf], utf8(eacSheet()));
    expect(parseCueSheet(decodeCueText(bytes))).toEqual(eacExpected);
  });

  it('counts 75 frames a second and 28 224 000 ticks a second: 04:00:00 is 6 773 760 000 ticks', () => {
    const sheet = parseCueSheet('FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 04:00:00\nTRACK 02 AUDIO\nINDEX 01 04:00:74\n');
    expect(sheet.files[0]?.tracks.map((t) => t.startTicks)).toEqual([6_773_760_000, 6_773_760_000 + 74 * 376_320]);
  });

  it('reads the same sheet written in windows-1252 with accented titles', () => {
    const titles = ['Café', 'Déjà vu', 'Señor', 'Ærø', 'Don’t'];
    const sheet = parseCueSheet(decodeCueText(windows1252(eacSheet(titles, 'Les Élégants'))));
    expect(sheet.album.performer).toBe('Les Élégants');
    expect(sheet.files[0]?.tracks.map((t) => t.title)).toEqual(titles);
  });

  it('reads the same sheet written in UTF-16LE with BOM', () => {
    const bytes = concat([0xff, 0xfe], new Uint8Array(Buffer.from(eacSheet(), 'utf16le')));
    expect(parseCueSheet(decodeCueText(bytes))).toEqual(eacExpected);
  });

  it('gives each FILE its own tracks, the last of each running to the end of its file', () => {
    const sheet = parseCueSheet(crlf([
      'TITLE "Two Discs"',
      'FILE "CD1.flac" WAVE', 'TRACK 01 AUDIO', 'INDEX 01 00:00:00', 'TRACK 02 AUDIO', 'INDEX 01 03:00:00',
      'FILE "CD2.flac" WAVE', 'TRACK 03 AUDIO', 'INDEX 01 00:00:00', 'TRACK 04 AUDIO', 'INDEX 00 02:10:00', 'INDEX 01 02:12:00',
    ]));
    expect(sheet.files).toEqual([
      { name: 'CD1.flac', tracks: [track(1, 0, msf(3, 0, 0)), track(2, msf(3, 0, 0), null)] },
      { name: 'CD2.flac', tracks: [track(3, 0, msf(2, 10, 0)), track(4, msf(2, 12, 0), null)] },
    ]);
  });

  it('ends a track at the next track’s INDEX 00 written under its own FILE (EAC non-compliant sheet)', () => {
    const sheet = parseCueSheet(crlf([
      'FILE "01 One.wav" WAVE', '  TRACK 01 AUDIO', '    TITLE "One"', '    INDEX 01 00:00:00',
      '  TRACK 02 AUDIO', '    TITLE "Two"', '    INDEX 00 03:58:20',
      'FILE "02 Two.wav" WAVE', '    INDEX 01 00:00:00',
      '  TRACK 03 AUDIO', '    TITLE "Three"', '    INDEX 00 04:01:00',
      'FILE "03 Three.wav" WAVE', '    INDEX 01 00:00:00',
    ]));
    expect(sheet.files).toEqual([
      { name: '01 One.wav', tracks: [track(1, 0, msf(3, 58, 20), { title: 'One' })] },
      { name: '02 Two.wav', tracks: [track(2, 0, msf(4, 1, 0), { title: 'Two' })] },
      { name: '03 Three.wav', tracks: [track(3, 0, null, { title: 'Three' })] },
    ]);
  });

  it('takes MusicBrainz ids from REM lines, lower-cased, and ignores ids that are not UUIDs', () => {
    const sheet = parseCueSheet(crlf([
      'REM MUSICBRAINZ_ALBUMID 0B9B6D2A-6F9C-4E6E-9D7C-3E0B1A2C3D4E',
      'FILE "a.flac" WAVE',
      'TRACK 01 AUDIO', 'REM MUSICBRAINZ_TRACKID "5F0C1B2A-3D4E-4F5A-8B6C-7D8E9F0A1B2C"',
      'REM MUSICBRAINZ_ARTISTID 11111111-1111-4111-8111-111111111111; 22222222-2222-4222-8222-222222222222', 'INDEX 01 00:00:00',
      'TRACK 02 AUDIO', 'REM MUSICBRAINZ_RECORDINGID 33333333-3333-4333-8333-333333333333', 'REM MUSICBRAINZ_ARTISTID not-an-id', 'INDEX 01 01:00:00',
      'TRACK 03 AUDIO', 'REM MUSICBRAINZ_TRACKID 12345', 'INDEX 01 02:00:00',
    ]));
    expect(sheet.album.releaseMbid).toBe('0b9b6d2a-6f9c-4e6e-9d7c-3e0b1a2c3d4e');
    expect(sheet.files[0]?.tracks.map((t) => [t.recordingMbid, t.artistMbids])).toEqual([
      ['5f0c1b2a-3d4e-4f5a-8b6c-7d8e9f0a1b2c', ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222']],
      ['33333333-3333-4333-8333-333333333333', []],
      [null, []],
    ]);
  });

  it('accepts REM MUSICBRAINZ_RELEASEID for the release and rejects a malformed one', () => {
    expect(parseCueSheet('REM MUSICBRAINZ_RELEASEID 0b9b6d2a-6f9c-4e6e-9d7c-3e0b1a2c3d4e\nFILE a.wav WAVE\n').album.releaseMbid)
      .toBe('0b9b6d2a-6f9c-4e6e-9d7c-3e0b1a2c3d4e');
    expect(parseCueSheet('REM MUSICBRAINZ_ALBUMID 0b9b6d2a-6f9c-4e6e-9d7c\nFILE a.wav WAVE\n').album.releaseMbid).toBeNull();
  });

  it('tolerates lower-case keywords, tabs, blank lines, bare CRs, unquoted values and minutes past 99', () => {
    const sheet = parseCueSheet([
      'performer Some Band', '', '\ttitle\tLive at the Hall  ', 'rem date 2001',
      'file my long concert.wav wave', '\ttrack 1 audio', '\t\ttitle "Intro"', '\t\tsongwriter "Someone"', '\t\tpregap 00:02:00', '\t\tindex 01 00:00:00',
      '\ttrack 2 audio', '\t\ttitle "He said "hi""', '\t\tindex 01 123:45:67', '\t\tpostgap 00:02:00', '',
    ].join('\r'));
    expect(sheet.album).toMatchObject({ performer: 'Some Band', title: 'Live at the Hall', date: '2001' });
    expect(sheet.files).toEqual([{
      name: 'my long concert.wav',
      tracks: [track(1, 0, msf(123, 45, 67), { title: 'Intro' }), track(2, msf(123, 45, 67), null, { title: 'He said "hi"' })],
    }]);
  });

  it('keeps a data track but marks it data; the audio track before it ends where it starts', () => {
    const sheet = parseCueSheet(crlf([
      'FILE "disc.bin" BINARY', 'TRACK 01 AUDIO', 'INDEX 01 00:00:00', 'TRACK 02 AUDIO', 'INDEX 01 03:00:00',
      'TRACK 03 MODE1/2352', 'INDEX 00 06:00:00', 'INDEX 01 06:02:32',
    ]));
    expect(sheet.files[0]?.tracks.map((t) => [t.number, t.kind, t.endTicks])).toEqual([[1, 'audio', msf(3, 0, 0)], [2, 'audio', msf(6, 0, 0)], [3, 'data', null]]);
    expect(tracksForFile(sheet, 'disc.bin', ['disc.bin', 'disc.cue'])?.map((t) => t.number)).toEqual([1, 2]);
  });

  const broken: [string, string[], RegExp, number | null][] = [
    ['no FILE', ['TITLE "x"', 'PERFORMER "y"'], /^no FILE line: not a CUE sheet$/, null],
    ['a TRACK before any FILE', ['TITLE "x"', 'TRACK 01 AUDIO'], /^line 2: TRACK 01 AUDIO comes before any FILE$/, 2],
    ['an INDEX outside a TRACK', ['FILE a.wav WAVE', 'INDEX 01 00:00:00'], /^line 2: INDEX 01 00:00:00 is outside a TRACK$/, 2],
    ['a malformed INDEX time', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', '', '', '', '', 'INDEX 01 08:6x:00'], /^line 7: INDEX 01 08:6x:00 is not mm:ss:ff$/, 7],
    ['an INDEX without a number', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', 'INDEX 00:00:00'], /^line 3: INDEX 00:00:00 is not INDEX nn mm:ss:ff$/, 3],
    ['75 frames', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', 'INDEX 01 01:00:75'], /^line 3: INDEX 01 01:00:75 has 75 frames \(at most 74\)$/, 3],
    ['60 seconds', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', 'INDEX 01 01:60:00'], /^line 3: INDEX 01 01:60:00 has 60 seconds \(at most 59\)$/, 3],
    ['a track without INDEX 01', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', 'INDEX 00 00:00:00', 'TRACK 02 AUDIO', 'INDEX 01 01:00:00'], /^line 2: TRACK 01 has no INDEX 01$/, 2],
    ['a last track without INDEX 01', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', 'INDEX 01 00:00:00', 'TRACK 02 AUDIO'], /^line 4: TRACK 02 has no INDEX 01$/, 4],
    ['INDEX times going backwards in one FILE', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', 'INDEX 01 00:00:00', 'TRACK 02 AUDIO', 'INDEX 00 03:58:20', 'INDEX 01 03:10:00'],
      /^line 6: INDEX 01 03:10:00 goes back before 03:58:20, the previous INDEX in this FILE$/, 6],
    ['a duplicate track number', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', 'INDEX 01 00:00:00', 'TRACK 1 AUDIO', 'INDEX 01 01:00:00'], /^line 4: TRACK 1 AUDIO repeats track number 1 of line 2$/, 4],
    ['a duplicate INDEX in a track', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', 'INDEX 01 00:00:00', 'INDEX 01 01:00:00'], /^line 4: INDEX 01 01:00:00 repeats INDEX 01 of TRACK 01$/, 4],
    ['a TRACK line without a number', ['FILE a.wav WAVE', 'TRACK AUDIO'], /^line 2: TRACK AUDIO is not TRACK nn type$/, 2],
    ['a FILE line without a name', ['FILE ""'], /^line 1: FILE "" names no file$/, 1],
    ['binary junk', ['FILE a.wav WAVE', 'TRACK 01 AUDIO', '\u0000\u0001\u00ff\u0002PK\u0003\u0004'], /^line 3: binary data, not a CUE sheet$/, 3],
  ];

  it.each(broken)('rejects a sheet with %s, naming the line', (_case, lines, message, line) => {
    const parse = (): CueSheet => parseCueSheet(crlf(lines));
    expect(parse).toThrow(CueSheetError);
    expect(parse).toThrow(message);
    try {
      parse();
    } catch (error) {
      expect((error as CueSheetError).line).toBe(line);
    }
  });

  it('rejects random bytes, decoded, as not a CUE sheet', () => {
    const junk = Uint8Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256);
    expect(() => parseCueSheet(decodeCueText(junk))).toThrow(/binary data, not a CUE sheet/);
  });
});

describe('tracksForFile', () => {
  const twoFiles = parseCueSheet(crlf([
    'FILE "Album.wav" WAVE', 'TRACK 01 AUDIO', 'INDEX 01 00:00:00', 'TRACK 02 AUDIO', 'INDEX 01 02:00:00',
    'FILE "Bonus.wav" WAVE', 'TRACK 03 AUDIO', 'INDEX 01 00:00:00',
  ]));
  const numbers = (tracks: CueTrack[] | null): number[] | null => tracks?.map((t) => t.number) ?? null;

  it('finds the FILE entry that names the file exactly', () => {
    expect(numbers(tracksForFile(twoFiles, 'Bonus.wav', ['Album.wav', 'Bonus.wav', 'Album.cue']))).toEqual([3]);
  });

  it('matches a name in another letter case when no file has the exact name', () => {
    expect(numbers(tracksForFile(twoFiles, 'album.WAV', ['album.WAV', 'Bonus.wav']))).toEqual([1, 2]);
  });

  it('applies a sheet written for album.wav to album.flac after conversion', () => {
    expect(numbers(tracksForFile(twoFiles, 'Album.flac', ['Album.flac', 'Bonus.flac', 'Album.cue']))).toEqual([1, 2]);
    expect(numbers(tracksForFile(twoFiles, 'bonus.flac', ['Album.flac', 'bonus.flac']))).toEqual([3]);
  });

  it('does not apply the sheet to album.flac when album.wav is in the folder too', () => {
    expect(tracksForFile(twoFiles, 'Album.flac', ['Album.flac', 'Album.wav', 'Bonus.wav'])).toBeNull();
    expect(tracksForFile(twoFiles, 'Album.flac', ['Album.flac', 'album.wav'])).toBeNull();
  });

  it('prefers an exact match to a match by another extension', () => {
    const sheet = parseCueSheet('FILE "a.wav" WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nFILE "a.flac" WAVE\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n');
    expect(numbers(tracksForFile(sheet, 'a.flac', ['a.flac']))).toEqual([2]);
  });

  it('reads only the base name of a FILE entry written with a path', () => {
    const sheet = parseCueSheet('FILE "C:\\Rips\\Album.wav" WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n');
    expect(numbers(tracksForFile(sheet, 'Album.wav', ['Album.wav']))).toEqual([1]);
  });

  it('gives null for a file the sheet does not name', () => {
    expect(tracksForFile(twoFiles, 'Other.flac', ['Other.flac', 'Album.wav', 'Bonus.wav'])).toBeNull();
  });
});

describe('missingFiles', () => {
  const sheet = parseCueSheet('FILE "CD1.wav" WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nFILE "CD2.wav" WAVE\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n');

  it('lists the FILE names no file of the folder answers to', () => {
    expect(missingFiles(sheet, ['CD1.wav', 'album.cue'])).toEqual(['CD2.wav']);
    expect(missingFiles(sheet, [])).toEqual(['CD1.wav', 'CD2.wav']);
  });

  it('counts a file in another letter case or another audio format as present', () => {
    expect(missingFiles(sheet, ['cd1.WAV', 'CD2.flac'])).toEqual([]);
  });

  it('does not take a non-audio file with the same base name for the audio file', () => {
    expect(missingFiles(sheet, ['CD1.wav', 'CD2.cue', 'CD2.log'])).toEqual(['CD2.wav']);
  });
});
