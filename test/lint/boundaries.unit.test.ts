/**
 * The lint rules that keep the two boundaries (workflow sandbox, development tooling) fail on a planted
 * import: each case lints real file paths with one import added and expects the rule to name it. What they
 * allow workflows by value (src/model/workflow-safe/) is what the workflow bundle test allows: no zod.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { boundaries } from '../../eslint.boundaries.js';

// The project's boundary rules alone, without type information (which these rules do not need): the same
// rules `npm run lint` applies, at a fraction of the cost of a type-checked lint per case.
const eslint = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { '@typescript-eslint': tseslint.plugin },
    },
    ...boundaries,
  ],
});

async function problemsWith(filePath: string, plantedImport: string): Promise<string[]> {
  const source = `${plantedImport}\n${await readFile(filePath, 'utf8')}`;
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('lint: workflow boundary and development tooling', () => {
  const refused: [string, string, RegExp][] = [
    [
      'src/workflows/onboard-bank.ts',
      "import { readFile } from 'node:fs/promises';",
      /Workflows import by value only/,
    ],
    [
      'src/workflows/onboard-bank.ts',
      "import { createIdpClient } from '../idp/client.js';",
      /Workflows import by value only/,
    ],
    ['src/workflows/onboard-bank.ts', "import ky from 'ky';", /Workflows import by value only/],
    // zod-backed model files give workflows their types only: a value import pulls zod into the bundle.
    [
      'src/workflows/onboard-bank.ts',
      "import { Guid } from '../model/idp-schemas.js';",
      /Workflows import by value only/,
    ],
    [
      'src/model/workflow-safe/operations.ts',
      "import { z } from 'zod';",
      /src\/model\/workflow-safe imports by value only/,
    ],
    [
      'src/model/workflow-safe/planner.ts',
      "import { Manifest } from '../manifest.js';",
      /src\/model\/workflow-safe imports by value only/,
    ],
    [
      'src/workflows/onboard-bank.ts',
      "import { Client } from '@temporalio/client';",
      /Workflows import by value only/,
    ],
    ['src/model/contract.ts', "import { randomUUID } from 'node:crypto';", /src\/model imports only/],
    [
      'src/model/contract.ts',
      "import { openSqliteLedger } from '../ledger/ledger.js';",
      /src\/model imports only/,
    ],
    ['src/worker.ts', "import { startSandbox } from './dev/sandbox/index.js';", /development tooling/],
    [
      'src/cli/main.ts',
      "import { TestWorkflowEnvironment } from '@temporalio/testing';",
      /development tooling/,
    ],
  ];
  for (const [file, planted, message] of refused) {
    it(`refuses \`${planted}\` in ${file}`, async () => {
      const problems = await problemsWith(file, planted);
      assert.equal(problems.length, 1, `expected one problem, got ${JSON.stringify(problems)}`);
      assert.match(problems[0]!, message);
    });
  }

  const allowed: [string, string][] = [
    ['src/workflows/onboard-bank.ts', "import type { IdpClient } from '../idp/client.js';"],
    ['src/workflows/onboard-bank.ts', "import type { Guid } from '../model/idp-schemas.js';"],
    [
      'src/workflows/onboard-bank.ts',
      "import { bankWorkflowId } from '../model/workflow-safe/operations.js';",
    ],
    ['src/model/workflow-safe/planner.ts', "import type { Manifest } from '../manifest.js';"],
    ['src/model/contract.ts', "import { defineSearchAttributeKey } from '@temporalio/common';"],
  ];
  for (const [file, planted] of allowed) {
    it(`allows \`${planted}\` in ${file}`, async () => {
      assert.deepEqual(await problemsWith(file, planted), []);
    });
  }
});
