// Build step: the analysis worker as one bundle (dist/worker/). A worker thread compiles every
// module it loads, and the compiled sources load as some 200 files (music-metadata, file-type,
// strtok3…): as one file a worker answers its first file 0.1 s sooner, which is a fifth of a tags
// pass of a few hundred files (docs/adr/0006). The parts a tags pass never runs (the audio
// analysis, Chromaprint, the cue-sheet parser) stay separate chunks, loaded on first use.
import { build } from 'esbuild';

await build({
  entryPoints: { worker: 'src/analysis/worker.ts' },
  outdir: 'dist/worker',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Bundled CommonJS dependencies (debug, iconv-lite) require Node's modules; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
