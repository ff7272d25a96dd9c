import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DisableUsersInput, OnboardBankInput } from '../../src/model/contract.js';
import { describeIssues } from '../../src/model/validation.js';
import { emailProblem } from '../../src/model/email.js';
import { PostUser } from '../../src/model/idp-schemas.js';
import { emailOfLength } from '../support/emails.js';

const VALID = [
  'a@example.com',
  "o'brien+tag@sub.example.co.uk",
  "!#$%&'*+/=?^_`{|}~-@example.com",
  'first.last@x-y.example',
  `${'l'.repeat(64)}@example.com`,
  emailOfLength(254, 'longest'),
];

/** [address, the rule the message names] */
const INVALID: [string, RegExp][] = [
  ['', /it is empty/],
  ['alice.example.com', /no @/],
  ['@example.com', /nothing comes before the @/],
  ['a(b)@example.com', /"\(" is not allowed before the @/],
  ['a;b@example.com', /";" is not allowed before the @/],
  ['a>b@example.com', /">" is not allowed before the @/],
  ['a b@example.com', /" " is not allowed/],
  ['"quoted"@example.com', /"\\"" is not allowed/],
  ['a@b@example.com', /"@" is not allowed/],
  ['é@example.com', /"é" is not allowed/],
  ['.a@example.com', /dots before the @/],
  ['a.@example.com', /dots before the @/],
  ['a..b@example.com', /dots before the @/],
  [`${'l'.repeat(65)}@example.com`, /before the @ must be at most 64/],
  ['a@example', /domain must be a host name/],
  ['a@-example.com', /domain must be a host name/],
  ['a@example-.com', /domain must be a host name/],
  ['a@ex_ample.com', /domain must be a host name/],
  ['a@example..com', /domain must be a host name/],
  ['a@[192.0.2.1]', /domain must be a host name/],
  [`a@${'d'.repeat(64)}.com`, /at most 63/],
  [emailOfLength(255, 'long'), /at most 254 characters/],
];

describe('email addresses: one schema for the client, the CLI, the workflow and the sandbox', () => {
  it('accepts addresses in dot-atom form up to 254 characters', () => {
    for (const email of VALID) assert.equal(emailProblem(email), undefined, email);
  });

  it('refuses everything else, naming the rule', () => {
    for (const [email, rule] of INVALID) assert.match(emailProblem(email) ?? 'accepted', rule, email);
  });

  it('is the rule of the workflow input and of the IdP request alike', () => {
    const onboard = OnboardBankInput.safeParse({
      bankGuid: 'a'.repeat(32),
      users: [{ email: 'a(b)@x.com' }],
    });
    assert.match(describeIssues(onboard.error!), /^users\.0\.email: must be an email address local@domain/);
    const post = PostUser.safeParse({ email: 'a;b@x.com' });
    assert.match(describeIssues(post.error!), /^email: must be an email address local@domain/);
  });

  it('disableUsers takes an email or a 32-hex user guid, and says so', () => {
    const input = (users: string[]) => DisableUsersInput.safeParse({ users, reason: 'test' });
    assert.equal(input(['a@example.com', 'f'.repeat(32)]).success, true);
    assert.equal(
      describeIssues(input(['not-an-email']).error!),
      'users.0: must be an email or a 32-hex user guid',
    );
    assert.equal(
      describeIssues(input(['F'.repeat(32)]).error!),
      'users.0: must be an email or a 32-hex user guid',
    );
    assert.match(describeIssues(input(['a>b@example.com']).error!), /^users\.0: .*">" is not allowed/);
  });
});
