/**
 * Reading an MP4 whose index (`moov`) follows its audio (`mdat`), as ffmpeg writes by default,
 * in streaming order. audio-decode's MP4 demuxer buffers such a file until `moov` arrives and then
 * decodes every frame in one call: a one-hour AAC file would come out as over a gigabyte of PCM at
 * once. Fed `moov` first (as `qt-faststart` would move it, with its chunk offsets shifted), it
 * streams frame by frame. The file is not changed: the reordered stream is a list of segments.
 */

export interface Mp4Box {
  type: string;
  start: number;
  size: number;
}

/** A piece of the reordered stream: a byte range of the file, or bytes held in memory. */
export type StreamSegment = { kind: 'file'; start: number; end: number } | { kind: 'bytes'; bytes: Uint8Array };

export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The top-level boxes, from their headers; stops at the first one that does not fit the file. */
export async function listTopLevelBoxes(readAt: ReadAt, fileSize: number): Promise<Mp4Box[]> {
  const boxes: Mp4Box[] = [];
  let position = 0;
  while (position + 8 <= fileSize) {
    const header = await readAt(position, 16);
    if (header.length < 8) break;
    let size = view(header).getUint32(0);
    if (size === 1) {
      if (header.length < 16) break;
      size = Number(view(header).getBigUint64(8));
    } else if (size === 0) {
      size = fileSize - position;
    }
    if (size < 8 || position + size > fileSize) break;
    boxes.push({ type: ascii(header, 4, 4), start: position, size });
    position += size;
  }
  return boxes;
}

const containers = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);

/** The file offsets in [from, to) move by `delta`. */
export interface OffsetShift {
  from: number;
  to: number;
  delta: number;
}

/**
 * Moves the chunk offsets (`stco`, `co64`) of a `moov` box that fall in the shifted range, in
 * place. Throws when a 32-bit offset would overflow.
 */
export function shiftChunkOffsets(moov: Uint8Array, shift: OffsetShift): void {
  const data = view(moov);
  const walk = (start: number, end: number): void => {
    let position = start;
    while (position + 8 <= end) {
      const size = data.getUint32(position);
      const type = ascii(moov, position + 4, 4);
      if (size < 8 || position + size > end) return;
      if (containers.has(type)) walk(position + 8, position + size);
      else if (type === 'stco' || type === 'co64') shiftTable(data, position + 8, position + size, type === 'co64', shift);
      position += size;
    }
  };
  walk(8, Math.min(data.getUint32(0), moov.length));
}

function shiftTable(data: DataView, start: number, end: number, wide: boolean, shift: OffsetShift): void {
  const count = data.getUint32(start + 4);
  const width = wide ? 8 : 4;
  for (let i = 0, at = start + 8; i < count && at + width <= end; i++, at += width) {
    const offset = wide ? Number(data.getBigUint64(at)) : data.getUint32(at);
    if (offset < shift.from || offset >= shift.to) continue;
    const shifted = offset + shift.delta;
    if (wide) data.setBigUint64(at, BigInt(shifted));
    else if (shifted > 0xffffffff) throw new Error('MP4 chunk offsets overflow 32 bits once its index is moved to the front');
    else data.setUint32(at, shifted);
  }
}

/** How to stream an MP4: as it is, reordered (index last), or not at all (no index: truncated or not MP4). */
export type Mp4StreamPlan =
  | { layout: 'index-first' }
  | { layout: 'index-last'; segments: StreamSegment[] }
  | { layout: 'no-index' };

/**
 * How to feed an MP4 to the demuxer. Without a `moov` the demuxer would buffer the whole file
 * waiting for one (concatenating on every piece: quadratic), so that case is reported instead.
 */
export async function planMp4Stream(readAt: ReadAt, fileSize: number): Promise<Mp4StreamPlan> {
  const boxes = await listTopLevelBoxes(readAt, fileSize);
  const moov = boxes.find((box) => box.type === 'moov');
  const mdat = boxes.find((box) => box.type === 'mdat');
  if (moov === undefined) return { layout: 'no-index' };
  if (mdat === undefined || moov.start < mdat.start) return { layout: 'index-first' };
  const bytes = await readAt(moov.start, moov.size);
  shiftChunkOffsets(bytes, { from: mdat.start, to: moov.start, delta: moov.size });
  const moovEnd = moov.start + moov.size;
  const segments: StreamSegment[] = [
    { kind: 'file', start: 0, end: mdat.start },
    { kind: 'bytes', bytes },
    { kind: 'file', start: mdat.start, end: moov.start },
    { kind: 'file', start: moovEnd, end: fileSize },
  ];
  return { layout: 'index-last', segments: segments.filter((segment) => segment.kind === 'bytes' || segment.end > segment.start) };
}
