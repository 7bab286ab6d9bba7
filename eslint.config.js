// Lint for the whole code base (npm run lint; run by npm test).
// typescript-eslint's type-checked rules where they fit a Temporal + Express code base,
// eslint-plugin-regexp for regular expressions (no super-linear backtracking: ReDoS),
// and the determinism rules for workflow code (Temporal replays it).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'tools/', 'dist/', 'web/dist/', 'test-output/', 'web/vite.config.ts', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  regexp.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process'],
              message: 'Workflow code is replayed: no Node built-ins.',
            },
            { group: ['knex', 'pg', 'express', '../db/*', '../api/*', '../runtime/*'], message: 'Workflow code does no I/O: use an activity.' },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Workflows read no configuration.' }],
    },
  },
  {
    // Plain-JavaScript files (runtime/ts-worker-bootstrap.mjs) are in no TypeScript project: lint them without type information.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // db/: knex query results are `any` by design; each repository function declares the row type it returns
    // (typed with db<Row>() / .first<Row>() / .select<Row[]>() where that is a one-line change).
    files: ['db/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Black-box tests, benches and the history recorder (a black-box client of the API) read untyped JSON answers over HTTP.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/record-histories.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['web/src/**/*.tsx', 'web/src/**/*.ts'],
    rules: {
      // antd's form instance methods are bound; React event props may take async handlers.
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  prettier,
);
