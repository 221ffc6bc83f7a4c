// The licences of what wkmp-ai ships: every package `npm ci --omit=dev` installs and the process may load.
//   node scripts/licences.mjs --check   fails (exit 1) on a copyleft licence other than LGPL-2.1
//   node scripts/licences.mjs --write   regenerates THIRD-PARTY.md
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ffmpegBinary = 'a static ffmpeg run as a separate program, never linked';

/**
 * Packages shipped although their licence is refused, each with the reason. Named one by one, so
 * that a new package under the same scope is checked like any other.
 * @type {ReadonlyMap<string, string>}
 */
export const allowList = new Map(
  // @ffmpeg-installer/ffmpeg (LGPL-2.1) is only a path lookup; these hold its binary, one per platform.
  ['darwin-arm64', 'darwin-x64', 'linux-arm', 'linux-arm64', 'linux-ia32', 'linux-x64', 'win32-ia32', 'win32-x64']
    .map((platform) => [`@ffmpeg-installer/${platform}`, ffmpegBinary]),
);

// An accept-list rather than a list of copyleft licences: any GPL or AGPL however spelt, LGPL-3.0,
// `SEE LICENSE IN …` and anything unknown are refused until someone reads them.
const permissive = new Set([
  'MIT', 'MIT-0', 'ISC', '0BSD', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', 'BlueOak-1.0.0',
  'Unlicense', 'CC0-1.0', 'CC-BY-3.0', 'CC-BY-4.0', 'WTFPL', 'Zlib', 'Python-2.0',
].map((id) => id.toLowerCase()));
// The LGPL-2.x lets a program use the library as long as the user can replace it, which the
// unmodified JavaScript in node_modules is; `-or-later` lets us take 2.1.
const lgpl2 = /^lgpl-?v?2(\.[01])?(-only|-or-later|\+)?$/i;

/** Whether one licence identifier is acceptable. */
function acceptableId(id) {
  return permissive.has(id.toLowerCase()) || lgpl2.test(id);
}

/**
 * Whether an SPDX expression is acceptable: OR needs one acceptable alternative, AND needs all.
 * A licence `WITH` an exception is judged by the licence alone: one that permits linking goes on the allow-list once read.
 * Anything that does not parse (`SEE LICENSE IN …`, prose) is refused.
 * @param {string | undefined} expression
 */
export function acceptable(expression) {
  if (expression === undefined) return false;
  const tokens = expression.match(/[()]|[^\s()]+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at]?.toUpperCase();
  const or = () => {
    let ok = and();
    while (peek() === 'OR') { at++; ok = and() || ok; }
    return ok;
  };
  const and = () => {
    let ok = atom();
    while (peek() === 'AND') { at++; ok = atom() && ok; }
    return ok;
  };
  const atom = () => {
    const token = tokens[at++];
    if (token === '(') {
      const ok = or();
      if (tokens[at++] !== ')') throw new Error('unbalanced');
      return ok;
    }
    if (token === undefined || token === ')' || ['AND', 'OR', 'WITH'].includes(token.toUpperCase())) throw new Error('unexpected');
    if (peek() === 'WITH') at += 2;
    return acceptableId(token);
  };
  try {
    const ok = or();
    return at === tokens.length && ok;
  } catch {
    return false;
  }
}

/**
 * A package.json's licence as one expression: `license` as a string or the old `{ type }`, or the
 * old `licenses` array, whose entries are alternatives.
 * @returns {string | undefined}
 */
export function licenceOf(json) {
  const name = (entry) => (typeof entry === 'string' ? entry : entry?.type);
  if (json.license !== undefined) return name(json.license);
  const all = Array.isArray(json.licenses) ? json.licenses.map(name).filter((entry) => typeof entry === 'string') : [];
  if (all.length === 0) return undefined;
  return all.length === 1 ? all[0] : `(${all.join(' OR ')})`;
}

