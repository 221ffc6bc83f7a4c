import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FileClass } from '../file-record.js';
import { classifyContent, sniffBytes, tagInFront } from './content-type.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

/** The first bytes of a fixture, as the worker reads them. */
async function headOf(relativePath: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(join(fixtures, relativePath))).subarray(0, sniffBytes);
}

/** An ASF object's GUID as stored: its first three fields little-endian. */
function asfGuid(text: string): Uint8Array {
  const b = text.replaceAll('-', '').match(/../g)!.map((hex) => Number.parseInt(hex, 16));
  return new Uint8Array([...b.slice(0, 4).reverse(), ...b.slice(4, 6).reverse(), ...b.slice(6, 8).reverse(), ...b.slice(8)]);
}

const extendedContentDescription = asfGuid('d2d0a440-e307-11d2-97f0-00a0c95ea850');
const audioMedia = asfGuid('f8699e40-5b4d-11cf-a8fd-00805f5c442b');
const videoMedia = asfGuid('bc19efc0-5b4d-11cf-a8fd-00805f5c442b');

/** An ASF header object: GUID, size, then `payload`, or zeros up to `size` when that is larger. */
function asfObject(guid: Uint8Array, size: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const bytes = new Uint8Array(24 + payload.length);
  bytes.set(guid);
  new DataView(bytes.buffer).setBigUint64(16, BigInt(Math.max(size, bytes.length)), true);
  bytes.set(payload, 24);
  return bytes;
}

function fileProperties(): Uint8Array {
  return asfObject(asfGuid('8cabdca1-a947-11cf-8ee4-00c00c205365'), 104, new Uint8Array(80));
}

function streamProperties(media: Uint8Array): Uint8Array {
  return asfObject(asfGuid('b7dc0791-a9b7-11cf-8ee6-00c00c205365'), 24 + 54, new Uint8Array([...media, ...new Uint8Array(38)]));
}

/** The first `sniffBytes` of an ASF file whose header holds `objects`, as the worker reads them. */
function asfHead(objects: Uint8Array[]): Uint8Array {
  const children = objects.reduce((all, object) => new Uint8Array([...all, ...object]), new Uint8Array(0));
  const header = asfObject(asfGuid('75b22630-668e-11cf-a6d9-00aa0062ce6c'), 30 + 100_000, new Uint8Array([objects.length, 0, 0, 0, 1, 2, ...children]));
  const head = new Uint8Array(sniffBytes);
  head.set(header.subarray(0, sniffBytes));
  return head;
}

describe('classifyContent on the fixtures', () => {
  it.each([
    ['library/Artist A/Album One/02 Second.flac', 'audio', 'audio/flac'],
    ['library/Artist B/Third.ogg', 'audio', 'audio/ogg'],
    ['library/Various/Sixth.wav', 'audio', 'audio/wav'],
    ['library/Artist A/Album One/cover.jpg', 'image', 'image/jpeg'],
    ['vbr-no-xing.mp3', 'audio', 'audio/mpeg'],
    ['bad/renamed-ogg.mp3', 'audio', 'audio/ogg'],
    ['bad/noext-audio', 'audio', 'audio/flac'],
    ['bad/picture.mp3', 'image', 'image/jpeg'],
  ] as [string, FileClass, string][])('recognises %s as %s (%s) from its bytes alone', async (path, fileClass, mime) => {
    expect(await classifyContent(await headOf(path))).toEqual({ fileClass, mime, settled: true });
  });

  it('sees the MP3 behind an ID3v2 tag once the tag is skipped', async () => {
    const file = new Uint8Array(await readFile(join(fixtures, 'library/Artist A/Album One/01 First.mp3')));
    const start = tagInFront(file);
    expect(start).toBeGreaterThan(0);
    expect(await classifyContent(file.subarray(start, start + sniffBytes))).toEqual({ fileClass: 'audio', mime: 'audio/mpeg', settled: true });
  });

  it.each(['library/Artist B/Fourth.opus'])('recognises %s as audio from its bytes', async (path) => {
    expect(await classifyContent(await headOf(path))).toMatchObject({ fileClass: 'audio', settled: true });
  });

  it('takes an M4A (its brand says audio) as audio, and leaves an MP4 to ffmpeg: it may hold a video', async () => {
    expect(await classifyContent(await headOf('library/Various/Fifth.m4a'))).toMatchObject({ fileClass: 'audio', settled: true });
    const ftyp = new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypisom'), 0, 0, 2, 0, ...new TextEncoder().encode('isomiso2')]);
    expect(await classifyContent(ftyp)).toEqual({ fileClass: 'audio', mime: 'video/mp4', settled: false });
  });

  it.each([
    ['its streams\' properties past the first 4 KB (a Windows Media Player rip: tags and cover first)', 'application/vnd.ms-asf', [fileProperties(), asfObject(extendedContentDescription, 40_000)]],
    ['an audio stream first (a WMA, or a WMV whose audio comes first)', 'audio/x-ms-asf', [fileProperties(), streamProperties(audioMedia), streamProperties(videoMedia)]],
    ['a video stream first', 'video/x-ms-asf', [fileProperties(), streamProperties(videoMedia), streamProperties(audioMedia)]],
  ])('leaves an ASF with %s to ffmpeg: it may hold audio only, or video', async (_, mime, objects) => {
    expect(await classifyContent(asfHead(objects))).toEqual({ fileClass: 'audio', mime, settled: false });
  });

  it.each(['bad/text.flac', 'library/notes.txt'])('settles text (%s) as other, whatever its name says', async (path) => {
    expect(await classifyContent(await headOf(path))).toEqual({ fileClass: 'other', mime: null, settled: true });
  });

  it.each(['bad/random.flac', 'bad/empty.mp3'])('leaves bytes nothing recognises (%s) to ffmpeg', async (path) => {
    expect(await classifyContent(await headOf(path))).toEqual({ fileClass: 'other', mime: null, settled: false });
  });
});

describe('tagInFront', () => {
  it('measures an ID3v2 tag and an APEv2 header, and finds none in front of bare audio', async () => {
    const ape = new Uint8Array(64);
    ape.set(new TextEncoder().encode('APETAGEX'));
    ape.set([0xd0, 0x07, 0, 0], 8); // version 2000
    ape.set([100, 0, 0, 0], 12); // items and footer: 100 bytes
    expect(tagInFront(ape)).toBe(132);
    expect(tagInFront(await headOf('library/Artist A/Album One/02 Second.flac'))).toBe(0);
  });
});
