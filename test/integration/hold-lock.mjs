// Another WKMP service, as the import sees it: a separate process that takes the write lock of
// wkmp.db and keeps it until it is told to let go. Usage: node hold-lock.mjs <db>
// Prints "locked" once BEGIN IMMEDIATE succeeded; commits and prints "released" when a line
// arrives on stdin (or stdin closes: the test is gone).
import Database from 'better-sqlite3';

const [dbPath] = process.argv.slice(2);
if (!dbPath) {
  process.stderr.write('usage: node hold-lock.mjs <db>\n');
  process.exit(2);
}
const db = new Database(dbPath, { fileMustExist: true });
db.pragma('busy_timeout = 10000');
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
let released = false;
function release() {
  if (released) return;
  released = true;
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\n');
  process.stdin.destroy();
}
process.stdin.on('data', release);
process.stdin.on('end', release);
