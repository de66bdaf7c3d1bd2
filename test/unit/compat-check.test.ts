// Issue #18, config side: `check` reports every phase in one pass, `check --lint`, weakly typed
// values, url_pattern "", encodings, hosts that are no http(s) origin, the root `plugin` field,
// plugin blocks, a refusal sentence for every KrakenD namespace Rampart does not build, problem
// positions moved into pointers, and `audit` on a non-list OTLP exporter block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../src/components/load-config.js';
import { problemsOf } from '../helpers/config-problems.js';
import { COMPONENTS_BY_NAMESPACE } from '../../src/components/registry.js';
import { KRAKEND_NAMESPACES } from '../../src/config/krakend-namespaces.js';
import { NOT_IMPLEMENTED_HINTS } from '../../src/config/namespace-hints.js';
import { goParseInt } from '../../src/config/weak-types.js';
import { placeProblem } from '../../src/pipeline/build-stages.js';
import { checkConfigText } from '../../src/server/check-config.js';
import { audit } from '../../src/audit/command.js';
import { decodeFeed, nameAddress } from '../../src/encoding/rss.js';
import { goTime } from '../../src/encoding/feed-dates.js';
import { BIN } from '../helpers/gateway.js';

const B = { host: ['http://127.0.0.1:9'], url_pattern: '/x' };
const cfg = (extra: object = {}, endpoints: object[] = [{ endpoint: '/a', backend: [B] }]) => JSON.stringify({ version: 3, endpoints, ...extra });

test('url_pattern "" is cleaned to "/"', () => {
  const { config } = loadConfigText('c.json', cfg({}, [{ endpoint: '/a', backend: [{ ...B, url_pattern: '' }] }]));
  assert.equal(config.endpoints[0].backends[0].urlPattern, '/');
});

test('weakly typed core values are read as KrakenD reads them, each with a warning at its pointer', () => {
  const { config, warnings } = loadConfigText(
    'c.json',
    JSON.stringify({
      version: '3',
      port: '8080',
      max_header_bytes: '0x1000',
      disable_keep_alives: 'true',
      name: 7,
      endpoints: [{ endpoint: '/a', concurrent_calls: '2', backend: [{ host: 'http://127.0.0.1:9', url_pattern: '/x', is_collection: 'F' }] }],
    }),
  );
  assert.equal(config.port, 8080);
  assert.equal(config.maxHeaderBytes, 4096);
  assert.equal(config.client.disableKeepAlives, true);
  assert.equal(config.name, '7');
  assert.equal(config.endpoints[0].concurrentCalls, 2);
  assert.deepEqual(config.endpoints[0].backends[0].hosts, ['http://127.0.0.1:9']);
  assert.equal(config.endpoints[0].backends[0].isCollection, false);
  for (const p of [
    '/version',
    '/port',
    '/max_header_bytes',
    '/disable_keep_alives',
    '/name',
    '/endpoints/0/concurrent_calls',
    '/endpoints/0/backend/0/host',
    '/endpoints/0/backend/0/is_collection',
  ])
    assert.ok(
      warnings.some((w) => w.startsWith(`${p}: `)),
      `no warning at ${p}: ${warnings.join('\n')}`,
    );
});

test('weak typing stops where it would change meaning: "" is not 0/false, 1 is not true, extra_config is strict', () => {
  const p = problemsOf(
    JSON.stringify({
      version: 3,
      port: '',
      allow_insecure_connections: 1,
      debug_endpoint: 'yes',
      extra_config: { router: { return_error_msg: 'true' } },
      endpoints: [{ endpoint: '/a', concurrent_calls: '1.5', backend: [B] }],
    }),
  );
  for (const at of ['/port', '/allow_insecure_connections', '/debug_endpoint', '/extra_config/router/return_error_msg', '/endpoints/0/concurrent_calls'])
    assert.ok(
      p.some((x) => x.pointer === at),
      `${at} not refused: ${JSON.stringify(p)}`,
    );
});

