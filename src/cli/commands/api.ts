/** `provisioner api`: the HTTP API (see src/api), configured from the environment. */
import type { Command } from 'commander';
import { ApiEnv } from '../../api/config.js';
import { runApiServer } from '../../api/run.js';
import { parseEnv } from '../../config.js';
import { createLogger } from '../../log.js';
import { portOption } from '../options.js';
import { PACKAGE_VERSION } from '../version.js';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description('serve the HTTP API: start operations, read status, OpenAPI at /openapi.json (see README)')
    .option('--port <n>', 'port', portOption('--port'), 8080)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .action(async (flags: { port: number; host: string }) => {
      const config = parseEnv(ApiEnv);
      const logger = createLogger(config.PROVISIONER_LOG_LEVEL);
      const server = await runApiServer(config, {
        host: flags.host,
        port: flags.port,
        logger,
        version: PACKAGE_VERSION,
      });
      process.stderr.write(`HTTP API on ${server.url} (reference ${server.url}/docs)\n`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await server.close();
    });
}
