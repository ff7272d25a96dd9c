/**
 * Makes sure the Temporal CLI and the time-skipping test server are available (see src/dev/temporal-binary.ts
 * for where it looks, and fetches) and says which were found.
 */
import { describeBinary, findTemporalCli, findTestServer } from '../src/dev/temporal-binary.js';

const log = (line: string) => console.log(line);
for (const [label, binary] of [
  ['Temporal CLI', await findTemporalCli({ log })],
  ['Temporal test server', await findTestServer({ log })],
] as const) {
  console.log(
    `${label} ready: ${binary.path ?? '(SDK download at first use)'} from ${binary.source}, ${describeBinary(binary)}`,
  );
}
