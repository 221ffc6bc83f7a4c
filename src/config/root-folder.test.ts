import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { resolveImportPlace, resolveRootFolder } from './root-folder.js';

const made: string[] = [];
afterEach(() => {
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
});

/** A fresh real folder (symbolic links in the temp path resolved), removed after the test. */
function tempFolder(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'wkmp-root-')));
  made.push(dir);
  return dir;
}

/** A home folder whose ~/.config/wkmp/wkmp-ai.toml holds `toml`. */
function homeWithConfig(toml: string): { home: string; file: string } {
  const home = tempFolder();
  mkdirSync(join(home, '.config', 'wkmp'), { recursive: true });
  const file = join(home, '.config', 'wkmp', 'wkmp-ai.toml');
  writeFileSync(file, toml);
  return { home, file };
}

/** The error `fn` throws, to assert on; fails the test when it throws nothing. */
function thrownBy(fn: () => unknown): Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  if (caught instanceof Error) return caught;
  throw new Error(caught === undefined ? 'expected an error, none was thrown' : `threw a non-Error: ${String(caught)}`);
}

describe('resolveRootFolder', () => {
  it('takes the --root-folder flag over the environment and the config file', () => {
    const { home } = homeWithConfig('root_folder = "/srv/from-config"\n');
    expect(resolveRootFolder({ flag: '/srv/from-flag', env: { WKMP_ROOT_FOLDER: '/srv/from-env' }, home })).toBe('/srv/from-flag');
  });

  it('takes WKMP_ROOT_FOLDER over the config file', () => {
    const { home } = homeWithConfig('root_folder = "/srv/from-config"\n');
    expect(resolveRootFolder({ env: { WKMP_ROOT_FOLDER: '/srv/from-env' }, home })).toBe('/srv/from-env');
  });

  it('takes root_folder from ~/.config/wkmp/wkmp-ai.toml when neither flag nor environment name one', () => {
    const { home } = homeWithConfig('root_folder = "/srv/from-config"\n');
    expect(resolveRootFolder({ env: {}, home })).toBe('/srv/from-config');
  });

  it('reads the config file under $XDG_CONFIG_HOME when it is set, and ignores ~/.config then', () => {
    const { home } = homeWithConfig('root_folder = "/srv/from-dot-config"\n');
    const xdg = tempFolder();
    mkdirSync(join(xdg, 'wkmp'));
    writeFileSync(join(xdg, 'wkmp', 'wkmp-ai.toml'), 'root_folder = "/srv/from-xdg"\n');
    expect(resolveRootFolder({ env: { XDG_CONFIG_HOME: xdg }, home })).toBe('/srv/from-xdg');
    expect(resolveRootFolder({ env: { XDG_CONFIG_HOME: tempFolder() }, home })).toBe(join(home, 'Music'));
    // Not absolute: the spec says to ignore it.
    expect(resolveRootFolder({ env: { XDG_CONFIG_HOME: 'relative/dir' }, home })).toBe('/srv/from-dot-config');
  });

  it('expands ~/ in the config file against the home folder', () => {
    const { home } = homeWithConfig('root_folder = "~/Tunes"\n');
    expect(resolveRootFolder({ env: {}, home })).toBe(join(home, 'Tunes'));
  });

  it('falls back to ~/Music with no flag, no environment variable and no config file', () => {
    const home = tempFolder();
    expect(resolveRootFolder({ env: {}, home })).toBe(join(home, 'Music'));
  });

  it('falls back to ~/Music when the config file names no root folder', () => {
    const { home } = homeWithConfig('other_setting = 3\n');
    expect(resolveRootFolder({ env: {}, home })).toBe(join(home, 'Music'));
  });

  it('treats an empty WKMP_ROOT_FOLDER or flag as not set, instead of importing the working directory', () => {
    const { home } = homeWithConfig('root_folder = "/srv/from-config"\n');
    expect(resolveRootFolder({ env: { WKMP_ROOT_FOLDER: '' }, home })).toBe('/srv/from-config');
    expect(resolveRootFolder({ flag: '', env: { WKMP_ROOT_FOLDER: '/srv/from-env' }, home })).toBe('/srv/from-env');
  });

  it('treats an empty root_folder in the config file as not set', () => {
    const { home } = homeWithConfig('root_folder = ""\n');
    expect(resolveRootFolder({ env: {}, home })).toBe(join(home, 'Music'));
  });

  it('makes a relative flag absolute against the working directory', () => {
    expect(resolveRootFolder({ flag: 'music', env: {}, home: tempFolder() })).toBe(resolve('music'));
  });

  it('refuses a config file that is not valid TOML with one line naming the file', () => {
    const { home, file } = homeWithConfig('root_folder = "/srv/unterminated\n[[[\n');
    const error = thrownBy(() => resolveRootFolder({ env: {}, home }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain(file);
    expect(error.message).toContain('TOML');
    expect(error.message).not.toContain('\n');
  });

  it('refuses a root_folder that is not a string, naming the file', () => {
    const { home, file } = homeWithConfig('root_folder = 42\n');
    const error = thrownBy(() => resolveRootFolder({ env: {}, home }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain(file);
    expect(error.message).toContain('root_folder');
  });

  it('does not read a broken config file when the flag or the environment decides', () => {
    const { home } = homeWithConfig('[[[ not toml\n');
    expect(resolveRootFolder({ flag: '/srv/flag', env: {}, home })).toBe('/srv/flag');
    expect(resolveRootFolder({ env: { WKMP_ROOT_FOLDER: '/srv/env' }, home })).toBe('/srv/env');
  });
});

describe('resolveImportPlace', () => {
  function library(): string {
    const root = tempFolder();
    mkdirSync(join(root, 'Artist A', 'Album One'), { recursive: true });
    return root;
  }

  it('imports the whole root when no folder is given', () => {
    const root = library();
    expect(resolveImportPlace(root)).toEqual({ rootFolder: root, folder: root, relativeFolder: '' });
  });

  it('accepts a subfolder and gives it relative to the root with forward slashes', () => {
    const root = library();
    expect(resolveImportPlace(root, 'Artist A/Album One')).toEqual({
      rootFolder: root, folder: join(root, 'Artist A', 'Album One'), relativeFolder: 'Artist A/Album One',
    });
  });

  it('accepts an absolute path that lies inside the root', () => {
    const root = library();
    expect(resolveImportPlace(root, join(root, 'Artist A')).relativeFolder).toBe('Artist A');
  });

  it('gives the real path of a root reached through a symbolic link', () => {
    const root = library();
    const link = join(tempFolder(), 'music-link');
    symlinkSync(root, link);
    expect(resolveImportPlace(link, 'Artist A')).toMatchObject({ rootFolder: root, relativeFolder: 'Artist A' });
  });

  it.each([
    ['..', '..'],
    ['a path climbing out through ..', 'Artist A/../..'],
  ])('refuses %s as outside the root', (_what, folder) => {
    const root = library();
    const error = thrownBy(() => resolveImportPlace(root, folder));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/outside the root folder/);
    expect(error.message).toContain(folder);
  });

  it('refuses an absolute folder elsewhere on disk', () => {
    const root = library();
    const elsewhere = tempFolder();
    const error = thrownBy(() => resolveImportPlace(root, elsewhere));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/outside the root folder/);
    expect(error.message).toContain(elsewhere);
  });

  it('refuses a symbolic link inside the root that leads out of it', () => {
    const root = library();
    const elsewhere = tempFolder();
    symlinkSync(elsewhere, join(root, 'Linked'));
    const error = thrownBy(() => resolveImportPlace(root, 'Linked'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/outside the root folder/);
  });

  it('refuses a folder that does not exist, naming it', () => {
    const root = library();
    const error = thrownBy(() => resolveImportPlace(root, 'Artist Z'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('Artist Z');
    expect(error.message).toMatch(/does not exist/);
  });

  it('refuses a folder that is a file', () => {
    const root = library();
    writeFileSync(join(root, 'song.mp3'), 'x');
    expect(() => resolveImportPlace(root, 'song.mp3')).toThrow(InvalidInputError);
  });

  it('refuses a root folder that does not exist with one line saying how to choose another', () => {
    const missing = join(tempFolder(), 'no-such-music');
    const error = thrownBy(() => resolveImportPlace(missing));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain(missing);
    expect(error.message).toContain('--root-folder');
    expect(error.message).not.toContain('\n');
  });
});
