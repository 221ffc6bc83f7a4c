import { readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { InvalidInputError } from '../errors.js';

export interface RootFolderSources {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

function configuredRoot(home: string): string | undefined {
  const file = join(home, '.config', 'wkmp', 'wkmp-ai.toml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // no config file: the next source decides
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(text);
  } catch (error) {
    throw new InvalidInputError('startup', `reading ${file}: not valid TOML (${(error as Error).message.split('\n')[0]})`, { path: file });
  }
  const value = parsed.root_folder;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError('startup', `reading ${file}: root_folder must be a string`, { path: file });
  if (value === '') return undefined;
  return value.startsWith('~/') ? join(home, value.slice(2)) : value;
}

/** An empty value (`WKMP_ROOT_FOLDER=`, `--root-folder "$UNSET"`) names no folder: resolved, it would be the working directory. */
function given(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/**
 * The root music folder, first match wins (WKMP.md): `--root-folder`, `WKMP_ROOT_FOLDER`,
 * `root_folder` in ~/.config/wkmp/wkmp-ai.toml, then ~/Music.
 */
export function resolveRootFolder(sources: RootFolderSources = {}): string {
  const env = sources.env ?? process.env;
  const home = sources.home ?? homedir();
  const chosen = given(sources.flag) ?? given(env.WKMP_ROOT_FOLDER) ?? configuredRoot(home) ?? join(home, 'Music');
  return resolve(chosen);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface ImportPlace {
  /** Real path of the root folder. */
  rootFolder: string;
  /** Real path of the folder to import, the root or inside it. */
  folder: string;
  /** The folder relative to the root with forward slashes, '' for the root itself. */
  relativeFolder: string;
}

/**
 * Checks that the root is a folder and that `folder` (default: the root) lies inside it once
 * symbolic links are resolved: `..`, other absolute paths and links leading out are refused.
 */
export function resolveImportPlace(rootFolder: string, folder?: string): ImportPlace {
  if (!isDirectory(rootFolder)) {
    throw new InvalidInputError('startup', `root folder ${rootFolder} does not exist or is not a folder; pass --root-folder or set WKMP_ROOT_FOLDER`, { path: rootFolder });
  }
  const realRoot = realpathSync(rootFolder);
  const wanted = folder === undefined ? realRoot : resolve(realRoot, folder);
  if (!isDirectory(wanted)) {
    throw new InvalidInputError('startup', `folder ${folder ?? wanted} does not exist or is not a folder`, { path: wanted });
  }
  const realFolder = realpathSync(wanted);
  const rel = relative(realRoot, realFolder);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InvalidInputError('startup', `folder ${folder ?? wanted} is outside the root folder ${realRoot}`, { path: wanted });
  }
  return { rootFolder: realRoot, folder: realFolder, relativeFolder: rel.split(sep).join('/') };
}

export function defaultDatabasePath(rootFolder: string): string {
  return join(rootFolder, 'wkmp.db');
}
