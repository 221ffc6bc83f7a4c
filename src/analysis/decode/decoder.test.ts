import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../errors.js';
import { ffmpegForProbing, findFfmpeg, locateFfmpeg } from './decoder.js';

let folder = '';
const path = process.env.PATH;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'wkmp-find-ffmpeg-'));
});

afterEach(() => {
  process.env.PATH = path;
  rmSync(folder, { recursive: true, force: true });
});

/** A program called ffmpeg in `folder` that answers `-version` with `exitCode`. */
function fakeFfmpeg(exitCode: number): string {
  const program = join(folder, 'ffmpeg');
  writeFileSync(program, `#!/bin/sh\necho "ffmpeg version fake"\nexit ${exitCode}\n`);
  chmodSync(program, 0o755);
  return program;
}

describe('locateFfmpeg', () => {
  it('takes an ffmpeg on the PATH first', async () => {
    fakeFfmpeg(0);
    process.env.PATH = folder;
    expect(await locateFfmpeg(undefined)).toBe('ffmpeg');
  });

  it('takes the static ffmpeg npm installed when none on the PATH runs, and that one decodes', async () => {
    fakeFfmpeg(1);
    process.env.PATH = folder;
    const bundled = await locateFfmpeg(undefined);
    expect(bundled).toMatch(/node_modules\/@ffmpeg-installer\/[a-z0-9]+-[a-z0-9]+\/ffmpeg$/);
    process.env.PATH = '';
    expect(await locateFfmpeg(undefined)).toBe(bundled);
  });

  it('takes the one given when it runs, and refuses one that does not in one line naming it', async () => {
    const given = fakeFfmpeg(0);
    expect(await locateFfmpeg(given)).toBe(given);
    const error: unknown = await locateFfmpeg('/nonexistent/bin/ffmpeg').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/^--ffmpeg \/nonexistent\/bin\/ffmpeg cannot run here: `\/nonexistent\/bin\/ffmpeg -version` failed: .*ENOENT/);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('findFfmpeg', () => {
  it('looks once per process and remembers the answer', async () => {
    const given = fakeFfmpeg(0);
    const first = findFfmpeg(given);
    expect(findFfmpeg(given)).toBe(first);
    expect(await first).toBe(given);
  });
});

describe('ffmpegForProbing', () => {
  it('names the one given, else the PATH\'s, else the static one npm installed, without running any', () => {
    expect(ffmpegForProbing('/opt/ffmpeg')).toBe('/opt/ffmpeg');
    const onPath = fakeFfmpeg(1); // it would fail -version: not asked
    process.env.PATH = `/nonexistent${delimiter}${folder}`;
    expect(ffmpegForProbing()).toBe(onPath);
    process.env.PATH = '';
    expect(ffmpegForProbing()).toMatch(/node_modules\/@ffmpeg-installer\/[a-z0-9]+-[a-z0-9]+\/ffmpeg$/);
  });
});
