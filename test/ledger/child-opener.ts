/** Child process of ledger.test.ts: `child-opener.ts <location JSON>` opens the ledger, records a user, prints "opened". */
import { openLedger } from '../../src/ledger/index.js';

const ledger = await openLedger(JSON.parse(process.argv[2] ?? '{}') as { sqliteFile: string });
await ledger.recordUsers('bank-a', [{ guid: 'u1', email: 'amy@example.com' }]);
await ledger.close();
process.stdout.write('opened\n');
