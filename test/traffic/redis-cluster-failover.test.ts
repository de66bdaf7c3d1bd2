// Redis Cluster (`redis` `clusters`, ioredis' Cluster client) against a real six-node cluster on
// loopback (three masters, three replicas, test/helpers/redis-cluster.ts): two gateway processes
// share rate limits and token revocations through it; then the master holding most of the
// limiter keys is killed (SIGKILL), its replica takes over, and limits and revocations keep
// being shared, a node started after the failover loads the revocations from the promoted
// master. Every wait is bounded; every process is stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { startRedisCluster, type RunningCluster } from '../helpers/redis-cluster.js';
import { eventually } from '../auth/helpers/secrets.js';
import { jwks, makeKey, mint, writeJwksFile, type SigningKey } from '../auth/helpers/tokens.js';
import { blast, within } from './load.js';

const ADMIN_KEY = 'cluster-admin-key-8f1e2a77';
const R = 100;
const PER_CLIENT = 10;
const PREFIX = `rampart:rc:${process.pid}`;
let rc: RunningCluster;
let be: TestBackend;
let key: SigningKey;
let jwksFile: string;
const gws: RunningGateway[] = [];

function config(admin: boolean) {
  return {
    version: 3,
    name: 'redis-cluster-failover',
    host: [be.origin],
    extra_config: {
      redis: { clusters: [{ name: 'rc', addresses: rc.addresses, client_name: 'rampart-test', dial_timeout: '1s', read_timeout: '1s' }] },
      'auth/revoker': {
        N: 100_000,
        P: 0.0000001,
        hash_name: 'optimal',
        TTL: 3600,
        token_keys: ['jti'],
        ...(admin ? { admin: { port: 0, key_sha256: createHash('sha256').update(ADMIN_KEY).digest('hex') } } : {}),
        redis: { connection_name: 'rc', key_prefix: PREFIX },
      },
    },
    endpoints: [
      {
        endpoint: '/limited',
        backend: [{ url_pattern: '/l' }],
        extra_config: { 'qos/ratelimit/router': { max_rate: R, capacity: R, every: '1h', connection_name: 'rc' } },
      },
      {
        endpoint: '/per-client',
        backend: [{ url_pattern: '/p' }],
        extra_config: {
          'qos/ratelimit/router/redis': {
            client_max_rate: PER_CLIENT,
            client_capacity: PER_CLIENT,
            every: '1h',
            strategy: 'header',
            key: 'X-Key',
            connection_name: 'rc',
          },
        },
      },
      { endpoint: '/api', backend: [{ url_pattern: '/api' }], extra_config: { 'auth/validator': { alg: 'RS256', jwk_local_path: jwksFile } } },
    ],
  };
}

function adminPort(gw: RunningGateway): number {
  for (const line of gw.output().split('\n')) if (line.includes('auth/revoker admin listening')) return JSON.parse(line).port;
  throw new Error('no admin listener');
}

const revoke = (jti: string) => http(adminPort(gws[0]), 'POST', `/tokens/jti/${jti}`, { authorization: `Bearer ${ADMIN_KEY}` });
const call = async (gw: RunningGateway, token: string) => (await http(gw.port, 'GET', '/api', { authorization: `Bearer ${token}` })).status;

/** Each of `keys` is asked for 2 x PER_CLIENT calls, alternating over both gateways; returns admitted per key. */
async function perClient(keys: string[]): Promise<number[]> {
  return Promise.all(
    keys.map(async (k) => {
      const t = await blast(
        gws.slice(0, 2).map((g) => g.port),
        '/per-client',
        2 * PER_CLIENT,
        2,
        () => ({ 'x-key': k }),
      );
      assert.equal(t.errors, 0);
      return t.byStatus[200] ?? 0;
    }),
  );
}

const count = (gw: RunningGateway, re: RegExp) => (gw.output().match(new RegExp(re, 'g')) ?? []).length;

before(async () => {
  rc = await startRedisCluster();
  be = await startBackend();
  key = await makeKey('k1');
  jwksFile = writeJwksFile(jwks(key));
  gws.push(await startGateway(config(true)), await startGateway(config(false)));
  for (const g of gws) assert.ok(await eventually(() => g.output().includes('redis connected'), 10_000), g.output());
});

after(async () => {
  await Promise.all(gws.map((g) => g.stop()));
  await be?.close();
  await rc?.stop();
});

test('two gateways share one limit and per-client limits through the cluster; a revocation reaches the other node', async () => {
  const t = await blast(
    gws.map((g) => g.port),
    '/limited',
    2 * R,
    8,
  );
  const admitted = t.byStatus[200] ?? 0;
  process.stdout.write(`# 2 gateways, Redis Cluster (3 masters): admitted ${admitted} of ${2 * R} (limit ${R})\n`);
  assert.equal(t.errors, 0);
  assert.ok(within(admitted, R, 0.05), `admitted ${admitted}`);
  const counts = await perClient(Array.from({ length: 12 }, (_, i) => `before-${i}`));
  assert.ok(
    counts.every((n) => n === PER_CLIENT),
    `per-client admitted ${counts.join(',')} (want ${PER_CLIENT} each)`,
  );
  // The keys spread over the masters (the slots of the cluster).
  const holding = rc.masters().filter((p) => rc.cli(p, 'KEYS', 'rampart:rl:*').trim() !== '');
  assert.ok(holding.length >= 2, `limiter keys on ${holding.length} master(s)`);
  const tok = await mint(key, { jti: 'before-failover' });
  assert.equal(await call(gws[1], tok), 200);
  assert.equal((await revoke('before-failover')).status, 204);
  assert.ok(await eventually(async () => (await call(gws[1], tok)) === 401, 1000, 20), 'node B still accepts the revoked token after 1 s');
  for (const g of gws) assert.doesNotMatch(g.output(), /redis refused|redis unreachable/);
});

