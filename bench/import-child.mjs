// One timed import for bench/import.ts and bench/analysis.ts, in plain Node on the built
// JavaScript, so that the peak memory measured is the importer's own (main thread and workers;
// not ffmpeg's) and not tsx's. Prints one JSON line.
//   node bench/import-child.mjs ROOT DATABASE [JOBS] [ANALYSIS full|tags] [FFMPEG]   (FFMPEG '' for the one the import finds)
import { runImport } from '../dist/import/run.js';
import { cpuSeconds } from './analysis-files.mjs';

const [root, database, jobs, analysis = 'full', ffmpeg = ''] = process.argv.slice(2);
const cpuBefore = cpuSeconds();
const started = performance.now();
let analysingAt = null;
let analysedAt = null;
const summary = await runImport({
  rootFolder: root,
  database,
  analysis,
  ...(ffmpeg ? { ffmpeg } : {}),
  ...(jobs ? { jobs: Number(jobs) } : {}),
  onEvent: (event) => {
    if (event.type !== 'ImportProgressUpdate') return;
    const { phase, filesDone, filesTotal } = event.progress;
    if (phase === 'analysing') analysingAt ??= performance.now();
    if (phase === 'analysing' && filesDone === filesTotal) analysedAt ??= performance.now();
  },
});
const ended = performance.now();
const cpuAfter = cpuSeconds();
const analysing = analysingAt ?? ended;
const analysed = analysedAt ?? analysing;
process.stdout.write(`${JSON.stringify({
  summary,
  wallMs: ended - started,
  phasesMs: { scanAndPlan: analysing - started, analyseAndRecord: analysed - analysing, finish: ended - analysed },
  cpuSeconds: {
    node: cpuAfter.self - cpuBefore.self,
    children: cpuAfter.children === null || cpuBefore.children === null ? null : cpuAfter.children - cpuBefore.children,
  },
  peakRssMb: process.resourceUsage().maxRSS / 1024,
})}\n`);
