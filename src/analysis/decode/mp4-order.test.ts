import { readFileSync } from 'node:fs';
import decode from 'audio-decode';
import { describe, expect, it } from 'vitest';
import { listTopLevelBoxes, planMp4Stream, shiftChunkOffsets, type ReadAt, type StreamSegment } from './mp4-order.js';

// ffmpeg writes its index (moov) after the audio (mdat) unless told -movflags +faststart
const m4a = new Uint8Array(readFileSync(new URL('../../../test/fixtures/library/Various/Fifth.m4a', import.meta.url)));

function readerOf(bytes: Uint8Array): ReadAt {
  return (position, length) => Promise.resolve(bytes.slice(position, position + length));
}

function join(bytes: Uint8Array, segments: readonly StreamSegment[]): Uint8Array {
  const parts = segments.map((segment) => (segment.kind === 'bytes' ? segment.bytes : bytes.subarray(segment.start, segment.end)));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The `stco` entries of the first track, found by their box name. */
function chunkOffsets(moov: Uint8Array): number[] {
  const at = Buffer.from(moov).indexOf('stco') + 4;
  const data = new DataView(moov.buffer, moov.byteOffset);
  const count = data.getUint32(at + 4);
  return Array.from({ length: count }, (_, i) => data.getUint32(at + 8 + 4 * i));
}

async function decodedFrames(bytes: Uint8Array, pieceBytes: number): Promise<{ frames: number; largestCall: number }> {
  const codec = await decode.m4a();
  let frames = 0;
  let largestCall = 0;
  for (let at = 0; at <= bytes.length; at += pieceBytes) {
    const piece = at < bytes.length ? await codec(bytes.subarray(at, at + pieceBytes)) : await codec();
    const length = piece.channelData[0]?.length ?? 0;
    frames += length;
    largestCall = Math.max(largestCall, length);
  }
  return { frames, largestCall };
}

describe('listTopLevelBoxes', () => {
  it('lists the fixture boxes with the index after the audio', async () => {
    const boxes = await listTopLevelBoxes(readerOf(m4a), m4a.length);
    expect(boxes.map((box) => box.type)).toEqual(['ftyp', 'free', 'mdat', 'moov']);
    expect(boxes.reduce((sum, box) => sum + box.size, 0)).toBe(m4a.length);
  });

  it('stops at a box that runs past the end of a truncated file', async () => {
    const cut = m4a.subarray(0, m4a.length - 10);
    expect((await listTopLevelBoxes(readerOf(cut), cut.length)).map((box) => box.type)).toEqual(['ftyp', 'free', 'mdat']);
  });
});

describe('shiftChunkOffsets', () => {
  it('moves only the offsets inside the shifted range', async () => {
    const boxes = await listTopLevelBoxes(readerOf(m4a), m4a.length);
    const moovBox = boxes.find((box) => box.type === 'moov');
    const moov = m4a.slice(moovBox?.start, (moovBox?.start ?? 0) + (moovBox?.size ?? 0));
    const before = chunkOffsets(moov);
    const [first = 0] = before;
    shiftChunkOffsets(moov, { from: first + 1, to: Number.MAX_SAFE_INTEGER, delta: 100 });
    expect(chunkOffsets(moov)).toEqual(before.map((offset) => (offset > first ? offset + 100 : offset)));
  });
});

async function reorderedFixture(): Promise<Uint8Array> {
  const plan = await planMp4Stream(readerOf(m4a), m4a.length);
  if (plan.layout !== 'index-last') throw new Error(`expected the fixture's index last, got ${plan.layout}`);
  return join(m4a, plan.segments);
}

describe('planMp4Stream', () => {
  it('streams the index first, with every byte of the file once', async () => {
    const plan = await planMp4Stream(readerOf(m4a), m4a.length);
    expect(plan.layout === 'index-last' && plan.segments.map((segment) => segment.kind)).toEqual(['file', 'bytes', 'file']);
    const reordered = await reorderedFixture();
    expect(reordered.length).toBe(m4a.length);
    expect((await listTopLevelBoxes(readerOf(reordered), reordered.length)).map((box) => box.type)).toEqual(['ftyp', 'free', 'moov', 'mdat']);
  });

  it('decodes the reordered stream to the same audio, a piece at a time instead of all at the end', async () => {
    const asWritten = await decodedFrames(m4a, 1024);
    const indexFirst = await decodedFrames(await reorderedFixture(), 1024);
    expect(indexFirst.frames).toBe(88200);
    expect(asWritten.frames).toBe(88200);
    expect(asWritten.largestCall).toBe(88200);
    expect(indexFirst.largestCall).toBeLessThan(10_000);
  });

  it('leaves a file that already has its index first as it is', async () => {
    const reordered = await reorderedFixture();
    expect(await planMp4Stream(readerOf(reordered), reordered.length)).toEqual({ layout: 'index-first' });
  });

  it('reports a file cut before its index', async () => {
    const cut = m4a.subarray(0, 5000);
    expect(await planMp4Stream(readerOf(cut), cut.length)).toEqual({ layout: 'no-index' });
  });
});