test('Go strconv.ParseInt(s, 0, 64) rules', () => {
  assert.equal(goParseInt('8080'), 8080);
  assert.equal(goParseInt('-12'), -12);
  assert.equal(goParseInt('0x1F'), 31);
  assert.equal(goParseInt('0o17'), 15);
  assert.equal(goParseInt('017'), 15);
  assert.equal(goParseInt('0b101'), 5);
  assert.equal(goParseInt('1_000'), 1000);
  for (const bad of ['', ' 1', '1.0', '08', '1__0', '_1', 'x', '1e3', '99999999999999999999']) assert.equal(goParseInt(bad), undefined, bad);
});

test('backend encodings: rss, yaml, fast-json (read as json) and any letter case; an unknown value is read as json, as lura falls back', () => {
  const enc = (e: string) => loadConfigText('c.json', cfg({}, [{ endpoint: '/a', backend: [{ ...B, encoding: e }] }])).config.endpoints[0].backends[0].encoding;
  assert.equal(enc('rss'), 'rss');
  assert.equal(enc('yaml'), 'yaml');
  assert.equal(enc('fast-json'), 'json');
  assert.equal(enc('JSON'), 'json');
  assert.equal(enc('Xml'), 'xml');
  assert.equal(loadConfigText('c.json', cfg({ output_encoding: 'fast-json' })).config.endpoints[0].outputEncoding, 'json');
  const { config, warnings } = loadConfigText('c.json', cfg({}, [{ endpoint: '/a', backend: [{ ...B, encoding: 'form' }] }]));
  assert.equal(config.endpoints[0].backends[0].encoding, 'json');
  assert.ok(
    warnings.some((w) => w.startsWith('/endpoints/0/backend/0/encoding: "form" is no KrakenD encoding; read as "json"')),
    warnings.join('\n'),
  );
});

test('a host with another scheme, none, or no valid port is a pointer error (was: "rampart: Invalid URL", exit 2)', () => {
  for (const [host, sanitize] of [
    ['ws://x', true],
    ['amqp://guest@rabbit:5672', true],
    ['x:1', true],
    ['::::', true],
    ['x:99999', false],
    ['http://a/b', true],
    ['http://u:p@a', true],
    ['', true],
  ] as const) {
    const p = problemsOf(cfg({}, [{ endpoint: '/a', backend: [{ ...B, host: [host], disable_host_sanitize: sanitize }] }]));
    assert.equal(p.length, 1, `${host}: ${JSON.stringify(p)}`);
    assert.equal(p[0].pointer, '/endpoints/0/backend/0/host/0');
    assert.match(p[0].message, /^invalid host/);
  }
  assert.deepEqual(loadConfigText('c.json', cfg({}, [{ endpoint: '/a', backend: [{ ...B, host: ['x:1'] }] }])).config.endpoints[0].backends[0].hosts, [
    'http://x:1',
  ]);
});

test('root "plugin" is accepted with a warning; a namespace that needs a Go plugin is refused naming it', async () => {
  const { warnings } = loadConfigText('c.json', cfg({ plugin: { pattern: '.so', folder: './plugins/' } }));
  assert.ok(warnings.some((w) => w.startsWith('/plugin: ')));
  assert.ok(problemsOf(cfg({ plugin: { pattern: '.so' } })).some((p) => p.pointer === '/plugin/folder' || p.pointer === '/plugin'));
  const goClient = problemsOf(cfg({}, [{ endpoint: '/a', backend: [{ ...B, extra_config: { 'plugin/http-client': { name: 'my-client' } } }] }]));
  assert.equal(goClient[0].pointer, '/endpoints/0/backend/0/extra_config/plugin~1http-client');
  assert.match(goClient[0].message, /plugin\/http-client.*Go plugins/);
  const r = await checkConfigText('c.json', cfg({ extra_config: { 'plugin/http-server': { name: ['url-rewrite'], 'url-rewrite': { literal: {} } } } }));
  const block = r.problems.find((p) => p.pointer === '/extra_config/plugin~1http-server/url-rewrite');
  assert.ok(block, JSON.stringify(r.problems));
  assert.match(block.message, /^plugin "url-rewrite" is not available in Rampart: .*Go plugin/);
  assert.doesNotMatch(block.message, /unknown field/);
});

