/**
 * Child process of concurrency.unit.test.ts: `child-writer.ts <directory> <name> <count> <label>` writes `count`
 * versions in parallel with the keys from PROVISIONER_SECRET_KEYS. Prints "ready" once the store is open and
 * starts writing when a line arrives on stdin, so its writes overlap the parent's.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { openLocalSecretStore } from '../../src/secrets/index.js';

const [directory, name, count, label] = process.argv.slice(2);
if (!directory || !name || !count || !label)
  throw new Error('usage: child-writer.ts <directory> <name> <count> <label>');
const store = await openLocalSecretStore({ directory, keys: process.env.PROVISIONER_SECRET_KEYS });
const lines = createInterface({ input: process.stdin });
const go = once(lines, 'line');
process.stdout.write('ready\n');
await go;
lines.close();
await Promise.all(Array.from({ length: Number(count) }, (_, i) => store.put(name, `${label}-${i}`)));
