/**
 * Child process of crash.unit.test.ts: `crash-writer.ts <directory> <writers>` keeps writing versions of
 * `writers` secret names in parallel with the keys from PROVISIONER_SECRET_KEYS, and prints
 * `<name> <version> <value>` once each write has completed, until it is killed.
 */
import { openLocalSecretStore } from '../../src/secrets/index.js';

const [directory, writers] = process.argv.slice(2);
if (!directory || !writers) throw new Error('usage: crash-writer.ts <directory> <writers>');
const store = await openLocalSecretStore({ directory, keys: process.env.PROVISIONER_SECRET_KEYS });
await Promise.all(
  Array.from({ length: Number(writers) }, async (_, writer) => {
    // Two writers per name, so some wait for a lock while another holds it.
    const name = `users/u${writer % Math.ceil(Number(writers) / 2)}/invite-url`;
    for (let n = 0; ; n++) {
      const value = `w${writer}-${n}-${'v'.repeat(n % 500)}`;
      const { version } = await store.put(name, value);
      process.stdout.write(`${name} ${version} ${value}\n`);
    }
  }),
);
