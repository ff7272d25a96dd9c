/** `provisioner codec-server`: decodes payloads for authorized operators in the Web UI and the Temporal CLI. */
import type { Command } from 'commander';
import { CodecServerEnv, startCodecServer } from '../../codec/index.js';
import { loadCodecKeys } from '../../dependencies.js';
import { parseEnv } from '../../config.js';
import { createLogger } from '../../log.js';

export function registerCodecServer(program: Command): void {
  program
    .command('codec-server')
    .description('serve /decode and /encode for the Temporal Web UI and CLI (bearer token required)')
    .option('--port <n>', 'port', '8234')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .action(async (flags: { port: string; host: string }) => {
      const config = parseEnv(CodecServerEnv);
      const server = await startCodecServer({
        keys: await loadCodecKeys(config),
        host: flags.host,
        port: Number(flags.port),
        authToken: config.PROVISIONER_CODEC_AUTH_TOKEN,
        allowedOrigins: config.PROVISIONER_CODEC_CORS_ORIGINS,
        logger: createLogger(config.PROVISIONER_LOG_LEVEL),
      });
      process.stderr.write(
        `codec server on ${server.url} for origins ${config.PROVISIONER_CODEC_CORS_ORIGINS.join(', ')}\n`,
      );
      process.stderr.write(
        `Temporal CLI: temporal workflow show --codec-endpoint ${server.url} --codec-auth "Bearer $PROVISIONER_CODEC_AUTH_TOKEN" ...\n`,
      );
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await server.close();
    });
}