/** A package's web address: its homepage, else its repository as a URL. */
function addressOf(json) {
  if (typeof json.homepage === 'string') return json.homepage;
  const repository = typeof json.repository === 'string' ? json.repository : json.repository?.url;
  if (typeof repository !== 'string') return undefined;
  return repository
    .replace(/^github:|^(?=[\w.-]+\/[\w.-]+$)/, 'https://github.com/')
    .replace(/^gitlab:/, 'https://gitlab.com/')
    .replace(/^bitbucket:/, 'https://bitbucket.org/')
    .replace(/^git\+/, '')
    .replace(/^(ssh:\/\/)?git@([^:/]+)[:/]/, 'https://$2/')
    .replace(/^git:\/\//, 'https://')
    .replace(/\.git$/, '');
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * Where Node finds `name` required from `dir`: `dir/node_modules/name`, then each parent's
 * node_modules, up to `root` (a node_modules above the project is not part of its install).
 */
function resolvePackage(root, dir, name) {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (basename(at) !== 'node_modules' && existsSync(join(candidate, 'package.json'))) return candidate;
    if (at === root || dirname(at) === at) return undefined;
  }
}

/** The packages a package.json asks for at run time, each with whether it may be absent. */
function wanted(json) {
  /** @type {Map<string, boolean>} */
  const names = new Map();
  for (const name of Object.keys(json.dependencies ?? {})) names.set(name, false);
  // npm installs peer dependencies too; an optional one it leaves to whoever wants it (here, only
  // devDependencies: fdir's picomatch).
  for (const name of Object.keys(json.peerDependencies ?? {})) {
    if (json.peerDependenciesMeta?.[name]?.optional !== true) names.set(name, false);
  }
  // Platform packages and the like: only the ones npm installed on this machine count.
  for (const name of Object.keys(json.optionalDependencies ?? {})) names.set(name, true);
  return names;
}

/**
 * Every production package installed under `root`, walking `dependencies` (and installed optional
 * and peer dependencies) from its package.json, breadth first so that each chain is a shortest.
 * Packages are described in licences.d.mts.
 */
export function productionPackages(projectRoot) {
  // Package folders are compared with the root on the way up, and theirs are real paths.
  const root = realpathSync(resolve(projectRoot));
  const packages = [];
  const seen = new Set();
  const queue = [{ dir: root, json: readJson(join(root, 'package.json')), requiredBy: [] }];
  for (const { dir, json, requiredBy } of queue) {
    const chain = [...requiredBy, json.name ?? basename(dir)];
    for (const [name, optional] of wanted(json)) {
      const found = resolvePackage(root, dir, name);
      if (found === undefined) {
        if (!optional) packages.push({ name, version: undefined, licence: undefined, address: undefined, requiredBy: chain });
        continue;
      }
      const real = realpathSync(found);
      if (seen.has(real)) continue;
      seen.add(real);
      const manifest = readJson(join(real, 'package.json'));
      packages.push({ name, version: manifest.version, licence: licenceOf(manifest), address: addressOf(manifest), requiredBy: chain });
      queue.push({ dir: real, json: manifest, requiredBy: chain });
    }
  }
  return packages;
}

/**
 * The packages that may not be shipped: a missing one, or a refused licence not on the allow-list.
 * One per name@version, with its shortest chain, however many copies npm installed.
 */
export function refusals(packages, allowed = allowList) {
  const refused = new Map();
  for (const p of packages) {
    const key = `${p.name}@${p.version ?? ''}`;
    if (!refused.has(key) && (p.version === undefined || (!acceptable(p.licence) && !allowed.has(p.name)))) refused.set(key, p);
  }
  return [...refused.values()];
}

/** `name@version (licence) required by a > b > c`. */
export function describeRefusal(p) {
  const what = p.version === undefined ? `${p.name} (not installed)` : `${p.name}@${p.version} (${p.licence ?? 'no licence'})`;
  return `${what} required by ${p.requiredBy.join(' > ')}`;
}

/** One row per name@version, sorted, whichever copies of it are installed. */
function distinct(packages) {
  const rows = new Map();
  for (const p of packages) if (p.version !== undefined) rows.set(`${p.name}@${p.version}`, p);
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name, 'en') || a.version.localeCompare(b.version, 'en', { numeric: true }));
}

