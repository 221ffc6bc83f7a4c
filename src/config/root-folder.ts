import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type * as Toml from 'smol-toml';
import { InvalidInputError } from '../errors.js';

export interface RootFolderSources {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** `$XDG_CONFIG_HOME/wkmp/wkmp-ai.toml`, `~/.config/wkmp/wkmp-ai.toml` when it is unset or not absolute (XDG base directories). */
export function configFile(home: string, env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(base, 'wkmp', 'wkmp-ai.toml');
}

function configuredRoot(home: string, env: NodeJS.ProcessEnv): string | undefined {
  const file = configFile(home, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // no config file: the next source decides
  }
  let parsed: Record<string, unknown>;
  try {
    // Required only when there is a file to parse (smol-toml ships CommonJS too): every start-up pays for an import.
    const { parse } = createRequire(import.meta.url)('smol-toml') as typeof Toml;
    parsed = parse(text);
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
 * `root_folder` in the config file (`configFile`), then ~/Music.
 */
export function resolveRootFolder(sources: RootFolderSources = {}): string {
  const env = sources.env ?? process.env;
  const home = sources.home ?? homedir();
  const chosen = given(sources.flag) ?? given(env.WKMP_ROOT_FOLDER) ?? configuredRoot(home, env) ?? join(home, 'Music');
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

/** Whether `path` lies strictly inside `root` (both absolute). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export type Located =
  | { ok: true; absolutePath: string; relativePath: string }
  | { ok: false; problem: 'outside' | 'missing' | 'wrong-kind'; message: string };

/**
 * The file or folder `path` names inside the root (`''` is the root itself, a folder), once
 * symbolic links are resolved: `..`, other absolute paths and links leading out are 'outside'.
 * The relative path is the real one, as the walk stores paths.
 */
export function locateInRoot(rootFolder: string, path: string, kind: 'file' | 'folder'): Located {
  const realRoot = realpathSync(rootFolder);
  const outside = { ok: false, problem: 'outside', message: `${kind} ${path} is outside the root folder ${realRoot}` } as const;
  const isRootItself = (candidate: string) => candidate === realRoot && kind === 'folder';
  const wanted = resolve(realRoot, path);
  if (!isRootItself(wanted) && !isInside(realRoot, wanted)) return outside;
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    return { ok: false, problem: 'missing', message: `${kind} ${path} does not exist` };
  }
  if (!isRootItself(real) && !isInside(realRoot, real)) return outside;
  const stat = statSync(real);
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) return { ok: false, problem: 'wrong-kind', message: `${path} is not a ${kind}` };
  return { ok: true, absolutePath: real, relativePath: relative(realRoot, real).split(sep).join('/') };
}

/**
 * Checks that the root is a folder and that `folder` (default: the root) lies inside it once
 * symbolic links are resolved: `..`, other absolute paths and links leading out are refused.
 */
export function resolveImportPlace(rootFolder: string, folder?: string): ImportPlace {
  if (!isDirectory(rootFolder)) {
    throw new InvalidInputError('startup', `root folder ${rootFolder} does not exist or is not a folder; pass --root-folder or set WKMP_ROOT_FOLDER`, { path: rootFolder });
  }
  const located = locateInRoot(rootFolder, folder ?? '', 'folder');
  if (!located.ok) {
    const named = folder ?? rootFolder;
    const message = located.problem === 'outside' ? located.message : `folder ${named} does not exist or is not a folder`;
    throw new InvalidInputError('startup', message, { path: resolve(rootFolder, named) });
  }
  return { rootFolder: realpathSync(rootFolder), folder: located.absolutePath, relativeFolder: located.relativePath };
}

export function defaultDatabasePath(rootFolder: string): string {
  return join(rootFolder, 'wkmp.db');
}