test('every KrakenD namespace is implemented or refused with a sentence on why and what to use instead', () => {
  for (const ns of KRAKEND_NAMESPACES) {
    if (COMPONENTS_BY_NAMESPACE.has(ns)) continue;
    const hint = NOT_IMPLEMENTED_HINTS[ns];
    assert.ok(hint && hint.length > 40, `no refusal sentence for ${ns}`);
    const p = problemsOf(cfg({ extra_config: { [ns]: {} } }));
    const mine = p.find((x) => x.pointer === `/extra_config/${ns.replace(/\//g, '~1')}`);
    assert.ok(mine, `${ns}: ${JSON.stringify(p)}`);
    assert.ok(mine.message.includes(hint), `${ns}: the message lacks the sentence`);
  }
});

test('plugin/req-resp-modifier is accepted at backend level', () => {
  const ext = { 'plugin/req-resp-modifier': { name: ['ip-filter'], 'ip-filter': { CIDR: ['10.0.0.0/8'], allow: false } } };
  loadConfigText('c.json', cfg({}, [{ endpoint: '/a', backend: [{ ...B, extra_config: ext }] }]));
});

test('a build error that starts with its position inside the value gets it in the pointer', () => {
  const value = { tiers: [{ tier_value: 'a', ratelimit: { max_rate: 1 } }] };
  assert.deepEqual(placeProblem(value, '/extra_config/qos~1ratelimit~1tiered', 'tiers/0: ratelimit: every must be at least 1s'), {
    pointer: '/extra_config/qos~1ratelimit~1tiered/tiers/0/ratelimit',
    message: 'every must be at least 1s',
  });
  // A prefix that names nothing in the value stays in the text.
  assert.deepEqual(placeProblem(value, '/x', 'tiers/7: nope'), { pointer: '/x', message: 'tiers/7: nope' });
  assert.deepEqual(placeProblem(value, '/x', 'plugin "a": b'), { pointer: '/x', message: 'plugin "a": b' });
});

test('tiered limit: the tier position is in the pointer, not the text (real build)', async () => {
  const r = await checkConfigText(
    'c.json',
    cfg({
      extra_config: {
        'qos/ratelimit/tiered': {
          tier_key: 'X-Tier',
          tiers: [
            { tier_value_as: '*', ratelimit: { max_rate: 10, every: '1s' } },
            { tier_value: 'gold', ratelimit: { max_rate: 10, every: '1s' } },
          ],
        },
      },
    }),
  );
  const p = r.problems.find((x) => x.pointer.startsWith('/extra_config/qos~1ratelimit~1tiered/tiers/1'));
  assert.ok(p, JSON.stringify(r.problems));
  assert.doesNotMatch(p.message, /tiers\/1/);
});

test('check: problems of three phases (schema, semantics, component build) come in one report', async () => {
  const r = await checkConfigText(
    'c.json',
    JSON.stringify({
      version: 3,
      extra_config: { 'security/cors': { allow_origins: ['*'], allow_credentials: true } },
      endpoints: [
        { endpoint: '/a', timeout: '3 seconds', backend: [B] },
        { endpoint: '/a', backend: [B] },
        { endpoint: '/c', backend: [{ ...B, url_pattern: '/{nope}' }] },
      ],
    }),
  );
  const at = r.problems.map((p) => p.pointer);
  assert.ok(at.includes('/endpoints/0/timeout'), `schema: ${at}`);
  assert.ok(at.includes('/endpoints/1'), `semantics (duplicate endpoint): ${at}`);
  assert.ok(at.includes('/endpoints/2/backend/0/url_pattern'), `semantics: ${at}`);
  assert.ok(at.includes('/extra_config/security~1cors'), `build: ${at}`);
});

test('check: a namespace the schema refused is not built again (no second, garbled problem)', async () => {
  const r = await checkConfigText('c.json', cfg({ extra_config: { 'security/cors': { allow_origins: 'x', allow_credentials: true } } }));
  assert.ok(r.problems.length >= 1);
  assert.ok(
    r.problems.every((p) => p.pointer.startsWith('/extra_config/security~1cors/')),
    JSON.stringify(r.problems),
  );
});

function cli(config: object, ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-compat-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify(config));
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', file, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, out: r.stdout + r.stderr, file };
}

