/**
 * The licence check (scripts/licences.mjs): which licences it refuses, how it finds packages the way
 * Node does, and that the real install passes and THIRD-PARTY.md is current.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptable, describeRefusal, licenceOf, productionPackages, refusals, thirdPartyMarkdown } from '../../scripts/licences.mjs';
import { repoRoot, spawnNode, tempFolder } from './helpers.js';

/** Writes `<dir>/package.json`. */
function pkg(dir: string, json: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(json));
}

describe('licence expressions', () => {
  it.each([
    ['MIT', true],
    ['(MIT OR Apache-2.0)', true],
    ['MIT AND BSD-3-Clause', true],
    ['LGPL-2.1', true],
    ['LGPL-2.1-or-later', true],
    ['LGPL-2.0', true],
    ['(MIT OR GPL-3.0)', true],
    ['Apache-2.0 WITH LLVM-exception', true],
    ['MIT AND GPL-3.0', false],
    ['(MIT OR GPL-3.0) AND LGPL-3.0-only', false],
    ['GPLv3', false],
    ['GPL-2.0+', false],
    ['GPL-2.0-only', false],
    ['AGPL-3.0-or-later', false],
    ['LGPL-3.0-only', false],
    ['LGPL-3.0-or-later', false],
    ['GPL-2.0 WITH Classpath-exception-2.0', false],
    ['SEE LICENSE IN LICENSE.md', false],
    ['UNLICENSED', false],
    ['(MIT', false],
    [undefined, false],
  ])('%s: %s', (expression, ok) => {
    expect(acceptable(expression)).toBe(ok);
  });

  it('reads the old forms of the license field', () => {
    expect(licenceOf({ license: { type: 'ISC', url: 'x' } })).toBe('ISC');
    expect(licenceOf({ licenses: [{ type: 'MIT' }, { type: 'GPL-2.0' }] })).toBe('(MIT OR GPL-2.0)');
    expect(licenceOf({ licenses: [{ type: 'BSD-2-Clause' }] })).toBe('BSD-2-Clause');
    expect(licenceOf({})).toBeUndefined();
  });
});

