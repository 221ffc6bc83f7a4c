/**
 * The one interface both decoders sit behind (ffmpeg.ts, wasm.ts), their registry, and the
 * choice between them: a file in, its audio out as mono Float32 chunks at the analysis rate,
 * streamed, so that a long file is never held decoded whole.
 */
import { InvalidInputError } from '../../errors.js';
import { ffmpegDecoder } from './ffmpeg.js';
import { wasmDecoder } from './wasm.js';

export { DecodeError } from './decode-error.js';

export type DecoderName = 'ffmpeg' | 'wasm';

export interface DecodeOptions {
  /** The analysis rate the chunks come at, e.g. 11025. */
  sampleRate: number;
  /** Aborting stops the decode: the iteration rejects with the signal's reason, a child is killed. */
  signal?: AbortSignal;
  /** The content type sniffed from the bytes, e.g. `audio/flac`; the wasm decoder sniffs when absent. */
  mime?: string;
}

/** Whether a decoder can run on this machine; `reason` is one line saying why not. */
export type DecoderProbe = { available: true } | { available: false; reason: string };

export interface Decoder {
  readonly name: DecoderName;
  /** Checked once per decoder and process, then remembered. */
  probe(): Promise<DecoderProbe>;
  /**
   * Mono Float32 chunks in [-1, 1] at `options.sampleRate`, in order; their total length is the
   * decoded duration. Channels are averaged. Rejects with a `DecodeError` naming the file.
   */
  decode(path: string, options: DecodeOptions): AsyncIterable<Float32Array>;
}

/** In the order `auto` tries them: ffmpeg when it runs here, else the WebAssembly codecs `npm ci` installs. */
export const decoders: readonly Decoder[] = [ffmpegDecoder, wasmDecoder];

export type DecoderPreference = 'auto' | DecoderName;

/** The decoder to use: `auto` takes the first available one; a named one must be available. */
export async function chooseDecoder(preference: DecoderPreference, registry: readonly Decoder[] = decoders): Promise<Decoder> {
  const candidates = preference === 'auto' ? registry : registry.filter((decoder) => decoder.name === preference);
  const reasons: string[] = [];
  for (const decoder of candidates) {
    const probe = await decoder.probe();
    if (probe.available) return decoder;
    reasons.push(probe.reason);
  }
  const why = reasons.length > 0 ? reasons.join('; ') : 'no such decoder';
  throw new InvalidInputError('startup', `choosing the decoder: --decoder ${preference} cannot run here (${why}); install ffmpeg or use --decoder wasm`);
}
