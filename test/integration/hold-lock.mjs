// Another WKMP service, as the import sees it: a separate process that takes the write lock of
// wkmp.db and keeps it for a while. Usage: node hold-lock.mjs <db> [holdMs]
// Prints "locked" once BEGIN IMMEDIATE succeeded and "released" after COMMIT.
import Database from 'better-sqlite3';

const [dbPath, holdArg] = process.argv.slice(2);
if (!dbPath) {
  process.stderr.write('usage: node hold-lock.mjs <db> [holdMs]\n');
  process.exit(2);
}
const holdMs = Number(holdArg ?? 2000);
const db = new Database(dbPath, { fileMustExist: true });
db.pragma('busy_timeout = 10000');
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\n');
}, holdMs);
