import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { oggDurationSeconds } from './ogg-duration.js';

const fixture = (path: string): string => fileURLToPath(new URL(`../../test/fixtures/${path}`, import.meta.url));

/** The duration of `bytes` as the tags pass reads it: the head, then the tail by seeking; the reads are counted. */
async function durationOf(bytes: Uint8Array, sampleRate: number | null): Promise<{ seconds: number | null; bytesRead: number }> {
  let bytesRead = 0;
  const readAt = (position: number, length: number): Promise<Uint8Array> => {
    const part = bytes.subarray(position, position + length);
    bytesRead += part.length;
    return Promise.resolve(part);
  };
  const head = await readAt(0, 4096);
  return { seconds: await oggDurationSeconds(head, bytes.length, sampleRate, readAt), bytesRead };
}

describe('oggDurationSeconds', () => {
  it('reads a Vorbis file\'s duration from its last page', async () => {
    const { seconds } = await durationOf(new Uint8Array(await readFile(fixture('library/Artist B/Third.ogg'))), 44_100);
    expect(seconds).toBeCloseTo(2, 3);
  });

  it('counts an Opus file at 48 kHz less its pre-skip, whatever rate the header names', async () => {
    const { seconds } = await durationOf(new Uint8Array(await readFile(fixture('library/Artist B/Fourth.opus'))), 16_000);
    expect(seconds).toBeCloseTo(2, 2);
  });

  it('reads the head and the last 64 KiB of a long file, not what lies between', async () => {
    const file = new Uint8Array(await readFile(fixture('library/Artist B/Third.ogg')));
    // 8 MiB between the first pages and the last: never read.
    const long = new Uint8Array(file.length + 8 * 2 ** 20);
    long.set(file.subarray(0, 4096));
    long.set(file.subarray(4096), long.length - (file.length - 4096));
    const { seconds, bytesRead } = await durationOf(long, 44_100);
    expect(seconds).toBeCloseTo(2, 3);
    expect(bytesRead).toBeLessThanOrEqual(4096 + 65_307);
  });

  it('says nothing for a file that is not Ogg, or whose last page is gone', async () => {
    const flac = new Uint8Array(await readFile(fixture('library/Artist A/Album One/02 Second.flac')));
    expect((await durationOf(flac, 44_100)).seconds).toBeNull();
    const ogg = new Uint8Array(await readFile(fixture('library/Artist B/Third.ogg')));
    expect((await durationOf(ogg, null)).seconds).toBeNull();
  });
});
