// One timed import for bench/import.ts, in plain Node on the built JavaScript, so that the peak
// memory measured is the importer's own and not tsx's. Prints one JSON line.
import { runImport } from '../dist/import/run.js';

const [root, database, jobs] = process.argv.slice(2);
const started = performance.now();
let analysingAt = null;
let analysedAt = null;
const summary = await runImport({
  rootFolder: root,
  database,
  ...(jobs ? { jobs: Number(jobs) } : {}),
  onEvent: (event) => {
    if (event.type !== 'ImportProgressUpdate') return;
    const { phase, filesDone, filesTotal } = event.progress;
    if (phase === 'analysing') analysingAt ??= performance.now();
    if (phase === 'analysing' && filesDone === filesTotal) analysedAt = performance.now();
  },
});
const ended = performance.now();
const analysing = analysingAt ?? ended;
const analysed = analysedAt ?? analysing;
process.stdout.write(`${JSON.stringify({
  summary,
  phasesMs: { scanAndPlan: analysing - started, analyseAndRecord: analysed - analysing, finish: ended - analysed },
  peakRssMb: process.resourceUsage().maxRSS / 1024,
})}\n`);
