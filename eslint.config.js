// One strict, type-aware lint config. The import rules make the layers hold:
// services never import electron, the renderer never imports main, shared imports nothing
// runtime-specific. The security rules (scripts/eslint/nestlab-security.js) keep the Electron
// baseline and keep text from clusters out of HTML.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { securityConfigs } from './scripts/eslint/nestlab-security.js';

/** Main-process code uses libraries' public entry points only (a deep import breaks on any release). */
const mainImportPatterns = [
  { group: ['@kubernetes/client-node/*'], message: "Use client-node's public API (src/main/kube), not its internal files." },
];

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'url', 'util', 'events'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'coverage/**', 'test-results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    // Matchers like expect.objectContaining are typed any, and expect(obj.method) is fine.
    files: ['**/*.test.ts', '**/*.test.tsx', 'tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/main/**', '../main/*', '**/preload/**'],
              message: 'The renderer talks to the main process only through the typed client.',
            },
            { group: ['electron', ...nodeBuiltins], message: 'The renderer runs in a sandboxed page: no Node or Electron modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', ...nodeBuiltins, 'react', 'react-dom'],
              message: 'src/shared runs in every process: no Node, Electron or DOM modules.',
            },
            { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared depends on nothing else in src.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron'], message: 'Services are plain Node; only src/main/electron may import electron.' },
            { group: ['**/renderer/**', '**/preload/**'], message: 'Main never imports renderer or preload code.' },
            ...mainImportPatterns,
          ],
        },
      ],
    },
  },
  {
    // One client per API server: src/main/kube owns HTTPS to it (options, errors, refresh, proxy-url).
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**', 'src/main/kube/**', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron'], message: 'Services are plain Node; only src/main/electron may import electron.' },
            { group: ['**/renderer/**', '**/preload/**'], message: 'Main never imports renderer or preload code.' },
            ...mainImportPatterns,
            { group: ['https', 'node:https'], message: 'Requests to an API server go through src/main/kube, the one HTTPS client.' },
          ],
        },
      ],
    },
  },
  ...securityConfigs,
);
