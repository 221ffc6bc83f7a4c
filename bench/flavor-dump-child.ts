/**
 * One dump reading in a process of its own, for bench/flavor.ts: its peak memory is then the
 * reading's. Args: <wkmp.db> <archive> [all]. Prints one JSON line: the summary, the documents per
 * second, the peak and the starting resident set size (MB).
 */
import { openWkmpDatabase } from '../src/db/setup.js';
import { importDump } from '../src/flavoring/dump.js';

const [database, file, mode] = process.argv.slice(2);
if (database === undefined || file === undefined) throw new Error('usage: flavor-dump-child.ts <wkmp.db> <archive> [all]');
const db = openWkmpDatabase(database);
const startRssMb = process.memoryUsage().rss / 1e6;
try {
  const summary = await importDump({ db, file, all: mode === 'all' });
  const seconds = summary.durationMs / 1000;
  process.stdout.write(`${JSON.stringify({
    summary, documentsPerSecond: seconds > 0 ? summary.members / seconds : 0, megabytesPerSecond: seconds > 0 ? summary.bytesRead / 1e6 / seconds : 0,
    peakRssMb: process.resourceUsage().maxRSS / 1000, startRssMb,
  })}\n`);
} finally {
  await db.close();
}
