// One lint configuration for the whole workspace (flat config).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The apps reach the database only through the repositories of @pocketping/db (tenant id as an argument, plain DTOs
// back): no Prisma model call, raw query or transaction in an app, whatever the client's variable is called
// (db, tx, app.db, ctx.db, deps.db, getContext().db…). Tests and test helpers set up data directly and are exempt.
const PRISMA_MODEL_METHODS =
  '/^(findFirst|findFirstOrThrow|findUnique|findUniqueOrThrow|findMany|create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany|count|aggregate|groupBy)$/';
const DB_CLIENT_NAMES = '/^(db|tx|prisma)$/';
const NO_DIRECT_DB = [
  {
    selector: `CallExpression[callee.property.name=${PRISMA_MODEL_METHODS}][callee.object.object.name=${DB_CLIENT_NAMES}]`,
    message: 'Call a repository of @pocketping/db instead of a Prisma model.',
  },
  {
    selector: `CallExpression[callee.property.name=${PRISMA_MODEL_METHODS}][callee.object.object.property.name=${DB_CLIENT_NAMES}]`,
    message: 'Call a repository of @pocketping/db instead of a Prisma model.',
  },
  {
    selector:
      'MemberExpression[property.name=/^\\$(queryRaw|executeRaw|queryRawUnsafe|executeRawUnsafe|transaction)$/]',
    message:
      'Raw SQL and transactions live in the repositories of @pocketping/db (inTransaction, withOrganizationLock…).',
  },
];
const APP_TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', '**/testing/**'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '**/.next-*/**',
      '**/next-env.d.ts',
      '**/.turbo/**',
      'artifacts/**',
      'packages/db/src/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        window: 'readonly',
        document: 'readonly',
        localStorage: 'readonly',
        navigator: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['apps/**/*.ts', 'apps/**/*.tsx'],
    ignores: APP_TEST_FILES,
    rules: { 'no-restricted-syntax': ['error', ...NO_DIRECT_DB] },
  },
  {
    // Request bodies are read only through @pocketping/core's size-limited reader (readBodyWithLimit, limitBytes):
    // req.text()/json()/formData() and 'data' listeners buffer whatever a client sends, however large.
    files: ['apps/web/src/**/*.ts', 'apps/web/src/**/*.tsx', 'apps/realtime/src/**/*.ts'],
    ignores: APP_TEST_FILES,
    rules: {
      // Repeats NO_DIRECT_DB: a later block's options replace an earlier block's for the same rule.
      'no-restricted-syntax': [
        'error',
        ...NO_DIRECT_DB,
        {
          selector:
            'CallExpression[callee.object.name=/^(req|request)$/][callee.property.name=/^(text|json|formData|arrayBuffer|blob)$/]',
          message:
            'Read request bodies with readBodyWithLimit (@pocketping/core): counted as they stream, 413 past the limit.',
        },
        {
          selector:
            "CallExpression[callee.object.name=/^(req|request)$/][callee.property.name=/^(on|once|addListener)$/][arguments.0.value='data']",
          message: 'Read request bodies with readBodyWithLimit or limitBytes (@pocketping/core).',
        },
      ],
    },
  },
  {
    // Configuration is read in one place per app: its env.ts parses process.env with zod at boot; everything else
    // receives config as arguments. Tests, the testkit, benches and scripts set up environments and are exempt.
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'packages/**/*.ts'],
    ignores: [
      '**/env.ts',
      '**/*.test.ts',
      '**/testing/**',
      'packages/testkit/**',
      'packages/core/src/parse-env.ts',
      'apps/web/next.config.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: "Read configuration in the app's env.ts (zod) and pass it down.",
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'apps/cli/**', 'packages/testkit/src/serve-*.ts'],
    rules: { 'no-console': 'off' },
  },
);
