// eslint for aims, run from the repository root by scripts/lint.sh. It lives here with its own
// node_modules because the project compiles with TypeScript 7 (native, no JS API) while
// typescript-eslint parses with the TypeScript 6 API installed next to this file.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

export default tseslint.config(
  {basePath: root, ignores: ['node_modules/**', 'dist/**', '.tools/**', '.bed/**', 'tools/**', 'coverage/**']},
  {
    basePath: root,
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        clearImmediate: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        performance: 'readonly',
        globalThis: 'readonly',
        NodeJS: 'readonly',
        BufferEncoding: 'readonly',
      },
    },
    rules: {
      // Unused names are errors, except a leading underscore marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'},
      ],
      // `import('…').T` annotations are how lazily loaded modules are typed without loading them.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        {fixStyle: 'inline-type-imports', disallowTypeAnnotations: false},
      ],
      // Sanitizers match control characters on purpose; that is the point of their patterns.
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always', {null: 'ignore'}],
      'no-console': 'off',
      // `const session = this` names the session for the classes and closures it builds.
      '@typescript-eslint/no-this-alias': ['error', {allowedNames: ['session']}],
      // A `let` assigned once, after a closure that reads it was created, stays a `let`.
      'prefer-const': ['error', {ignoreReadBeforeAssign: true}],
    },
  },
  {
    // Fakes of wire formats read parsed JSON loosely, as the servers they imitate do.
    basePath: root,
    files: ['test/**/*.ts'],
    rules: {'@typescript-eslint/no-explicit-any': 'off'},
  },
)
