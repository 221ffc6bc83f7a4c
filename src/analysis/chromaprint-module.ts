/**
 * Chromaprint compiled to WebAssembly (from @unimusic/chromaprint 0.1.4), loaded for Node.
 *
 * The package's own entry (`processAudioFile`) decodes with the browser's AudioContext, and its
 * emscripten glue (`dist/chromaprint.js`) was built for the web only: in Node it throws "not
 * compiled for this environment", and once tricked past that check it defines ~170 warning getters
 * (`buffer`, `asm`, `addFunction`, …) on `globalThis`. So this module uses only the package's
 * `dist/chromaprint.wasm` and instantiates it itself, answering the 15 functions the wasm imports
 * (memory growth, clocks, random bytes, stderr, abort) with the small runtime below. Nothing is
 * written to globals: the only state is the cached instance promise, one per thread (each worker
 * thread has its own module registry, hence its own instance).
 *
 * The wasm exports chromaprint's C API (chromaprint.h) and libc's malloc/free; pointers are byte
 * offsets into `memory`. Memory can grow during any call that allocates, which detaches
 * `memory.buffer`: take a fresh view after every call, never keep one.
 */
import { randomFillSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** The few members of the WebAssembly JS API used here (@types/node 20 declares none, and lib.dom is not loaded). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
type WasmImports = Record<string, Record<string, (...args: never[]) => unknown>>;
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  instantiate(bytes: Uint8Array, imports: WasmImports): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The part of the wasm's exports wkmp-ai uses: chromaprint.h's functions and libc's allocator. */
export interface ChromaprintModule {
  readonly memory: WasmMemory;
  /** `ChromaprintContext *chromaprint_new(int algorithm)`; 0 when out of memory. */
  chromaprint_new(algorithm: number): number;
  /** `void chromaprint_free(ChromaprintContext *ctx)`. */
  chromaprint_free(ctx: number): void;
  /** `int chromaprint_start(ctx, int sample_rate, int num_channels)`: 1 on success. Also resets the context. */
  chromaprint_start(ctx: number, sampleRate: number, numChannels: number): number;
  /** `int chromaprint_feed(ctx, const int16_t *data, int size)`: `size` counts samples over all channels. */
  chromaprint_feed(ctx: number, data: number, size: number): number;
  /** `int chromaprint_finish(ctx)`: flushes the buffered audio; 1 on success. */
  chromaprint_finish(ctx: number): number;
  /** `int chromaprint_get_fingerprint(ctx, char **fingerprint)`: base64url text, malloc'd (free it). */
  chromaprint_get_fingerprint(ctx: number, fingerprintOut: number): number;
  /** `int chromaprint_get_raw_fingerprint(ctx, uint32_t **fingerprint, int *size)`: malloc'd array (free it). */
  chromaprint_get_raw_fingerprint(ctx: number, fingerprintOut: number, sizeOut: number): number;
  malloc(size: number): number;
  free(ptr: number): void;
}

/** CHROMAPRINT_ALGORITHM_DEFAULT (= TEST2), what fpcalc and AcoustID use. */
export const CHROMAPRINT_ALGORITHM_DEFAULT = 1;

const WASM_PAGE = 65536;
/** emscripten's getHeapMax() for this build. */
const HEAP_MAX = 2 ** 31;
/** WASI errno values. */
const ERRNO_BADF = 8;
const ERRNO_SPIPE = 70;

/** Something inside the wasm called abort()/exit() or threw a C++ exception (in practice: out of memory). */
export class ChromaprintAbort extends Error {
  override name = 'ChromaprintAbort';
}

let cached: Promise<ChromaprintModule> | undefined;

/**
 * The thread's chromaprint instance, instantiated on first use (~100 KB of wasm, a few ms). Every
 * caller in the thread shares it; contexts created from it are independent. A failed load is not
 * cached, so a later call retries.
 */
export function loadChromaprint(): Promise<ChromaprintModule> {
  if (cached === undefined) {
    const loading = createChromaprint();
    cached = loading;
    loading.catch(() => {
      if (cached === loading) cached = undefined;
    });
  }
  return cached;
}

const require = createRequire(import.meta.url);

/**
 * A new, independent chromaprint instance (not cached). Its memory (16 MB at first, grown to the
 * peak of contexts open at once, never shrunk) is released when the instance is garbage-collected:
 * use this instead of `loadChromaprint` to drop a heap that a burst of open passages has grown.
 */
export async function createChromaprint(): Promise<ChromaprintModule> {
  const bytes = await readFile(require.resolve('@unimusic/chromaprint/dist/chromaprint.wasm'));
  const instantiated: { memory?: WasmMemory } = {};
  const runtime = chromaprintRuntime(instantiated);
  const { instance } = await wasmApi.instantiate(bytes, { env: runtime, wasi_snapshot_preview1: runtime });
  const exports = instance.exports;
  const exported = exports.memory;
  if (!(exported instanceof wasmApi.Memory)) throw new Error('chromaprint wasm exports no memory');
  const memory = exported;
  instantiated.memory = memory;
  const fn = (name: string): ((...args: number[]) => number) => {
    const f = exports[name];
    if (typeof f !== 'function') throw new Error(`chromaprint wasm does not export ${name}`);
    return f as (...args: number[]) => number;
  };
  // What emscripten's run() does before main: set up the stack bounds, then run static constructors.
  fn('emscripten_stack_init')();
  fn('__wasm_call_ctors')();
  return {
    memory,
    chromaprint_new: fn('chromaprint_new'),
    chromaprint_free: fn('chromaprint_free'),
    chromaprint_start: fn('chromaprint_start'),
    chromaprint_feed: fn('chromaprint_feed'),
    chromaprint_finish: fn('chromaprint_finish'),
    chromaprint_get_fingerprint: fn('chromaprint_get_fingerprint'),
    chromaprint_get_raw_fingerprint: fn('chromaprint_get_raw_fingerprint'),
    malloc: fn('malloc'),
    free: fn('free'),
  };
}

/**
 * The functions the wasm imports (module `env` and `wasi_snapshot_preview1`), in place of
 * emscripten's glue: memory growth as emscripten does it, clocks, random bytes, an empty
 * environment, stdout/stderr kept (last 8 lines) for error messages instead of printed, and
 * abort/exit/C++ throw as a thrown `ChromaprintAbort`. `instance.memory` is set once instantiated.
 */
export function chromaprintRuntime(instance: { memory?: WasmMemory }) {
  const mem = (): WasmMemory => {
    if (instance.memory === undefined) throw new ChromaprintAbort('chromaprint called its runtime before it was instantiated');
    return instance.memory;
  };
  const output: string[] = [];
  let pending: number[] = [];
  const emit = (line: string): void => {
    output.push(line);
    if (output.length > 8) output.shift();
  };
  const abort = (what: string): never => {
    const tail = output.length > 0 ? ` (chromaprint wrote: ${output.join(' | ')})` : '';
    throw new ChromaprintAbort(`chromaprint aborted: ${what}${tail}`);
  };
  return {
    emscripten_resize_heap(requested: number): number {
      const m = mem();
      const oldSize = m.buffer.byteLength;
      const wanted = requested >>> 0;
      if (wanted > HEAP_MAX) return 0;
      // As emscripten does: over-allocate by up to 20 %, so that a growing heap is not grown on every call.
      for (let cutDown = 1; cutDown <= 4; cutDown *= 2) {
        const overGrown = Math.min(oldSize * (1 + 0.2 / cutDown), wanted + 100_663_296);
        const newSize = Math.min(HEAP_MAX, Math.ceil(Math.max(wanted, overGrown) / WASM_PAGE) * WASM_PAGE);
        try {
          m.grow(Math.ceil((newSize - oldSize) / WASM_PAGE));
          return 1;
        } catch {
          // try a smaller step
        }
      }
      return 0;
    },
    fd_write(_fd: number, iov: number, iovcnt: number, written: number): number {
      const m = mem();
      const words = new Uint32Array(m.buffer);
      const bytes = new Uint8Array(m.buffer);
      let total = 0;
      for (let i = 0; i < iovcnt; i++) {
        const ptr = words[(iov >>> 2) + i * 2]!;
        const len = words[(iov >>> 2) + i * 2 + 1]!;
        for (let j = 0; j < len; j++) {
          const byte = bytes[ptr + j]!;
          if (byte === 10) {
            emit(Buffer.from(pending).toString('utf8'));
            pending = [];
          } else {
            pending.push(byte);
          }
        }
        total += len;
      }
      words[written >>> 2] = total;
      return 0;
    },
    emscripten_err(ptr: number): void {
      emit(cString(mem(), ptr));
    },
    emscripten_get_now: (): number => performance.now(),
    emscripten_date_now: (): number => Date.now(),
    random_get(ptr: number, length: number): number {
      randomFillSync(new Uint8Array(mem().buffer, ptr, length));
      return 0;
    },
    environ_sizes_get(countOut: number, sizeOut: number): number {
      const words = new Uint32Array(mem().buffer);
      words[countOut >>> 2] = 0;
      words[sizeOut >>> 2] = 0;
      return 0;
    },
    environ_get: (): number => 0,
    fd_close: (): number => ERRNO_BADF,
    fd_seek: (): number => ERRNO_SPIPE,
    _setitimer_js: (): number => 0,
    _emscripten_runtime_keepalive_clear: (): void => undefined,
    _abort_js: (): never => abort('native code called abort()'),
    __cxa_throw: (): never => abort('C++ exception (out of memory?)'),
    proc_exit: (code: number): never => abort(`exit(${code})`),
  };
}

/** The NUL-terminated string at `ptr` (chromaprint only writes ASCII). */
export function cString(memory: WasmMemory, ptr: number): string {
  const bytes = new Uint8Array(memory.buffer);
  let end = ptr;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, ptr, end - ptr).toString('latin1');
}
