import { describe, expect, it } from 'vitest';
import { PieceSize } from './wasm.js';

describe('PieceSize', () => {
  it('keeps the format piece while pages straddle pieces, doubles past 64 KiB without audio, up to 4 MiB', () => {
    const size = new PieceSize(4096);
    const seen: number[] = [];
    for (let i = 0; i < 30; i++) {
      seen.push(size.bytes);
      size.record(size.bytes, false);
    }
    expect(seen.slice(0, 16)).toEqual(Array.from({ length: 16 }, () => 4096));
    expect(seen.slice(16, 19)).toEqual([8192, 16384, 32768]);
    expect(size.bytes).toBe(4 * 1024 * 1024);
    expect(size.bytesWithoutAudio).toBe(seen.reduce((sum, bytes) => sum + bytes, 0));
  });

  it('goes back to the format piece once audio comes out', () => {
    const size = new PieceSize(4096);
    for (let i = 0; i < 20; i++) size.record(size.bytes, false);
    expect(size.bytes).toBeGreaterThan(4096);
    size.record(size.bytes, true);
    expect(size.bytes).toBe(4096);
    expect(size.bytesWithoutAudio).toBe(0);
  });
});
