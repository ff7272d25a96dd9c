import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultApplicationName,
  markedApplicationName,
  operationMarker,
  rotationBaseName,
} from '../../src/model/workflow-safe/application-names.js';

void test('an application name carries its operation marker, replaces an old one, and fits 128 characters', () => {
  const marker = operationMarker('0F1E2D3C-4B5A-4968-8776-655443322110');
  assert.equal(marker, '0f1e2d3c4b5a');
  const name = markedApplicationName(defaultApplicationName('ab'.repeat(16)), marker);
  assert.equal(name, `bank-${'ab'.repeat(16)} [op 0f1e2d3c4b5a]`);
  assert.equal(markedApplicationName(name, 'ffffffffffff'), `bank-${'ab'.repeat(16)} [op ffffffffffff]`);
  const long = markedApplicationName('n'.repeat(200), marker);
  assert.equal(long.length, 128);
  assert.ok(long.endsWith(' [op 0f1e2d3c4b5a]'));
});

void test('a rotation names its application after the current one, without its marker or an older rotation time', () => {
  const startedAt = new Date('2026-03-04T05:06:07.890Z');
  assert.equal(
    rotationBaseName('bank-x (rotated 2025-01-01T00:00:00Z) [op 0123456789ab]', startedAt),
    'bank-x (rotated 2026-03-04T05:06:07Z)',
  );
  assert.equal(rotationBaseName('custom name', startedAt), 'custom name (rotated 2026-03-04T05:06:07Z)');
});
