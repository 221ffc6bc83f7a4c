/**
 * The layer rule (eslint.config.js): an import that runs up the layers or across the stages fails
 * the lint, with a message that names the rule; imports down the layers pass. Run through ESLint's
 * own API with the project's config, on code that exists only in the test.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const eslint = new ESLint({ cwd: repoRoot });
const fences = new Set(['no-restricted-imports', 'no-restricted-syntax']);

/** What the import fences say of `code` at `filePath` (relative to the repository). */
async function refusals(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((message) => message.ruleId !== null && fences.has(message.ruleId)).map((message) => message.message);
}

const importing = (source: string): string => `import { x } from '${source}';\nexport const y = x;\n`;

describe('the layer rule', () => {
  it.each([
    ['src/db/queries/x.ts', importing('../../identify/choose.js'), 'db/ sits under identify/'],
    ['src/db/x.ts', `import type { Band } from '../identify/choose.js';\nexport type B = Band;\n`, 'db/ sits under identify/'],
    ['src/db/x.ts', "export { planChanges } from '../scan/plan.js';\n", 'db/ sits under scan/'],
    ['src/db/x.ts', "export const load = () => import('../import/run.js');\n", 'db/ sits under import/'],
    ['src/errors.ts', importing('./db/connection.js'), 'the base modules (src/*.ts, config/, stored/, flavor/) sit under db/'],
    ['src/config/x.ts', importing('../analysis/settings.js'), 'the base modules (src/*.ts, config/, stored/, flavor/) sit under analysis/'],
    ['src/stored/x.ts', importing('../identify/choose.js'), 'the base modules (src/*.ts, config/, stored/, flavor/) sit under identify/'],
    ['src/scan/x.ts', importing('../analysis/mp3-header.js'), 'scan/ and analysis/ are stages side by side'],
    ['src/analysis/decode/x.ts', importing('../../scan/walk.js'), 'analysis/ and scan/ are stages side by side'],
    ['src/identify/x.ts', `import type { CueSheet } from '../analysis/cue-sheet.js';\nexport type C = CueSheet;\n`, 'identify/ and analysis/ are stages side by side'],
    ['src/analysis/x.ts', `import type { ReadDb } from '../db/connection.js';\nexport type R = ReadDb;\n`, 'analysis/ never imports db/: workers never touch the database'],
    ['src/import/x.ts', importing('../server/app.js'), 'import/ sits under server/'],
    ['src/server/routes/x.ts', importing('../../cli/main.js'), 'server/ sits under cli/'],
    ['src/cli/x.ts', importing('../web/common.js'), 'web/ is the browser\'s page'],
    ['src/web/x.js', importing('../file-record.js'), 'web/ is the browser\'s page, sent as static files: it imports only from web/'],
  ])('refuses in %s: %s', async (filePath, code, says) => {
    const messages = await refusals(filePath, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`layers (eslint.config.js): ${says}`);
  });

  it.each([
    ['src/db/setup.ts', importing('../config/settings.js')],
    ['src/db/queries/x.ts', importing('../../stored/candidates.js')],
    ['src/scan/x.ts', `import type { KnownFile } from '../db/queries/files.js';\nexport type K = KnownFile;\n`],
    ['src/analysis/x.ts', importing('../stored/file-cue-sheet.js')],
    ['src/identify/x.ts', importing('../db/queries/identification.js')],
    ['src/import/x.ts', `${importing('../analysis/worker.js')}export const z = () => import('../identify/queue.js');\n`],
    ['src/server/routes/x.ts', importing('../../import/run.js')],
    ['src/cli/x.ts', `export const serve = () => import('../server/serve.js');\n`],
    ['src/web/x.js', importing('./common.js')],
  ])('lets %s import down the layers: %s', async (filePath, code) => {
    expect(await refusals(filePath, code)).toEqual([]);
  });

  it('keeps the write fence beside it: only db/ holds a write connection', async () => {
    const writeHandle = await refusals('src/identify/x.ts', `import type { WriteDb } from '../db/connection.js';\nexport type W = WriteDb;\n`);
    expect(writeHandle).toEqual([expect.stringContaining('Only src/db/ holds a write connection') as unknown]);
    expect(await refusals('src/server/x.ts', importing('better-sqlite3'))).toEqual([expect.stringContaining('Only src/db/ opens connections') as unknown]);
  });
});
