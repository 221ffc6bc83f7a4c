import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    // One writer per process (DESIGN.md): only src/db/ may open a connection, and a write-capable one
    // only there; everything else reads through a ReadDb and writes through the recorder's commands.
    files: ['src/**/*.ts'],
    ignores: ['src/db/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'better-sqlite3', message: 'Only src/db/ opens connections: read through a ReadDb, write through the recorder.' }],
        patterns: [{
          group: ['**/db/connection.js'],
          importNames: ['openWriteConnection', 'WriteDb'],
          message: 'Only src/db/ holds a write connection: write through the recorder\'s commands.',
        }, {
          group: ['**/db/commit-batch.js', '**/db/queries/file-writes.js'],
          message: 'The recorder is the only writer: use its commands.',
        }],
      }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly', performance: 'readonly' } },
  },
  {
    // The web page's modules run in the browser, never in Node.
    files: ['src/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        document: 'readonly', location: 'readonly', fetch: 'readonly', EventSource: 'readonly', URLSearchParams: 'readonly',
        process: 'off', setTimeout: 'off',
      },
    },
  },
);
