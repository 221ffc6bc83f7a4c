import { describe, expect, it } from 'vitest';
import { TICKS_PER_SECOND } from '../file-record.js';
import { CueSheetError } from './cue-sheet.js';
import { readFlacCueSheet, type ReadBytes } from './flac-cue-sheet.js';

const PADDING = 1;
const CUESHEET = 5;

/** A STREAMINFO body: 4096-sample blocks, stereo, 16 bits, the given rate and length, no MD5. */
function streamInfo(sampleRate: number, totalSamples: number): Uint8Array {
  const body = new Uint8Array(34);
  const view = new DataView(body.buffer);
  view.setUint16(0, 4096);
  view.setUint16(2, 4096);
  view.setBigUint64(10, (BigInt(sampleRate) << 44n) | (1n << 41n) | (15n << 36n) | BigInt(totalSamples));
  return body;
}

interface TrackSpec {
  number: number;
  offset: number;
  /** [index number, offset in samples from the track's offset]. */
  indexes?: [number, number][];
  isrc?: string;
  data?: boolean;
  preEmphasis?: boolean;
}

/** A CUESHEET body as the format page lays it out (a CD sheet, 88 200 lead-in samples). */
function cueSheet(tracks: TrackSpec[]): Uint8Array {
  const size = 396 + tracks.reduce((sum, track) => sum + 36 + 12 * (track.indexes?.length ?? 0), 0);
  const body = new Uint8Array(size);
  const view = new DataView(body.buffer);
  view.setBigUint64(128, 88_200n);
  view.setUint8(136, 0x80);
  view.setUint8(395, tracks.length);
  let at = 396;
  for (const track of tracks) {
    view.setBigUint64(at, BigInt(track.offset));
    view.setUint8(at + 8, track.number);
    body.set(new TextEncoder().encode(track.isrc ?? ''), at + 9);
    view.setUint8(at + 21, (track.data ? 0x80 : 0) | (track.preEmphasis ? 0x40 : 0));
    view.setUint8(at + 35, track.indexes?.length ?? 0);
    at += 36;
    for (const [number, offset] of track.indexes ?? []) {
      view.setBigUint64(at, BigInt(offset));
      view.setUint8(at + 8, number);
      at += 12;
    }
  }
  return body;
}

function block(type: number, body: Uint8Array, isLast = false): Uint8Array {
  return Uint8Array.from([(isLast ? 0x80 : 0) | type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff, ...body]);
}

const AUDIO = Uint8Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? 0xff : 0xf8));

/** `fLaC`, the blocks, then bytes standing for audio frames. */
function flacFile(...blocks: Uint8Array[]): Uint8Array {
  return Uint8Array.from([...new TextEncoder().encode('fLaC'), ...blocks.flatMap((b) => [...b]), ...AUDIO]);
}

/** A reader over bytes in memory that records every range asked for. */
function reader(file: Uint8Array, reads: [number, number][] = []): ReadBytes {
  return async (position, length) => {
    reads.push([position, length]);
    return file.slice(position, position + length);
  };
}

/** An ID3v2.4 tag of `bodyBytes` zero bytes, its size syncsafe, with a footer when asked. */
function id3v2(bodyBytes: number, withFooter = false): Uint8Array {
  const size = [21, 14, 7, 0].map((shift) => (bodyBytes >> shift) & 0x7f);
  const header = [0x49, 0x44, 0x33, 4, 0, withFooter ? 0x10 : 0, ...size];
  const footer = withFooter ? [0x33, 0x44, 0x49, 4, 0, 0x10, ...size] : [];
  return Uint8Array.from([...header, ...new Array<number>(bodyBytes).fill(0), ...footer]);
}

const seconds = (s: number): number => s * TICKS_PER_SECOND;

/** Two tracks at 0 and 12 s of a 20 s stream at 44.1 kHz, lead-out at its end. */
const twoTracks: TrackSpec[] = [
  { number: 1, offset: 0, indexes: [[1, 0]] },
  { number: 2, offset: 529_200, indexes: [[1, 0]] },
  { number: 170, offset: 882_000 },
];

