/** The package's version; package.json sits two folders up from src/cli and from dist/cli alike. */
import { createRequire } from 'node:module';

export const { version: PACKAGE_VERSION } = createRequire(import.meta.url)('../../package.json') as {
  version: string;
};
