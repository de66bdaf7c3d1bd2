// The bench helper (test/auth/helpers/bench-tokens.ts) mints tokens the gateway accepts with the
// validator block it returns, each distinct, and writes them for a load generator script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startBackend } from '../helpers/backend.js';
import { startGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { mintBenchTokens } from './helpers/bench-tokens.js';

test('bench tokens are distinct and accepted by the returned validator block', async () => {
  const { tokens, tokensPath, validator } = await mintBenchTokens(20);
  assert.equal(new Set(tokens).size, 20);
  assert.deepEqual(readFileSync(tokensPath, 'utf8').trim().split('\n'), tokens);
  const be = await startBackend();
  const gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [{ endpoint: '/jwt', backend: [{ url_pattern: '/x' }], extra_config: { 'auth/validator': validator } }],
  });
  try {
    for (const t of tokens) assert.equal((await http(gw.port, 'GET', '/jwt', { authorization: `Bearer ${t}` })).status, 200);
    assert.equal((await http(gw.port, 'GET', '/jwt')).status, 401);
  } finally {
    await gw.stop();
    await be.close();
  }
});
