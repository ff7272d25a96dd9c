// @ts-check
/**
 * The two boundaries of the code base, as ESLint rules (eslint.config.js applies them;
 * test/lint/boundaries.unit.test.ts plants imports that must fail). Type imports are always allowed: they
 * vanish at compile time.
 */

/** @type {import('eslint').Linter.Config[]} */
export const boundaries = [
  {
    // Development tooling (sandbox, dev server, Temporal binary finder) stays out of the product: only the
    // `dev` and `sandbox` commands load it, with import() when run, so a production install works without it.
    // (The workflow and model rules below are stricter and replace this one for their folders.)
    files: ['src/**/*.ts'],
    ignores: ['src/dev/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)dev/|^@temporalio/testing$|^tsx',
              allowTypeImports: true,
              message:
                'Production code does not import development tooling (src/dev, @temporalio/testing, tsx).',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: it imports by value only its own folder,
    // src/model/workflow-safe/ and the workflow SDK with its common part (types may come from anywhere: they
    // vanish at compile time). The rest of src/model carries zod, which stays out of the workflow bundle.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./|\\.\\./model/workflow-safe/|@temporalio/(common|workflow)$)',
              allowTypeImports: true,
              message:
                'Workflows import by value only ./, ../model/workflow-safe/ and @temporalio/workflow or /common.',
            },
          ],
        },
      ],
    },
  },
  {
    // The model is loaded into the workflow sandbox too: pure code, no Node built-ins, no I/O.
    files: ['src/model/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./|zod$|@temporalio/(common|workflow)$)',
              allowTypeImports: true,
              message: 'src/model imports only ./, zod and @temporalio/common or /workflow.',
            },
          ],
        },
      ],
    },
  },
  {
    // What workflows import by value: pure, and without zod (the workflow bundle test checks the built bundle).
    files: ['src/model/workflow-safe/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./|@temporalio/(common|workflow)$)',
              allowTypeImports: true,
              message:
                'src/model/workflow-safe imports by value only ./ and @temporalio/common or /workflow.',
            },
          ],
        },
      ],
    },
  },
];
