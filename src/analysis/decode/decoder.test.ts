import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../errors.js';
import { chooseDecoder, decoders, type Decoder, type DecoderName, type DecoderProbe } from './decoder.js';
import { createFfmpegDecoder } from './ffmpeg.js';
import { wasmDecoder } from './wasm.js';

function fake(name: DecoderName, probe: DecoderProbe): Decoder {
  return {
    name,
    probe: () => Promise.resolve(probe),
    decode: () => {
      throw new Error('not decoding in this test');
    },
  };
}

const missingFfmpeg = createFfmpegDecoder('/nonexistent/bin/ffmpeg');

describe('chooseDecoder', () => {
  it('lists ffmpeg first, so auto prefers it', () => {
    expect(decoders.map((decoder) => decoder.name)).toEqual(['ffmpeg', 'wasm']);
  });

  it('takes the first available decoder for auto', async () => {
    const ffmpeg = fake('ffmpeg', { available: true });
    expect(await chooseDecoder('auto', [ffmpeg, wasmDecoder])).toBe(ffmpeg);
    expect(await chooseDecoder('auto', [fake('ffmpeg', { available: false, reason: 'absent' }), wasmDecoder])).toBe(wasmDecoder);
  });

  it('falls back to wasm for auto when the ffmpeg command cannot run', async () => {
    expect(await chooseDecoder('auto', [missingFfmpeg, wasmDecoder])).toBe(wasmDecoder);
  });

  it('refuses --decoder ffmpeg without ffmpeg in one line saying what to do', async () => {
    const error: unknown = await chooseDecoder('ffmpeg', [missingFfmpeg, wasmDecoder]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    const message = (error as Error).message;
    expect(message).toMatch(/^choosing the decoder: --decoder ffmpeg cannot run here \(`\/nonexistent\/bin\/ffmpeg -version` failed: .*ENOENT.*\); install ffmpeg or use --decoder wasm$/);
    expect(message).not.toContain('\n');
  });

  it('gives the named decoder when it is available', async () => {
    expect(await chooseDecoder('wasm', [missingFfmpeg, wasmDecoder])).toBe(wasmDecoder);
    const ffmpeg = fake('ffmpeg', { available: true });
    expect(await chooseDecoder('ffmpeg', [ffmpeg, wasmDecoder])).toBe(ffmpeg);
  });

  it('probes the ffmpeg command once per decoder', async () => {
    const decoder = createFfmpegDecoder('/nonexistent/bin/ffmpeg');
    expect(decoder.probe()).toBe(decoder.probe());
    expect(await decoder.probe()).toMatchObject({ available: false });
  });
});
