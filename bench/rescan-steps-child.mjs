// The steps of an unchanged rescan timed one by one for bench/import.ts, in plain Node on the built
// JavaScript: the walk (fdir and an lstat per file), the read of what the database knows, and the
// comparison (the plan); and, as the floor, the walk's listing and lstat alone. Prints one JSON line.
//   node bench/rescan-steps-child.mjs ROOT DATABASE
import { lstatSync } from 'node:fs';
import { fdir } from 'fdir';
import { openReadOnlyDatabase } from '../dist/db/setup.js';
import { listFileIdentities, listKnownFiles, listMissingFiles } from '../dist/db/queries/files.js';
import { planChanges } from '../dist/scan/plan.js';
import { walkLibrary } from '../dist/scan/walk.js';

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
const walk = await timed(() => walkLibrary(root, root, database));
const read = await timed(() => ({ known: listKnownFiles(db, ''), missing: listMissingFiles(db) }));
const compare = await timed(() => planChanges(walk.result.entries, read.result.known, 'tags', read.result.missing, (guids) => listFileIdentities(db, guids)));
db.close();
process.stdout.write(`${JSON.stringify({
  files: walk.result.entries.length, floorMs: floor.ms, walkMs: walk.ms, readMs: read.ms, compareMs: compare.ms,
  unchanged: compare.result.unchanged,
})}\n`);
