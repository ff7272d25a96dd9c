/** Makes sure a Temporal CLI is available (see src/dev/temporal-binary.ts for where it looks) and says which. */
import { findTemporalCli } from '../src/dev/temporal-binary.js';

const cli = await findTemporalCli({ log: (line) => console.log(line) });
console.log(
  `Temporal CLI ready: ${cli.path ?? '(SDK download at first use)'} from ${cli.source}, ${cli.version}`,
);
