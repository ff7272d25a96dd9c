import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { CustomerToken } from '../../src/model/idp-schemas.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { assertError, bankToken, call, guid, orgToken, seedCustomer, stats } from './support.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

describe('sandbox POST /api/customer_tokens', () => {
  let sandbox: RunningSandbox;
  let bankGuid: string;
  let bank: string;
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:', contract: WRITING_CONTRACT });
    bankGuid = guid();
    bank = await bankToken(sandbox, bankGuid, 'customers:read customers:write');
  });
  after(() => sandbox.close());

  const post = (body: unknown, token = bank) =>
    call(sandbox, 'POST', '/api/customer_tokens', { token, body });

  const seed = (ofBank = bankGuid) => seedCustomer(sandbox, ofBank);

  it('issues a customer JWT (201) for a bank token', async () => {
    const customerGuid = await seed();
    const writes = (await stats(sandbox)).writes;
    const answer = await post({ customer_guid: customerGuid, scopes: ['customers:read', 'accounts:read'] });
    assert.equal(answer.status, 201, answer.text);
    const { access_token } = CustomerToken.parse(answer.body);
    assert.deepEqual(Object.keys(answer.body as object), ['access_token']);
    const claims = decodeJwt(access_token);
    assert.equal(claims.sub, customerGuid);
    assert.equal(claims.sub_type, 'customer');
    assert.deepEqual(claims.scope, ['customers:read', 'accounts:read']);
    assert.deepEqual(claims.properties, { bank_guid: bankGuid, bank_type: 'sandbox' });
    assert.equal(claims.exp! - claims.iat!, 1800);
    assert.equal(claims.iss, sandbox.url);
    assert.equal((await stats(sandbox)).writes, writes, 'a customer token is not an IdP state change');
  });

  it('refuses organization tokens with 401 invalid_subject', async () => {
    const org = await orgToken(sandbox, 'customers:read customers:write');
    assertError(
      await post({ customer_guid: guid(), scopes: ['customers:read'] }, org),
      401,
      'invalid_subject',
      'Invalid Subject type. Required: bank',
    );
  });

  it('answers 422 no_customer for a customer it was not told of, or of another bank', async () => {
    for (const customerGuid of [guid(), `0${guid().slice(1)}`, 'A'.repeat(32), await seed(guid())]) {
      assertError(
        await post({ customer_guid: customerGuid, scopes: ['customers:read'] }),
        422,
        'no_customer',
        'Unknown customer',
      );
    }
  });

  it('is told of customers through POST /__sandbox/customers, idempotently', async () => {
    const customerGuid = guid();
    const seeded = { guid: customerGuid, bank_guid: bankGuid };
    for (const status of [201, 200]) {
      const answer = await call(sandbox, 'POST', '/__sandbox/customers', { body: seeded });
      assert.equal(answer.status, status, answer.text);
      assert.deepEqual(answer.body, seeded);
    }
    const elsewhere = { guid: customerGuid, bank_guid: guid() };
    assertError(
      await call(sandbox, 'POST', '/__sandbox/customers', { body: elsewhere }),
      409,
      'customer_exists',
    );
    assertError(
      await call(sandbox, 'POST', '/__sandbox/customers', { body: { bank_guid: 'not-a-guid' } }),
      400,
      'invalid_parameter',
      /^bank_guid: /,
    );
    assert.equal((await post({ customer_guid: customerGuid, scopes: ['customers:read'] })).status, 201);
  });

  it('validates the body (422 invalid_parameter)', async () => {
    const ok = await seed();
    const cases: [unknown, RegExp][] = [
      [{ customer_guid: ok.slice(0, 31), scopes: ['customers:read'] }, /customer_guid/],
      [{ customer_guid: `${ok}0`, scopes: ['customers:read'] }, /customer_guid/],
      [{ customer_guid: ok, scopes: [] }, /scopes/],
      [{ customer_guid: ok, scopes: ['customers:read', 'customers:read'] }, /scopes/],
      [{ customer_guid: ok, scopes: ['banks:read'] }, /scopes\.0/],
      [{ customer_guid: ok, scopes: ['customers:execute'] }, /scopes\.0/],
      [{ scopes: ['customers:read'] }, /customer_guid/],
      [{ customer_guid: ok }, /scopes/],
    ];
    for (const [body, field] of cases) assertError(await post(body), 422, 'invalid_parameter', field);
    assert.equal(
      (await post({ customer_guid: ok, scopes: ['sardine_sessions:execute'] })).status,
      201,
      'last enum value accepted',
    );
  });
});