describe('the production tree', () => {
  /**
   * app ─┬─ wrapper (MIT) ─┬─ codec 2 (GPL-2.0, nested in wrapper/node_modules)
   *      │                 └─ parser (LGPL-3.0-only, hoisted)
   *      ├─ codec 1 (MIT, hoisted: what app itself gets)
   *      ├─ dual (MIT OR GPL-3.0) ── lgpl-helper (LGPL-2.1) ── unlabelled (no licence)
   *      ├─ @ffmpeg-installer/ffmpeg (LGPL-2.1) ─┬─ linux-x64 (GPLv3, optional, installed, allowed)
   *      │                                       └─ darwin-arm64 (optional, not installed)
   *      ├─ ghost (not installed)
   *      └─ (devDependencies: gpl-tool, not production)
   */
  function fakeProject(): string {
    const root = tempFolder();
    const modules = join(root, 'node_modules');
    pkg(root, {
      name: 'app',
      dependencies: { wrapper: '1', codec: '1', dual: '1', '@ffmpeg-installer/ffmpeg': '1', ghost: '1' },
      devDependencies: { 'gpl-tool': '1' },
    });
    pkg(join(modules, 'wrapper'), { name: 'wrapper', version: '1.0.0', license: 'MIT', dependencies: { codec: '2', parser: '1' } });
    pkg(join(modules, 'wrapper', 'node_modules', 'codec'), { name: 'codec', version: '2.0.0', license: 'GPL-2.0' });
    pkg(join(modules, 'codec'), { name: 'codec', version: '1.0.0', license: 'MIT', repository: 'github:someone/codec' });
    pkg(join(modules, 'parser'), { name: 'parser', version: '1.0.0', license: 'LGPL-3.0-only' });
    pkg(join(modules, 'dual'), { name: 'dual', version: '1.0.0', license: '(MIT OR GPL-3.0)', dependencies: { 'lgpl-helper': '1' } });
    pkg(join(modules, 'lgpl-helper'), { name: 'lgpl-helper', version: '1.0.0', license: 'LGPL-2.1', dependencies: { unlabelled: '1' } });
    pkg(join(modules, 'unlabelled'), { name: 'unlabelled', version: '1.0.0' });
    pkg(join(modules, '@ffmpeg-installer', 'ffmpeg'), {
      name: '@ffmpeg-installer/ffmpeg', version: '1.1.0', license: 'LGPL-2.1',
      optionalDependencies: { '@ffmpeg-installer/linux-x64': '4', '@ffmpeg-installer/darwin-arm64': '4' },
    });
    pkg(join(modules, '@ffmpeg-installer', 'linux-x64'), { name: '@ffmpeg-installer/linux-x64', version: '4.1.0', license: 'GPLv3' });
    pkg(join(modules, 'gpl-tool'), { name: 'gpl-tool', version: '1.0.0', license: 'GPL-3.0' });
    return root;
  }

  it('finds each package where Node would, and refuses copyleft, missing licences and missing packages', () => {
    const packages = productionPackages(fakeProject());
    expect(packages.map((p) => `${p.name}@${p.version ?? '-'}`).sort()).toEqual([
      '@ffmpeg-installer/ffmpeg@1.1.0', '@ffmpeg-installer/linux-x64@4.1.0', 'codec@1.0.0', 'codec@2.0.0', 'dual@1.0.0',
      'ghost@-', 'lgpl-helper@1.0.0', 'parser@1.0.0', 'unlabelled@1.0.0', 'wrapper@1.0.0',
    ]);
    expect(refusals(packages).map(describeRefusal).sort()).toEqual([
      'codec@2.0.0 (GPL-2.0) required by app > wrapper',
      'ghost (not installed) required by app',
      'parser@1.0.0 (LGPL-3.0-only) required by app > wrapper',
      'unlabelled@1.0.0 (no licence) required by app > dual > lgpl-helper',
    ]);
  });

  it('allows the ffmpeg binary packages by name only', () => {
    const binary = { name: '@ffmpeg-installer/linux-x64', version: '4.1.0', licence: 'GPLv3', address: undefined, requiredBy: ['app'] };
    expect(refusals([binary])).toEqual([]);
    expect(refusals([{ ...binary, name: '@ffmpeg-installer/linux-x64-extras' }])).toHaveLength(1);
    expect(refusals([binary], new Map())).toHaveLength(1);
  });

  it('names a refused package once, with its shortest chain, however many copies are installed', () => {
    const copy = { name: 'parser', version: '1.0.0', licence: 'LGPL-3.0-only', address: undefined };
    expect(refusals([{ ...copy, requiredBy: ['app', 'a'] }, { ...copy, requiredBy: ['app', 'b', 'c'] }]).map(describeRefusal))
      .toEqual(['parser@1.0.0 (LGPL-3.0-only) required by app > a']);
  });

  it('lists every installed package once in THIRD-PARTY.md, and why the allowed ones are allowed', () => {
    const markdown = thirdPartyMarkdown(productionPackages(fakeProject()));
    expect(markdown).toContain('| codec | 1.0.0 | MIT | https://github.com/someone/codec |');
    expect(markdown).toContain('| codec | 2.0.0 | GPL-2.0 |  |');
    expect(markdown).toContain('| unlabelled | 1.0.0 | none |  |');
    expect(markdown).toContain('- @ffmpeg-installer/linux-x64@4.1.0 (GPLv3): a static ffmpeg run as a separate program, never linked.');
    expect(markdown).not.toContain('ghost');
    expect(markdown).not.toContain('gpl-tool');
  });
});

describe('this repository', () => {
  it('ships no copyleft beyond LGPL-2.1 (node scripts/licences.mjs --check)', async () => {
    const run = await spawnNode([join(repoRoot, 'scripts', 'licences.mjs'), '--check']).exited;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^licences: \d+ production packages/);
  });

  it('has a current THIRD-PARTY.md (node scripts/licences.mjs --write)', () => {
    const written = readFileSync(join(repoRoot, 'THIRD-PARTY.md'), 'utf8');
    expect(written, 'THIRD-PARTY.md is out of date: run node scripts/licences.mjs --write').toBe(thirdPartyMarkdown(productionPackages(repoRoot)));
  });
});