test('a master fails over: limits stay shared and revocations keep flowing, with bounded waits', async () => {
  const masters = rc.masters();
  const keysOn = (p: number) => rc.cli(p, 'KEYS', 'rampart:rl:*').split('\n').filter(Boolean).length;
  const victim = masters.reduce((a, b) => (keysOn(b) > keysOn(a) ? b : a));
  const victimKeys = keysOn(victim);
  const zsetOnVictim = rc.masterOf(`${PREFIX}:entries`) === victim;
  const t0 = Date.now();
  await rc.kill(victim);
  await rc.waitHealthy(20_000, () => !rc.masters().includes(victim));
  const failoverMs = Date.now() - t0;
  // Warm-up: requests over every slot make each gateway's client meet the new slot map (a call
  // to the dead master fails, the pool reconnects, the slot map is refreshed).
  await perClient(Array.from({ length: 12 }, (_, i) => `warm-${i}`));
  const settled = await eventually(() => gws.every((g) => count(g, /redis connection restored/) >= count(g, /redis unreachable/)), 15_000, 100);
  assert.ok(settled, gws.map((g) => g.output().slice(-1500)).join('\n----\n'));
  await sleep(300);
  const tRecovered = Date.now() - t0;
  // The exhausted shared limit is still exhausted (its state was replicated), on both gateways.
  const still = await blast(
    gws.map((g) => g.port),
    '/limited',
    20,
    4,
  );
  assert.equal(still.byStatus[200] ?? 0, 0, JSON.stringify(still.byStatus));
  const counts = await perClient(Array.from({ length: 12 }, (_, i) => `after-${i}`));
  assert.ok(
    counts.every((n) => n === PER_CLIENT),
    `per-client admitted after failover ${counts.join(',')} (want ${PER_CLIENT} each)`,
  );
  const tok = await mint(key, { jti: 'after-failover' });
  assert.equal(await call(gws[1], tok), 200);
  assert.equal((await revoke('after-failover')).status, 204);
  assert.ok(await eventually(async () => (await call(gws[1], tok)) === 401, 2000, 20), 'node B missed a revocation made after the failover');
  process.stdout.write(
    `# killed master :${victim} (${victimKeys} limiter keys${zsetOnVictim ? ', the revocation set' : ''}): replica promoted in ${failoverMs} ms, both gateways shared again ${tRecovered} ms after the kill\n`,
  );
  // A node started after the failover loads both revocations from the cluster before serving.
  const late = await startGateway(config(false));
  gws.push(late);
  assert.equal(await call(late, await mint(key, { jti: 'before-failover' })), 401);
  assert.equal(await call(late, tok), 401);
  assert.equal(await call(late, await mint(key, { jti: 'fresh' })), 200);
  for (const g of gws) assert.equal(g.proc.exitCode, null, 'a gateway exited');
});

test('check: clusters and the revoker connection_name are checked with pointers, and the dry run connects to nothing', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeConfig, BIN } = await import('../helpers/gateway.js');
  const run = (cfg: object) => spawnSync(process.execPath, [BIN, 'check', '-c', writeConfig(cfg)], { encoding: 'utf8', timeout: 20_000 });
  const revoker = (redis: object) => ({ N: 1000, P: 0.01, hash_name: 'optimal', TTL: 60, token_keys: ['jti'], redis });
  const limited = [
    { endpoint: '/a', backend: [{ url_pattern: '/x' }], extra_config: { 'qos/ratelimit/router': { max_rate: 1, every: '1s', connection_name: 'rc' } } },
  ];
  const bad = run({
    version: 3,
    host: [be.origin],
    extra_config: {
      redis: {
        clusters: [
          { name: 'rc', addresses: ['127.0.0.1:7000', 'bad'] },
          { name: 'rc', addresses: ['127.0.0.1:7001'] },
        ],
      },
      'auth/revoker': revoker({ connection_name: 'nope' }),
    },
    endpoints: limited,
  });
  const out = bad.stdout + bad.stderr;
  assert.equal(bad.status, 1, out);
  assert.match(out, /\/extra_config\/redis\/clusters\/0\/addresses\/1: address "bad" must be host:port/);
  assert.match(out, /\/extra_config\/redis\/clusters\/1: the name "rc" is declared twice/);
  assert.match(out, /\/extra_config\/auth~1revoker\/redis: no Redis connection pool or cluster named "nope"/);
  const both = run({
    version: 3,
    host: [be.origin],
    extra_config: { 'auth/revoker': revoker({ url: 'redis://127.0.0.1:1', connection_name: 'rc' }) },
    endpoints: [],
  });
  assert.match(both.stdout + both.stderr, /give exactly one of "url" and "connection_name"/);
  // Unreachable seeds: check still passes (it connects to nothing).
  const ok = run({
    version: 3,
    host: [be.origin],
    extra_config: {
      redis: { clusters: [{ name: 'rc', addresses: ['127.0.0.1:1'], user_name: 'u', password: 'hunter2-secret' }] },
      'auth/revoker': revoker({ connection_name: 'rc' }),
    },
    endpoints: limited,
  });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.doesNotMatch(ok.stdout + ok.stderr, /hunter2-secret/);
});
