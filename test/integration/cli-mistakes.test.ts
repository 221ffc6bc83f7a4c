/**
 * Mistakes a newcomer makes on the command line, and what wkmp-ai answers: one line naming what is
 * wrong. A database that can't be opened names its path and says why, for every command that opens
 * one; a bad option is one error line and where to read the usage, not the whole help under it.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { maxJobs } from '../../src/config/settings.js';
import { repoRoot, spawnCli, tempFolder } from './helpers.js';

type Command = 'import' | 'identify' | 'serve';

/** The arguments that make `command` open the database `db` (none: the default, `<root>/wkmp.db`). */
function argsFor(command: Command, root: string, db: string | null): string[] {
  const database = db === null ? [] : ['--db', db];
  if (command === 'identify') return ['identify', ...(db === null ? ['--root-folder', root] : database)];
  if (command === 'serve') return ['serve', '--root-folder', root, '--port', '0', ...database];
  return ['import', '--root-folder', root, '--analysis', 'tags', ...database];
}

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await spawnCli(args).exited;
  return { code, stdout, stderr };
}

/**
 * The command line as a user without root's right to write anywhere: root here (a container) runs
 * it as `nobody`, so that a folder or file without write permission is one for it too.
 */
function runAsUser(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const asRoot = process.getuid?.() === 0;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], ...(asRoot ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: '/tmp' } } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A root folder (with nothing to import: the database fails first) in a folder `nobody` may enter. */
function place(): { folder: string; root: string } {
  const folder = tempFolder();
  chmodSync(folder, 0o755);
  const root = join(folder, 'music');
  mkdirSync(root);
  return { folder, root };
}

const commands: Command[] = ['import', 'identify', 'serve'];

describe('a database that cannot be opened', () => {
  it.each(commands)('%s --db in a folder that does not exist: the path and the missing folder, in one line', async (command) => {
    const { folder, root } = place();
    const db = join(folder, 'nowhere', 'wkmp.db');
    expect(await run(argsFor(command, root, db))).toEqual({
      code: 1, stdout: '', stderr: `wkmp-ai: opening ${db}: the folder ${join(folder, 'nowhere')} does not exist\n`,
    });
  });

  it.each(commands)('%s --db naming a folder: it is a folder, not a database file', async (command) => {
    const { folder, root } = place();
    const db = join(folder, 'albums');
    mkdirSync(db);
    expect(await run(argsFor(command, root, db))).toEqual({ code: 1, stdout: '', stderr: `wkmp-ai: opening ${db}: it is a folder, not a database file\n` });
  });

  it.each(commands)('%s --db naming a file that is not SQLite: it is not an SQLite database', async (command) => {
    const { folder, root } = place();
    const db = join(folder, 'notes.txt');
    writeFileSync(db, 'These are my notes about the collection, not a database. '.repeat(20));
    expect(await run(argsFor(command, root, db))).toEqual({ code: 1, stdout: '', stderr: `wkmp-ai: opening ${db}: it is not an SQLite database\n` });
  });

  it('import --db under a file taken for a folder: that file is not a folder', async () => {
    const { folder, root } = place();
    writeFileSync(join(folder, 'music.txt'), 'text');
    const db = join(folder, 'music.txt', 'wkmp.db');
    expect(await run(argsFor('import', root, db))).toEqual({ code: 1, stdout: '', stderr: `wkmp-ai: opening ${db}: ${join(folder, 'music.txt')} is a file, not a folder\n` });
  });

  it.each(commands)('%s with the default <root>/wkmp.db, a folder there: the path and what is wrong', async (command) => {
    const { root } = place();
    mkdirSync(join(root, 'wkmp.db'));
    expect(await run(argsFor(command, root, null))).toEqual({
      code: 1, stdout: '', stderr: `wkmp-ai: opening ${join(root, 'wkmp.db')}: it is a folder, not a database file\n`,
    });
  });

  it.each(['import', 'serve'] as const)('%s into a root the user may not write in: no permission to write in that folder', async (command) => {
    const { root } = place();
    chmodSync(root, 0o555);
    expect(await runAsUser(argsFor(command, root, null))).toEqual({
      code: 1, stdout: '', stderr: `wkmp-ai: opening ${join(root, 'wkmp.db')}: no permission to write in the folder ${root}\n`,
    });
  });

  it.each(commands)('%s --db naming a database file the user may not write: no permission to write it (SQLite would open it read-only and fail later)', async (command) => {
    const { folder, root } = place();
    chmodSync(folder, 0o777);
    const db = join(folder, 'wkmp.db');
    const made = new Database(db);
    made.pragma('journal_mode = WAL');
    made.exec('CREATE TABLE t (x)');
    made.close();
    chmodSync(db, 0o444);
    expect(await runAsUser(argsFor(command, root, db))).toEqual({ code: 1, stdout: '', stderr: `wkmp-ai: opening ${db}: no permission to write it\n` });
  });
});

describe('a bad option or argument', () => {
  it.each([
    [['import', '--jobs', '0'], `error: option '--jobs <n>' argument '0' is invalid. expected a whole number from 1 to ${maxJobs()} workers, got \`0\``, 'import'],
    [['import', '--analysis', 'fast'], 'error: option \'--analysis <level>\' argument \'fast\' is invalid. Allowed choices are full, tags.', 'import'],
    [['import', 'a', 'b'], 'error: too many arguments for \'import\'. Expected 1 argument but got 2.', 'import'],
    [['identify', '--limit', '-1'], 'error: option \'--limit <n>\' argument \'-1\' is invalid. expected an integer from 1 up, got `-1`', 'identify'],
    [['serve', '--port', '70000'], 'error: option \'--port <n>\' argument \'70000\' is invalid. expected a port from 0 to 65535, got `70000`', 'serve'],
    [['serve', '--bogus'], 'error: unknown option \'--bogus\'', 'serve'],
  ])('%j: the error and where to read the usage, two lines, exit 1', async (args, error, command) => {
    expect(await run(args)).toEqual({ code: 1, stdout: '', stderr: `${error}\n(run "wkmp-ai ${command} --help" for usage)\n` });
  });

  it('an unknown command: the error and the program\'s usage', async () => {
    expect(await run(['frobnicate'])).toEqual({ code: 1, stdout: '', stderr: 'error: unknown command \'frobnicate\'\n(run "wkmp-ai --help" for usage)\n' });
  });
});
