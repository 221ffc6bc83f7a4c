// The steps of an unchanged rescan timed one by one for bench/import.ts, in plain Node on the built
// JavaScript: the walk (a sorted listing and an lstat per file), the read of what the database
// knows (page by page), and the comparison, which is the survey that merges the two (the whole
// survey's time less the walk's and the read's); and, as the floor, fdir's listing and an lstat
// per file alone. Prints one JSON line.
//   node bench/rescan-steps-child.mjs ROOT DATABASE
import { lstatSync } from 'node:fs';
import { fdir } from 'fdir';
import { openReadOnlyDatabase } from '../dist/db/setup.js';
import { knownFilesInOrder } from '../dist/db/queries/files.js';
import { emptySurvey, surveyFolder } from '../dist/scan/plan.js';
import { walkSorted } from '../dist/scan/walk.js';

const [root, database] = process.argv.slice(2);
const timed = async (run) => {
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
};
// The floor: the same listing and one lstat per file, nothing built.
const floor = await timed(async () => {
  const paths = await new fdir().withFullPaths().crawl(root).withPromise();
  for (const path of paths) lstatSync(path, { throwIfNoEntry: false });
  return paths.length;
});
const db = openReadOnlyDatabase(database);
const walk = await timed(async () => {
  let files = 0;
  for await (const run of walkSorted(root, root, database)) files += run.entries.length;
  return files;
});
const read = await timed(async () => {
  let rows = 0;
  for (const file of knownFilesInOrder(db, '')) rows += file.path.length > 0 ? 1 : 0;
  return rows;
});
const survey = await timed(async () => {
  const counts = emptySurvey();
  await surveyFolder(walkSorted(root, root, database), knownFilesInOrder(db, ''), 'tags', counts, async () => {});
  return counts;
});
db.close();
process.stdout.write(`${JSON.stringify({
  files: walk.result, floorMs: floor.ms, walkMs: walk.ms, readMs: read.ms, compareMs: Math.max(0, survey.ms - walk.ms - read.ms),
  unchanged: survey.result.unchanged,
})}\n`);