test('check --lint reads no key file (passes); check without it is the full dry run (fails at the pointer)', () => {
  const config = {
    version: 3,
    endpoints: [{ endpoint: '/a', backend: [B], extra_config: { 'auth/validator': { alg: 'RS256', jwk_local_path: '/nonexistent/rampart/keys.json' } } }],
  };
  const lint = cli(config, '--lint');
  assert.equal(lint.status, 0, lint.out);
  assert.match(lint.out, /ok \(1 endpoints, lint/);
  const full = cli(config);
  assert.equal(full.status, 1, full.out);
  assert.match(full.out, /: \/endpoints\/0\/extra_config\/auth~1validator(\/jwk_local_path)?: .*nonexistent/);
  // --lint still reports schema and semantic problems.
  const bad = cli({ ...config, extra_config: { 'security/cors': { allow_origins: ['*'], allow_credentials: true } } }, '--lint');
  assert.equal(bad.status, 1, bad.out);
  assert.match(bad.out, /\/extra_config\/security~1cors: /);
});

test('check --lint fetches no JWK set either (auth/signer loads its key at build)', () => {
  const signer = { alg: 'HS256', kid: 'k', keys_to_sign: ['access_token'], jwk_url: 'https://127.0.0.1:9/jwk' };
  const config = { version: 3, endpoints: [{ endpoint: '/token', backend: [B], extra_config: { 'auth/signer': signer } }] };
  const lint = cli(config, '--lint');
  assert.equal(lint.status, 0, lint.out);
  const full = cli(config);
  assert.equal(full.status, 1, full.out);
  assert.match(full.out, /\/endpoints\/0\/extra_config\/auth~1signer: cannot load the signing key/);
});

test('check --lint does not read TLS certificate files either', () => {
  const config = {
    version: 3,
    tls: { keys: [{ public_key: '/nonexistent/cert.pem', private_key: '/nonexistent/key.pem' }] },
    endpoints: [{ endpoint: '/a', backend: [B] }],
  };
  assert.equal(cli(config, '--lint').status, 0);
  const full = cli(config);
  assert.equal(full.status, 1);
  assert.match(full.out, /\/tls\/keys\/0/);
});

test('rss decoder: names and addresses, dates as Go writes time.Time, RSS 1.0, refusals', () => {
  assert.deepEqual(nameAddress('a@b.c (Ann)'), { name: 'Ann', email: 'a@b.c' });
  assert.deepEqual(nameAddress('Ann <a@b.c>'), { name: 'Ann', email: 'a@b.c' });
  assert.deepEqual(nameAddress('a@b.c'), { email: 'a@b.c' });
  assert.deepEqual(nameAddress('Ann'), { name: 'Ann' });
  assert.equal(goTime('Mon, 02 Jan 2006 15:04:05 -0700'), '2006-01-02T15:04:05-07:00');
  assert.equal(goTime('02 Jan 06 15:04 GMT'), '2006-01-02T15:04:00Z');
  assert.equal(goTime('2006-01-02T15:04:05.500Z'), '2006-01-02T15:04:05.5Z');
  assert.equal(goTime('31 Feb 2006 10:00:00 GMT'), undefined);
  assert.equal(goTime('yesterday'), undefined);
  const rdf = decodeFeed(
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title></channel><item><title>I</title><dc:creator>Bo</dc:creator></item></rdf:RDF>',
  );
  assert.equal(rdf.title, 'T');
  assert.deepEqual(rdf.items, [{ title: 'I', author: { name: 'Bo' }, authors: [{ name: 'Bo' }] }]);
  assert.throws(() => decodeFeed('<html/>'), /neither an RSS nor an Atom feed/);
  assert.throws(() => decodeFeed('<!DOCTYPE x [<!ENTITY a "b">]><rss/>'));
  assert.throws(() => decodeFeed(''));
});

test('audit: an OTLP exporter block that is not a list gives recommendations, not a TypeError', () => {
  const recs = audit({ version: 3, extra_config: { 'telemetry/opentelemetry': { exporters: { otlp: { host: 'x' }, prometheus: 'y' } } }, endpoints: [] });
  assert.ok(recs.some((r) => r.rule === '4.2.1'));
});
