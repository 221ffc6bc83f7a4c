// Real-music fixtures: songs from the Debian packages asc-music and drascula-music, and files joined
// from them (see test/fixtures/real-music/README.md). They are not committed; this vitest global
// setup builds them with test/fixtures/real-music/make.sh into the git-ignored test/.cache/ when the
// cache is missing or was built by another version of the script. Tests read
// `${realMusicDir()}/manifest.json` for what to expect.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = path.join(REPO, 'test', 'fixtures', 'real-music', 'make.sh');

/** The folder holding the built real-music fixtures and their manifest.json. */
export function realMusicDir(): string {
  return path.join(REPO, 'test', '.cache', 'real-music');
}

function scriptHash(): string {
  return createHash('sha256').update(readFileSync(SCRIPT)).digest('hex');
}

/** True if `dir` was completely built by the current make.sh (its .stamp is written last). */
function isCurrent(dir: string, hash: string): boolean {
  try {
    return readFileSync(path.join(dir, '.stamp'), 'utf8').trim() === hash;
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the work folders (`real-music.tmp.<pid>`, `real-music.old.<pid>`) of runs that died. */
function removeAbandoned(dir: string): void {
  const base = path.basename(dir);
  let names: string[];
  try {
    names = readdirSync(path.dirname(dir));
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(`${base}.`) ? /^(?:tmp|old)\.(\d+)$/.exec(name.slice(base.length + 1)) : null;
    if (m && !isRunning(Number(m[1]))) rmSync(path.join(path.dirname(dir), name), { recursive: true, force: true });
  }
}

/**
 * Vitest global setup: (re)builds the fixtures when `<dir>/.stamp` is missing or is not the SHA-256
 * of make.sh. The script writes into `<dir>.tmp.<pid>`, which is renamed into place only when
 * complete, so an interrupted or concurrent run never leaves a half-built `<dir>`.
 */
export async function setup(): Promise<void> {
  const dir = realMusicDir();
  const hash = scriptHash();
  if (isCurrent(dir, hash)) return;
  removeAbandoned(dir);
  const tmp = `${dir}.tmp.${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  console.log(`real-music: building the real-music fixtures in ${path.relative(REPO, dir)} (takes about half a minute)`);
  try {
    await promisify(execFile)('bash', [SCRIPT, tmp], { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(stderr || `real-music: ${SCRIPT} failed: ${String(err)}`, { cause: err });
  }
  if (!isCurrent(tmp, hash)) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`real-music: ${SCRIPT} changed while the fixtures were being built; run the tests again`);
  }
  const old = `${dir}.old.${process.pid}`;
  try {
    renameSync(dir, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // Another run put its own build in place between the two renames: keep it if it is current.
    rmSync(tmp, { recursive: true, force: true });
    if (!isCurrent(dir, hash)) throw err;
  }
  rmSync(old, { recursive: true, force: true });
}