/** THIRD-PARTY.md: what is shipped and under which licence. Nothing in it depends on the day it is written. */
export function thirdPartyMarkdown(packages, allowed = allowList) {
  const rows = distinct(packages);
  const cell = (text) => (text ?? '').replaceAll('|', '\\|');
  const exceptions = rows.filter((p) => !acceptable(p.licence) && allowed.has(p.name));
  return [
    '# Third-party software',
    '',
    'Generated by `node scripts/licences.mjs --write` from the installed production dependencies; a test',
    'fails when it is out of date. wkmp-ai itself is under the MIT licence (LICENSE).',
    '',
    'What `npm ci` installs for production is listed below: npm packages, installed from the npm registry',
    'and loaded into wkmp-ai\'s Node.js process, plus the ffmpeg binary described next.',
    '`node scripts/licences.mjs --check` refuses any package under a copyleft licence other than the',
    'LGPL-2.1 (any GPL or AGPL, the LGPL-3.0, an unknown or missing licence) unless it is allowed below',
    'with its reason. An LGPL-2.1 package is installed as its unmodified JavaScript source, which the',
    'user can replace.',
    '',
    '## ffmpeg',
    '',
    'wkmp-ai decodes audio with ffmpeg run as a separate program: a child process that reads the file',
    'and writes samples to a pipe. No ffmpeg code is linked into or loaded by wkmp-ai\'s process.',
    'An ffmpeg named with `--ffmpeg`, else one on the PATH, is used first, under the licence of its own build. Otherwise',
    'wkmp-ai runs the static binary that `@ffmpeg-installer/ffmpeg` (LGPL-2.1) installs through its',
    'per-platform package (`@ffmpeg-installer/linux-x64` and so on). On Linux that binary is the static',
    'build from https://johnvansickle.com/ffmpeg/, configured with `--enable-gpl --enable-version3`, so',
    'it is under the GPL-3.0; its source is ffmpeg\'s, https://ffmpeg.org/download.html.',
    '',
    '## Packages',
    '',
    '| Package | Version | Licence | Homepage |',
    '| --- | --- | --- | --- |',
    ...rows.map((p) => `| ${cell(p.name)} | ${cell(p.version)} | ${cell(p.licence ?? 'none')} | ${cell(p.address)} |`),
    '',
    ...(exceptions.length === 0 ? [] : [
      '## Allowed despite their licence',
      '',
      ...exceptions.map((p) => `- ${p.name}@${p.version} (${p.licence ?? 'no licence'}): ${allowed.get(p.name)}.`),
      '',
    ]),
  ].join('\n');
}

function main(mode) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const packages = productionPackages(root);
  if (mode === '--check') {
    const refused = refusals(packages);
    for (const p of refused) process.stderr.write(`${describeRefusal(p)}\n`);
    if (refused.length > 0) return 1;
    const allowedHere = distinct(packages).filter((p) => !acceptable(p.licence)).map((p) => `${p.name} (${allowList.get(p.name)})`);
    const also = allowedHere.length === 0 ? '' : `; allowed: ${allowedHere.join(', ')}`;
    console.log(`licences: ${distinct(packages).length} production packages, none copyleft beyond LGPL-2.1${also}`);
    return 0;
  }
  if (mode === '--write') {
    writeFileSync(join(root, 'THIRD-PARTY.md'), thirdPartyMarkdown(packages));
    console.log(`licences: wrote THIRD-PARTY.md (${distinct(packages).length} packages)`);
    return 0;
  }
  process.stderr.write('usage: node scripts/licences.mjs --check | --write\n');
  return 2;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv[2]);
