// Lint: typescript-eslint's recommended rules plus the layer rules of ../shared/STYLE.md
// ("layers only look down", "only config/ reads process.env"), enforced here rather than by goodwill.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'web/dist/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'URL', 'URLSearchParams', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'AbortController', 'AbortSignal', 'fetch', 'performance', 'TextEncoder', 'TextDecoder'].map((g) => [g, 'readonly']),
      ),
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/config reads process.env.' }],
    },
  },
  {
    files: ['src/http/**/*.ts'],
    rules: restrict(['**/db/**', '**/storage/**'], 'http talks to domain services, never to db or storage.'),
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: restrict(['fastify', '@fastify/*', '**/http/**'], 'domain code does not know about HTTP.'),
  },
  {
    files: ['src/db/**/*.ts', 'src/storage/**/*.ts'],
    rules: restrict(['fastify', '@fastify/*', '**/http/**', '**/domain/**'], 'db and storage sit below domain.'),
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    rules: restrict(['**/src/**', 'node:*', 'fastify', '@fastify/*'], 'the dashboard talks to the public API only, never to server code.'),
  },
  {
    files: ['cli/**/*.ts'],
    rules: restrict(['**/src/**', 'fastify', '@fastify/*'], 'the CLI talks to the public API only, never to server code.'),
  },
  {
    files: ['src/media/**/*.ts'],
    rules: restrict(['**/db/**', '**/storage/**', '**/config/**', '**/http/**', '**/domain/**', 'fastify'], 'media is pure processing.'),
  },
);
