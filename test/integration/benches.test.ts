/**
 * Every bench in bench/ at its `--smoke` size, as `npm run bench:*` runs it (on the built
 * JavaScript), so that a bench can't rot unseen. Each checks that it ran and that its databases
 * agree, and exits 1 when they don't; no timing is judged here.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

function run(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // The benches' children import dist/ (and start the worker's bundle), as `npm run bench:*` builds it first.
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  expect(built.stderr + built.stdout).toBe('');
  expect(built.status).toBe(0);
}, 180_000);

/** Each bench, and a line of its report that only a run to the end prints. */
const benches = [
  { bench: 'write', last: /^rows: identical in every database/m },
  { bench: 'import', last: /^target: rescan /m },
  { bench: 'analysis', last: /^ {2}peak memory of the import /m },
  { bench: 'service', last: /^target: p99 during the import /m },
  { bench: 'ffmpeg', last: /^install size of the bundled ffmpeg: /m },
  { bench: 'tags', last: /^target: wkmp-ai .* as fast as beets/m },
  { bench: 'identify', last: /^second run \(re-recorded, caches warm\): AcoustID 0, MusicBrainz 0 requests$/m },
  { bench: 'flavor', last: /^second run \(caches warm\): 0 requests$/m },
  { bench: 'moves', last: /^target: a file landing in a watched folder committed after /m },
];

describe.each(benches)('bench:$bench --smoke', ({ bench, last }) => {
  it('runs to the end and finds its results consistent', { timeout: 300_000 }, () => {
    const result = run(['--import', 'tsx', join(repoRoot, 'bench', `${bench}.ts`), '--smoke']);
    expect(result.stderr.split('\n').filter((line) => line.includes('--smoke:'))).toEqual([]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(last);
  });
});