describe('readFlacCueSheet', () => {
  it('gives each audio track its INDEX 01 in ticks exact to the sample: sample 529 200 at 44.1 kHz is 338 688 000', async () => {
    const file = flacFile(block(0, streamInfo(44_100, 882_000)), block(CUESHEET, cueSheet(twoTracks), true));
    expect(await readFlacCueSheet(reader(file))).toEqual([
      { number: 1, kind: 'audio', startTicks: 0, endTicks: 338_688_000, title: null, performer: null, recordingMbid: null, artistMbids: [], isrc: null, flags: [] },
      { number: 2, kind: 'audio', startTicks: 338_688_000, endTicks: null, title: null, performer: null, recordingMbid: null, artistMbids: [], isrc: null, flags: [] },
    ]);
  });

  it('ends a track at the next track’s INDEX 00 and starts that track at its INDEX 01, relative to its offset', async () => {
    const tracks: TrackSpec[] = [
      { number: 1, offset: 0, indexes: [[1, 0]] },
      { number: 2, offset: 529_200, indexes: [[0, 0], [1, 88_200]] },
      { number: 170, offset: 882_000 },
    ];
    const file = flacFile(block(0, streamInfo(44_100, 882_000)), block(CUESHEET, cueSheet(tracks), true));
    const result = await readFlacCueSheet(reader(file));
    expect(result?.map((t) => [t.startTicks, t.endTicks])).toEqual([[0, seconds(12)], [seconds(14), null]]);
  });

  it('ends the last audio track at the lead-out when the sound goes on past it, or when the length is unknown', async () => {
    const past = flacFile(block(0, streamInfo(44_100, 1_000_000)), block(CUESHEET, cueSheet(twoTracks), true));
    const unknown = flacFile(block(0, streamInfo(44_100, 0)), block(CUESHEET, cueSheet(twoTracks), true));
    expect((await readFlacCueSheet(reader(past)))?.at(-1)?.endTicks).toBe(seconds(20));
    expect((await readFlacCueSheet(reader(unknown)))?.at(-1)?.endTicks).toBe(seconds(20));
  });

  it('gives no end to the last audio track when the lead-out is at or after the end of the sound', async () => {
    const after = flacFile(block(0, streamInfo(44_100, 800_000)), block(CUESHEET, cueSheet(twoTracks), true));
    expect((await readFlacCueSheet(reader(after)))?.at(-1)?.endTicks).toBeNull();
  });

  it('converts at 48 kHz exactly and rounds to the nearest tick at a rate that does not divide the tick rate', async () => {
    const tracks = (offset: number): TrackSpec[] => [{ number: 1, offset: 0, indexes: [[1, 0]] }, { number: 2, offset, indexes: [[1, 0]] }, { number: 255, offset: offset * 2 }];
    const at48k = flacFile(block(0, streamInfo(48_000, 0)), block(CUESHEET, cueSheet(tracks(144_000)), true));
    const odd = flacFile(block(0, streamInfo(44_101, 0)), block(CUESHEET, cueSheet(tracks(1)), true));
    expect((await readFlacCueSheet(reader(at48k)))?.[1]?.startTicks).toBe(seconds(3));
    expect((await readFlacCueSheet(reader(odd)))?.[1]?.startTicks).toBe(Math.round(TICKS_PER_SECOND / 44_101));
  });

  it('skips a data track; the audio track before it ends where the data track begins', async () => {
    const tracks: TrackSpec[] = [
      { number: 1, offset: 0, indexes: [[1, 0]], isrc: 'GBAYE9700215', preEmphasis: true },
      { number: 2, offset: 441_000, indexes: [[0, 0], [1, 44_100]], data: true },
      { number: 170, offset: 882_000 },
    ];
    const file = flacFile(block(0, streamInfo(44_100, 882_000)), block(CUESHEET, cueSheet(tracks), true));
    expect(await readFlacCueSheet(reader(file))).toEqual([
      { number: 1, kind: 'audio', startTicks: 0, endTicks: seconds(10), title: null, performer: null, recordingMbid: null, artistMbids: [], isrc: 'GBAYE9700215', flags: ['PRE'] },
    ]);
  });

  it('gives null for a FLAC file without a CUESHEET block', async () => {
    const file = flacFile(block(0, streamInfo(44_100, 882_000)), block(PADDING, new Uint8Array(100), true));
    expect(await readFlacCueSheet(reader(file))).toBeNull();
  });

  it('gives null for a file that is not FLAC, and for an empty one', async () => {
    expect(await readFlacCueSheet(reader(new TextEncoder().encode('RIFF\u0024\u0000\u0000\u0000WAVEfmt ')))).toBeNull();
    expect(await readFlacCueSheet(reader(new Uint8Array(0)))).toBeNull();
    expect(await readFlacCueSheet(reader(Uint8Array.from([...id3v2(20), 0x49, 0x44])))).toBeNull();
  });

  it('skips ID3v2 tags before fLaC, with and without a footer', async () => {
    const file = flacFile(block(0, streamInfo(44_100, 882_000)), block(CUESHEET, cueSheet(twoTracks), true));
    for (const tag of [id3v2(300), id3v2(1000, true), Uint8Array.from([...id3v2(5), ...id3v2(200)])]) {
      const tagged = Uint8Array.from([...tag, ...file]);
      expect((await readFlacCueSheet(reader(tagged)))?.map((t) => t.startTicks)).toEqual([0, 338_688_000]);
    }
  });

  it('reads only block headers and the STREAMINFO and CUESHEET bodies, never the audio', async () => {
    const picture = block(6, new Uint8Array(50_000));
    const file = flacFile(block(0, streamInfo(44_100, 882_000)), picture, block(CUESHEET, cueSheet(twoTracks)), block(PADDING, new Uint8Array(8192), true));
    const reads: [number, number][] = [];
    await readFlacCueSheet(reader(file, reads));
    const cueSheetStart = 4 + 38 + picture.length;
    expect(Math.max(...reads.map(([position, length]) => position + length))).toBe(cueSheetStart + 4 + cueSheet(twoTracks).length);
    expect(reads.filter(([, length]) => length > 40)).toEqual([[cueSheetStart + 4, cueSheet(twoTracks).length]]);
  });

  const malformed: [string, () => Uint8Array, RegExp][] = [
    ['no lead-out track', () => flacFile(block(0, streamInfo(44_100, 0)), block(CUESHEET, cueSheet(twoTracks.slice(0, 2)), true)),
      /^FLAC CUESHEET block does not end with a lead-out track \(170 or 255\)$/],
    ['a track without index point 1', () => flacFile(block(0, streamInfo(44_100, 0)), block(CUESHEET, cueSheet([{ number: 1, offset: 0, indexes: [[0, 0]] }, { number: 170, offset: 9 }]), true)),
      /^FLAC CUESHEET track 1 has no index point 1$/],
    ['a block too short for its tracks', () => flacFile(block(0, streamInfo(44_100, 0)), block(CUESHEET, cueSheet(twoTracks).subarray(0, 450), true)),
      /^FLAC CUESHEET block is 450 bytes, too short for the tracks it lists$/],
    ['a sample rate of 0', () => flacFile(block(0, streamInfo(0, 0)), block(CUESHEET, cueSheet(twoTracks), true)),
      /^FLAC STREAMINFO block gives a sample rate of 0$/],
    ['no STREAMINFO block', () => flacFile(block(CUESHEET, cueSheet(twoTracks), true)),
      /^FLAC has a CUESHEET block but no STREAMINFO block to give the sample rate$/],
    ['a block of the invalid type 127', () => flacFile(block(0, streamInfo(44_100, 0)), block(127, new Uint8Array(8), true)),
      /^FLAC metadata block at byte 42 has the invalid type 127$/],
    ['a file that ends inside the CUESHEET block', () => flacFile(block(0, streamInfo(44_100, 0)), block(CUESHEET, cueSheet(twoTracks), true)).subarray(0, 500),
      /^FLAC file ends inside the CUESHEET block \(528 bytes at byte 46\)$/],
    ['a track that ends before it starts', () => flacFile(block(0, streamInfo(44_100, 0)), block(CUESHEET, cueSheet([{ number: 1, offset: 1000, indexes: [[1, 0]] }, { number: 170, offset: 10 }]), true)),
      /^FLAC CUESHEET track 1 ends at sample 10, before its start at sample 1000$/],
  ];

  it.each(malformed)('rejects a CUESHEET with %s', async (_case, file, message) => {
    const result = readFlacCueSheet(reader(file()));
    await expect(result).rejects.toThrow(CueSheetError);
    await expect(result).rejects.toThrow(message);
  });
});
