/**
 * The generated library the import and service benches run on: N small tagged WAV files, 20 to an
 * album folder, with cover images beside them (a tenth as many as the audio files by default, as
 * real libraries have a front and a back cover per album or so).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A RIFF WAVE file: 0.25 s of 8 kHz 8-bit mono noise unique to `n`, with an INFO title and artist. */
function tinyWav(n: number): Buffer {
  const samples = Buffer.alloc(2000);
  let seed = n * 2654435761 + 1;
  for (let i = 0; i < samples.length; i += 1) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    samples[i] = 96 + (seed >>> 25);
  }
  const info = (id: string, text: string) => {
    const body = Buffer.from(`${text}\0`);
    const padded = body.length % 2 === 0 ? body : Buffer.concat([body, Buffer.alloc(1)]);
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, padded]);
  };
  const list = Buffer.concat([Buffer.from('INFO'), info('INAM', `Track ${n}`), info('IART', `Artist ${n % 500}`)]);
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8); // PCM
  fmt.writeUInt16LE(1, 10); // mono
  fmt.writeUInt32LE(8000, 12);
  fmt.writeUInt32LE(8000, 16);
  fmt.writeUInt16LE(1, 20);
  fmt.writeUInt16LE(8, 22);
  const chunk = (id: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  const riffBody = Buffer.concat([Buffer.from('WAVE'), fmt, chunk('LIST', list), chunk('data', samples)]);
  return chunk('RIFF', riffBody);
}

/** A small JPEG (start of image, a JFIF header, a comment unique to `n`, end of image): what a cover looks like to a sniffer. */
function tinyJpeg(n: number): Buffer {
  const comment = Buffer.from(`cover ${n}`);
  const com = Buffer.alloc(4);
  com.writeUInt16BE(0xfffe, 0);
  com.writeUInt16BE(comment.length + 2, 2);
  const jfif = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), jfif, com, comment, Buffer.from([0xff, 0xd9])]);
}

function albumFolder(root: string, album: number): string {
  return join(root, `Artist ${String(album % 500).padStart(3, '0')}`, `Album ${String(album).padStart(4, '0')}`);
}

/** `files` WAV files, 20 to an album folder, and `images` JPEG covers spread over those folders. */
export function generateLibrary(files: number, images = Math.floor(files / 10)): string {
  const root = mkdtempSync(join(tmpdir(), 'wkmp-bench-library-'));
  const albums = Math.max(1, Math.ceil(files / 20));
  for (let n = 0; n < files; n += 1) {
    const folder = albumFolder(root, Math.floor(n / 20));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `Track ${String(n).padStart(5, '0')}.wav`), tinyWav(n));
  }
  for (let n = 0; n < images; n += 1) {
    const folder = albumFolder(root, n % albums);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `cover ${Math.floor(n / albums)}.jpg`), tinyJpeg(n));
  }
  return root;
}
