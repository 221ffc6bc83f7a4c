/**
 * The command line as a person uses it: its version, a folder named as the shell names it, and
 * the service's log lines.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { maxJobs } from '../../src/config/settings.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixtureRoot, inspect, libraryAudio, repoRoot, spawnCli, tempFolder, waitFor } from './helpers.js';

describe('wkmp-ai', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const run = await spawnCli(['--version']).exited;
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('takes a relative folder from the current directory, as every other command line does', async () => {
    const root = copyFixtureRoot();
    // From the root's parent, `<root name>/Artist B` names the folder inside the root.
    const parent = join(root, '..');
    const name = root.slice(parent.length + 1);
    const run = await spawnCli(['import', `${name}/Artist B`, '--root-folder', root, '--json', '--jobs', '1'], parent).exited;
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ folder: 'Artist B', counts: { recorded: 2 } });
    // And from inside the root, `./Various`.
    const inside = await spawnCli(['import', './Various', '--root-folder', root, '--json', '--jobs', '1'], root).exited;
    expect(JSON.parse(inside.stdout)).toMatchObject({ folder: 'Various' });
    const db = inspect(join(root, 'wkmp.db'));
    expect(db.prepare("SELECT count(*) AS n FROM files WHERE path LIKE 'Artist B/%' OR path LIKE 'Various/%'").get()).toEqual({ n: 5 });
    db.close();
  });

  it('decodes every file of the library after `npm ci` alone: with no ffmpeg on the PATH, with the static one npm installed', async () => {
    const root = copyFixtureRoot();
    const run = await spawnCli(['import', '--root-folder', root, '--json', '--jobs', '2'], repoRoot, { ...process.env, PATH: '' }).exited;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { counts: { recorded: number; failed: number } };
    expect(summary.counts).toMatchObject({ recorded: libraryAudio.length, failed: 0 });
    const db = inspect(join(root, 'wkmp.db'));
    expect(db.prepare("SELECT count(*) AS n FROM files WHERE analysis = 'full' AND duration_ticks > 0").get()).toEqual({ n: libraryAudio.length });
    db.close();
  });

  it('refuses --ffmpeg naming a program that does not run, in one line', async () => {
    const root = copyFixtureRoot();
    const run = await spawnCli(['import', '--root-folder', root, '--ffmpeg', '/nonexistent/ffmpeg']).exited;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^wkmp-ai: --ffmpeg \/nonexistent\/ffmpeg cannot run here: .*ENOENT.*\n$/);
  });

  it('refuses --jobs beyond four per core, the bound of the setting it stands for, and writes nothing', async () => {
    const root = copyFixtureRoot();
    const run = await spawnCli(['import', '--root-folder', root, '--jobs', '9999']).exited;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`expected a whole number from 1 to ${maxJobs()} workers, got \`9999\``);
    expect(existsSync(join(root, 'wkmp.db'))).toBe(false);
  });

  it('refuses a folder outside the root, naming the root', async () => {
    const root = copyFixtureRoot();
    const elsewhere = tempFolder();
    mkdirSync(join(elsewhere, 'Albums'));
    const run = await spawnCli(['import', 'Albums', '--root-folder', root], elsewhere).exited;
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`wkmp-ai: folder ${join(elsewhere, 'Albums')} is outside the root folder ${root}\n`);
  });

  it('serve logs one JSON line per request, and each refused one with its code', async () => {
    const root = copyFixtureRoot();
    const server = spawnCli(['serve', '--root-folder', root, '--port', '0', '--log-level', 'info']);
    await waitFor(() => /listening on (http:\S+)/.test(server.output().stdout), 60_000, 'the service to listen', server.exited);
    const url = /listening on (http:\S+)/.exec(server.output().stdout)![1]!;
    await fetch(`${url}/health`);
    await fetch(`${url}/import/status/nope`);
    await fetch(`${url}/api/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"volume": 1}' });
    server.child.kill('SIGTERM');
    const { stdout } = await server.exited;
    const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((line) => typeof line.url === 'string');
    expect(requests.map(({ url: path, statusCode, code }) => ({ path, statusCode, code }))).toEqual([
      { path: '/health', statusCode: 200, code: undefined },
      { path: '/import/status/nope', statusCode: 404, code: 'NOT_FOUND' },
      { path: '/api/settings', statusCode: 400, code: 'BAD_REQUEST' },
    ]);
    expect(requests[2]).toMatchObject({ level: 40, message: 'unknown setting `volume`' });
  });
});
