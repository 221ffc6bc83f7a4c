import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffWasmFormat, wasmFormatOf, wasmSniffBytes, type WasmFormat } from './wasm-format.js';

function head(relative: string): Uint8Array {
  const bytes = readFileSync(new URL(`../../../test/fixtures/${relative}`, import.meta.url));
  return new Uint8Array(bytes.subarray(0, wasmSniffBytes));
}

const fixtures: [string, WasmFormat][] = [
  ['library/Artist A/Album One/01 First.mp3', 'mp3'],
  ['vbr-no-xing.mp3', 'mp3'],
  ['library/Artist A/Album One/02 Second.flac', 'flac'],
  ['library/Artist B/Third.ogg', 'oga'],
  ['library/Artist B/Fourth.opus', 'opus'],
  ['library/Various/Fifth.m4a', 'm4a'],
  ['library/Various/Sixth.wav', 'wav'],
  ['bad/renamed-ogg.mp3', 'oga'],
];

describe('sniffWasmFormat', () => {
  it.each(fixtures)('reads %s as %s from its first bytes', (relative, format) => {
    expect(sniffWasmFormat(head(relative))).toBe(format);
  });

  it('knows no format in random bytes, text, a JPEG or an empty file', () => {
    expect(sniffWasmFormat(head('bad/random.flac'))).toBeUndefined();
    expect(sniffWasmFormat(head('bad/text.flac'))).toBeUndefined();
    expect(sniffWasmFormat(head('bad/picture.mp3'))).toBeUndefined();
    expect(sniffWasmFormat(new Uint8Array(0))).toBeUndefined();
  });

  it('does not take ADTS AAC (layer bits 00) for MP3', () => {
    expect(sniffWasmFormat(Uint8Array.from([0xff, 0xf1, 0x50, 0x80]))).toBeUndefined();
    expect(sniffWasmFormat(Uint8Array.from([0xff, 0xfb, 0x90, 0x64]))).toBe('mp3');
  });
});

describe('wasmFormatOf', () => {
  it('follows an unambiguous content type', () => {
    expect(wasmFormatOf('audio/flac', new Uint8Array(0))).toBe('flac');
    expect(wasmFormatOf('audio/ogg; codecs=opus', new Uint8Array(0))).toBe('opus');
    expect(wasmFormatOf('audio/x-m4a', new Uint8Array(0))).toBe('m4a');
  });

  it('looks at the bytes for audio/ogg, which may be Vorbis or Opus', () => {
    expect(wasmFormatOf('audio/ogg', head('library/Artist B/Third.ogg'))).toBe('oga');
    expect(wasmFormatOf('audio/ogg', head('library/Artist B/Fourth.opus'))).toBe('opus');
  });

  it('has no format for a type it does not read', () => {
    expect(wasmFormatOf('audio/aiff', Uint8Array.from([0x46, 0x4f, 0x52, 0x4d]))).toBeUndefined();
  });
});
