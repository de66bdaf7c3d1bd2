// GeoIP (plugin/http-server "geoip"): the client's country from a MaxMind .mmdb file (built here
// by a minimal MMDB writer and read by the real `maxmind` reader), allow and deny lists by
// country, and a declared header carrying the country to backends, which a client cannot forge.
// The client address follows the router's trusted-proxy rules.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { check } from './helpers/check.js';
import { httpFrom } from './helpers/http-from.js';
import { buildCountryMmdb } from './helpers/mmdb.js';

let db: string;
let be: TestBackend;
let allowGw: RunningGateway;
let denyGw: RunningGateway;

before(async () => {
  db = join(mkdtempSync(join(tmpdir(), 'rampart-geo-')), 'countries.mmdb');
  writeFileSync(
    db,
    buildCountryMmdb([
      ['127.0.0.2/32', 'DE'],
      ['127.0.0.3/32', 'US'],
      ['127.0.0.4/32', 'FR'],
      ['::1/128', 'JP'],
    ]),
  );
  be = await startBackend();
  const endpoints = [{ endpoint: '/x', input_headers: ['X-Country'], backend: [{ url_pattern: '/x' }] }];
  allowGw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: {
      router: { trusted_proxies: ['127.0.0.6'] },
      'plugin/http-server': { name: ['geoip'], geoip: { citydb_path: db, allow_countries: ['DE', 'jp'], country_header: 'X-Country' } },
    },
    endpoints,
  });
  denyGw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: { 'plugin/http-server': { name: ['geoip'], geoip: { citydb_path: db, deny_countries: ['US'], country_header: 'X-Country' } } },
    endpoints,
  });
});

after(async () => {
  await Promise.all([allowGw?.stop(), denyGw?.stop()]);
  await be?.close();
});

async function expect(gw: RunningGateway, from: string, headers: Record<string, string>, status: number, country?: string): Promise<void> {
  const n = be.seen.length;
  const r = await httpFrom(from, gw.port, 'GET', '/x', headers);
  assert.equal(r.status, status, `${from} ${JSON.stringify(headers)}`);
  assert.equal(be.seen.length, n + (status === 200 ? 1 : 0));
  if (country !== undefined) assert.equal(be.seen[n].headers['x-country'], country);
}

test('allow list by country: listed countries pass with the country header, others and unknown get 403', async () => {
  await expect(allowGw, '127.0.0.2', { 'X-Country': 'US' }, 200, 'DE');
  await expect(allowGw, '::1', {}, 200, 'JP');
  await expect(allowGw, '127.0.0.3', {}, 403);
  await expect(allowGw, '127.0.0.4', { 'X-Country': 'DE' }, 403);
  await expect(allowGw, '127.0.0.5', {}, 403);
});

test('the country is looked up for the client behind a trusted proxy only', async () => {
  await expect(allowGw, '127.0.0.6', { 'X-Forwarded-For': '127.0.0.2' }, 200, 'DE');
  await expect(allowGw, '127.0.0.6', { 'X-Forwarded-For': '127.0.0.3' }, 403);
  await expect(allowGw, '127.0.0.3', { 'X-Forwarded-For': '127.0.0.2' }, 403);
});

test('deny list by country: denied countries get 403; unknown pass with an empty header', async () => {
  await expect(denyGw, '127.0.0.3', {}, 403);
  await expect(denyGw, '127.0.0.4', {}, 200, 'FR');
  await expect(denyGw, '127.0.0.5', { 'X-Country': 'DE' }, 200, '');
});

test('a missing database or a bad country code stops startup', () => {
  const base = { version: 3, endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] }] };
  const missing = check({
    ...base,
    extra_config: { 'plugin/http-server': { name: ['geoip'], geoip: { citydb_path: '/nonexistent/x.mmdb', deny_countries: ['US'] } } },
  });
  assert.equal(missing.code, 1);
  assert.match(missing.out, /plugin~1http-server\/geoip\/citydb_path: cannot load "\/nonexistent\/x.mmdb": ENOENT/);
  const junk = join(mkdtempSync(join(tmpdir(), 'rampart-geo-')), 'junk.mmdb');
  writeFileSync(junk, 'not a database');
  const notDb = check({ ...base, extra_config: { 'plugin/http-server': { name: ['geoip'], geoip: { citydb_path: junk, deny_countries: ['US'] } } } });
  assert.equal(notDb.code, 1, notDb.out);
  assert.match(notDb.out, /geoip\/citydb_path: cannot load/);
  const code = check({ ...base, extra_config: { 'plugin/http-server': { name: ['geoip'], geoip: { citydb_path: db, allow_countries: ['Germany'] } } } });
  assert.equal(code.code, 1);
  assert.match(code.out, /allow_countries\/0: must match/);
});
