import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ (DESIGN.md, "The flow of one import"). A module imports from its own layer
 * and the layers under it; never from one above it, nor from one beside it. From the bottom up:
 *
 *   base      errors.ts, file-record.ts, file-class.ts, guid.ts, version.ts, credits.ts, clock.ts, config/, stored/,
 *             flavor/ (the SPEC003 model: pure functions the worker, the queues and the service share)
 *   db        connection, schema, queries, the recorder: the only SQL
 *   queue     what background queues share: one runner per database (lease), each service's pace
 *   scan  analysis  identify  flavoring
 *             the stages, side by side: none imports another; analysis imports no db/ either
 *             (workers never touch the database)
 *   import    the session: walk, plan, analyse, record, then identification
 *   watch     the folder watcher: which folders changed, when to look (it starts no import itself)
 *   server    the service: routes, SSE
 *   cli       the command line, which starts the service
 *
 * web/ is the browser's page, sent as static files: it imports nothing outside web/.
 * Checked on every import, type-only ones too (a type is a dependency like any other), and on
 * `import()`. Relative imports are matched by folder name: the names above are unique in src/.
 */
const layers = [
  { name: 'base', files: ['src/*.ts', 'src/config/**', 'src/stored/**', 'src/flavor/**'], imports: ['config', 'stored', 'flavor'] },
  { name: 'db', files: ['src/db/**'], imports: ['config', 'stored', 'flavor', 'db'] },
  { name: 'queue', files: ['src/queue/**'], imports: ['config', 'stored', 'flavor', 'db', 'queue'] },
  { name: 'scan', files: ['src/scan/**'], imports: ['config', 'stored', 'flavor', 'db', 'scan'] },
  { name: 'analysis', files: ['src/analysis/**'], imports: ['config', 'stored', 'flavor', 'analysis'] },
  { name: 'identify', files: ['src/identify/**'], imports: ['config', 'stored', 'flavor', 'db', 'queue', 'identify'] },
  { name: 'flavoring', files: ['src/flavoring/**'], imports: ['config', 'stored', 'flavor', 'db', 'queue', 'flavoring'] },
  { name: 'import', files: ['src/import/**'], imports: ['config', 'stored', 'flavor', 'db', 'queue', 'scan', 'analysis', 'identify', 'flavoring', 'import'] },
  { name: 'watch', files: ['src/watch/**'], imports: ['config', 'stored', 'flavor', 'scan', 'watch'] },
  { name: 'server', files: ['src/server/**'], imports: ['config', 'stored', 'flavor', 'db', 'queue', 'scan', 'analysis', 'identify', 'flavoring', 'import', 'watch', 'server'] },
  { name: 'cli', files: ['src/cli/**'], imports: ['config', 'stored', 'flavor', 'db', 'queue', 'scan', 'analysis', 'identify', 'flavoring', 'import', 'watch', 'server', 'cli'] },
];
const folders = ['config', 'stored', 'flavor', 'db', 'queue', 'scan', 'analysis', 'identify', 'flavoring', 'import', 'watch', 'server', 'cli', 'web'];
const stages = ['scan', 'analysis', 'identify', 'flavoring'];

const flow = 'base ← db ← queue ← scan | analysis | identify | flavoring ← import | watch ← server ← cli';

/** Why `layer` may not import `folder`, in one line that names the rule. */
function whyNot(layer, folder) {
  if (folder === 'web') return `layers (eslint.config.js): web/ is the browser's page, sent as static files; ${layer.name} code does not import it.`;
  if (layer.name === 'analysis' && folder === 'db') {
    return 'layers (eslint.config.js): analysis/ never imports db/: workers never touch the database; the recorder writes what they return.';
  }
  if (stages.includes(layer.name) && stages.includes(folder)) {
    return `layers (eslint.config.js): ${layer.name}/ and ${folder}/ are stages side by side (${flow}) and do not import each other: move what both need down to the layer under them.`;
  }
  const who = layer.name === 'base' ? 'the base modules (src/*.ts, config/, stored/, flavor/) sit' : `${layer.name}/ sits`;
  return `layers (eslint.config.js): ${who} under ${folder}/ (${flow}) and may not import it: move the code down to where both can reach it, or have the caller pass it in.`;
}

/** An import source that reaches into `folder` from anywhere in src/: './db/…', '../db/…', '../../db/…'. */
const into = (folder) => `^(\\.{1,2}/)+${folder}/`;

// One writer per process (DESIGN.md): only src/db/ may open a connection, and a write-capable one
// only there; everything else reads through a ReadDb and writes through the recorder's commands.
const writeFence = {
  paths: [{ name: 'better-sqlite3', message: 'Only src/db/ opens connections: read through a ReadDb, write through the recorder.' }],
  patterns: [{
    group: ['**/db/connection.js'],
    importNames: ['openWriteConnection', 'WriteDb'],
    message: 'Only src/db/ holds a write connection: write through the recorder\'s commands.',
  }, {
    group: ['**/db/commit-batch.js', '**/db/queries/file-writes.js'],
    message: 'The recorder is the only writer: use its commands.',
  }],
};

function layerBlock(layer) {
  const denied = folders.filter((folder) => !layer.imports.includes(folder));
  const patterns = denied.map((folder) => ({ regex: into(folder), message: whyNot(layer, folder) }));
  const fenced = layer.name !== 'db';
  return {
    files: layer.files.flatMap((glob) => (glob.endsWith('**') ? [`${glob}/*.ts`, `${glob}/*.mjs`] : [glob])),
    rules: {
      'no-restricted-imports': ['error', fenced ? { paths: writeFence.paths, patterns: [...writeFence.patterns, ...patterns] } : { patterns }],
      // no-restricted-imports reads imports and re-exports (type-only ones too); `import()` is read here.
      // (`import('…')` in a type is refused by consistent-type-imports.)
      'no-restricted-syntax': ['error', ...denied.map((folder) => ({
        selector: `ImportExpression[source.value=/${into(folder).replaceAll('/', '\\/')}/]`, message: whyNot(layer, folder),
      }))],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  ...layers.map(layerBlock),
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly', performance: 'readonly' } },
  },
  {
    // The web page's modules run in the browser, never in Node, and import only each other.
    files: ['src/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        document: 'readonly', location: 'readonly', fetch: 'readonly', EventSource: 'readonly', URLSearchParams: 'readonly',
        process: 'off', setTimeout: 'off',
      },
    },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: 'layers (eslint.config.js): web/ is the browser\'s page, sent as static files: it imports only from web/.' }] }],
    },
  },
);
