// Issue #18, the compatibility trial (docs/compatibility-trial.md): each pattern that made
// Rampart refuse or mislead on a published KrakenD config, in a small config written here (not
// the other person's file), and scripts/compat-trial.ts over a corpus made of such configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../src/components/load-config.js';
import { problemsOf } from '../helpers/config-problems.js';
import { checkConfigText } from '../../src/server/check-config.js';
import { categorize, parseManifest, renderTable, runEntry, tally } from '../../scripts/compat-trial.js';

const B = { host: ['http://127.0.0.1:9'], url_pattern: '/x' };
const doc = (extra: object = {}, endpoints: object[] = [{ endpoint: '/a', backend: [B] }]) => JSON.stringify({ version: 3, endpoints, ...extra });

function one(problems: readonly { pointer: string; message: string }[], pointer: string): string {
  const p = problems.find((x) => x.pointer === pointer);
  assert.ok(p, `no problem at ${pointer}: ${JSON.stringify(problems)}`);
  return p.message;
}

test('a host with credentials never shows them in the error (an AMQP URL with its password)', () => {
  const p = problemsOf(doc({}, [{ endpoint: '/a', backend: [{ url_pattern: '/x', host: ['amqps://user:s3cr3t-pass@broker.example/vhost'] }] }]));
  const m = one(p, '/endpoints/0/backend/0/host/0');
  assert.doesNotMatch(m, /s3cr3t-pass|user:/);
  assert.match(m, /amqps:\/\/\*\*\*@broker\.example/);
});

test('a "$VAR" host says KrakenD does not expand it and how flexible configuration reads it', () => {
  const m = one(problemsOf(doc({}, [{ endpoint: '/a', backend: [{ url_pattern: '/x', host: ['$ORDER_SERVICE'] }] }])), '/endpoints/0/backend/0/host/0');
  assert.match(m, /does not expand environment variables/);
  assert.match(m, /\{\{ env "ORDER_SERVICE" \}\}/);
});

test('"@comment" keys are comments inside any namespace value (a masking rule, an OpenAPI definition)', async () => {
  const r = await checkConfigText(
    'c.json',
    doc({}, [
      {
        endpoint: '/a',
        backend: [
          {
            ...B,
            extra_config: {
              'modifier/response-body': { modifiers: [{ regexp: { '@comment': 'mask the card', field: 'card', find: '^.*(\\d{4})', replace: 'XXXX-${1}' } }] },
            },
          },
        ],
        extra_config: { 'documentation/openapi': { summary: 's', '@comment': 'why', response_definition: { '200': { '@comment': 'ok', description: 'd' } } } },
      },
    ]),
    { lint: true },
  );
  assert.deepEqual(r.problems, []);
  // "$ref" is data (a JSON schema reference), never a comment.
  const s = problemsOf(doc({}, [{ endpoint: '/a', backend: [B], extra_config: { 'documentation/openapi': { response_definition: { $ref: './x.json' } } } }]));
  assert.match(one(s, '/endpoints/0/extra_config/documentation~1openapi/response_definition/$ref'), /unknown field "\$ref"/);
});

test('martian fifo.Group without "modifiers" is an empty group, as martian decodes it', async () => {
  const r = await checkConfigText(
    'c.json',
    doc({}, [
      {
        endpoint: '/a',
        backend: [{ ...B, extra_config: { 'modifier/martian': { 'fifo.Group': { scope: ['request', 'response'], aggregateErrors: true } } } }],
      },
    ]),
    { lint: true },
  );
  assert.deepEqual(r.problems, []);
});

test('a boolean where an integer is expected reads as 1/0 (mapstructure), with a warning at its pointer', () => {
  const { config, warnings } = loadConfigText('c.json', doc({}, [{ endpoint: '/a', concurrent_calls: true, backend: [B] }]));
  assert.equal(config.endpoints[0].concurrentCalls, 1);
  assert.ok(
    warnings.some((w) => w.startsWith('/endpoints/0/concurrent_calls: true read as 1')),
    warnings.join('\n'),
  );
});

test('a backend without url_pattern calls "/", as lura cleans the missing pattern', () => {
  const { config } = loadConfigText('c.json', doc({}, [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:9'] }] }]));
  assert.equal(config.endpoints[0].backends[0].urlPattern, '/');
});

test('unknown names: a misspelt legacy namespace names the right one; KrakenD v2 fields their v3 name; the rest say what to do', () => {
  const p = problemsOf(
    doc({ extra_config: { 'github.com/devopsfaith/krakend-gologging': { level: 'DEBUG' }, 'server/cors': {} } }, [
      { endpoint: '/a', headers_to_pass: ['Authorization'], backend: [B], extra_config: { 'github_com/devopsfaith/krakend/proxy': { sequential: true } } },
    ]),
  );
  assert.match(
    one(p, '/extra_config/github.com~1devopsfaith~1krakend-gologging'),
    /legacy name is "github_com\/devopsfaith\/krakend-gologging".*write "telemetry\/logging"/,
  );
  assert.match(one(p, '/endpoints/0/extra_config/github_com~1devopsfaith~1krakend~1proxy'), /write "proxy"/);
  assert.match(one(p, '/endpoints/0/headers_to_pass'), /KrakenD v2's name.*write "input_headers"/);
  assert.match(one(p, '/extra_config/server~1cors'), /unknown namespace "server\/cors".*: .*correct the name or remove the block/);
  const f = problemsOf(doc({ oauth: {} }));
  assert.match(one(f, '/oauth'), /unknown field "oauth": .*correct it or remove it/);
});

test('a namespace at a level KrakenD does not read it at says where it goes', () => {
  const p = problemsOf(doc({ extra_config: { websocket: {} } }));
  assert.match(one(p, '/extra_config/websocket'), /not allowed at service level \(allowed: endpoint\).*move it into the extra_config of the endpoint/);
});

test('EE dynamic routing placeholders are named as such, not as an undefined param KrakenD would refuse', () => {
  const p = problemsOf(doc({}, [{ endpoint: '/a', backend: [{ ...B, url_pattern: '/{input_headers.x-route}' }] }]));
  const m = one(p, '/endpoints/0/backend/0/url_pattern');
  assert.match(m, /dynamic routing .*KrakenD Enterprise.* declare one endpoint per route/);
  assert.doesNotMatch(m, /KrakenD refuses it too/);
});

test('disable_rest refusal says what to write; detailed_connection is read (was refused)', () => {
  assert.match(one(problemsOf(doc({ disable_rest: true })), '/disable_rest'), /`rampart migrate`/);
  const otel = { exporters: { otlp: [{ name: 'o', host: '127.0.0.1' }] }, layers: { backend: { metrics: { detailed_connection: true } } } };
  const p = problemsOf(doc({ extra_config: { 'telemetry/opentelemetry': otel } }));
  assert.deepEqual(
    p.filter((x) => x.pointer.includes('detailed_connection')),
    [],
  );
});

test('an unknown backend encoding is read as json (lura falls back to it), with a warning', () => {
  const { config, warnings } = loadConfigText('c.json', doc({}, [{ endpoint: '/a', backend: [{ ...B, encoding: 'form' }] }]));
  assert.equal(config.endpoints[0].backends[0].encoding, 'json');
  assert.ok(warnings.some((w) => w.startsWith('/endpoints/0/backend/0/encoding: "form" is no KrakenD encoding')));
});

test('a custom plugin in plugin/req-resp-modifier is named as a Go plugin, with what to do', async () => {
  const r = await checkConfigText(
    'c.json',
    doc({}, [{ endpoint: '/a', backend: [B], extra_config: { 'plugin/req-resp-modifier': { name: ['my-go-plugin'] } } }]),
    {
      lint: true,
    },
  );
  const m = one(r.problems, '/endpoints/0/extra_config/plugin~1req-resp-modifier');
  assert.match(m, /plugin "my-go-plugin" is not available in Rampart: it is a Go plugin.*port it to a Rampart component/);
});

test('duplicate endpoint, TLS without keys, a Go plugin block, a broker host: each says what to do', () => {
  const p = problemsOf(
    doc({ tls: {}, extra_config: { 'plugin/http-server': { name: ['my-plugin'], 'my-plugin': {} } } }, [
      { endpoint: '/a', backend: [B] },
      { endpoint: '/a', backend: [B] },
      { endpoint: '/q', backend: [{ url_pattern: '/x', host: ['amqp://127.0.0.1:5672'] }] },
    ]),
  );
  assert.match(one(p, '/endpoints/1'), /duplicate endpoint GET \/a .*remove one, or give it another path or method/);
  assert.match(one(p, '/tls/keys'), /declare "keys": .*or "disabled": true/);
  assert.match(one(p, '/extra_config/plugin~1http-server/my-plugin'), /Go plugin.*port it to a Rampart component/);
  assert.match(one(p, '/endpoints/2/backend/0/host/0'), /put a small HTTP service in front of it/);
});

test('plugin/http-server without "name" says that KrakenD loads nothing from it', () => {
  const m = one(problemsOf(doc({ extra_config: { 'plugin/http-server': {} } })), '/extra_config/plugin~1http-server');
  assert.match(m, /lists no plugin in "name"/);
});

test('client_max_rate without strategy: what KrakenD does, what to write', async () => {
  const r = await checkConfigText(
    'c.json',
    doc({}, [{ endpoint: '/a', backend: [B], extra_config: { 'qos/ratelimit/router': { max_rate: 50, client_max_rate: 5 } } }]),
    {
      lint: true,
    },
  );
  const m = one(r.problems, '/endpoints/0/extra_config/qos~1ratelimit~1router');
  assert.match(m, /needs "strategy".*KrakenD silently applies no per-client limit.*"strategy": "ip"/);
  assert.doesNotMatch(m, /null/);
});

test("a websocket or broker backend host does not fail another endpoint's Lua block", async () => {
  const lua = { 'modifier/lua-endpoint': { pre: 'local x = 1' } };
  const r = await checkConfigText(
    'c.json',
    doc({}, [
      { endpoint: '/lua', backend: [B], extra_config: lua },
      {
        endpoint: '/ws',
        backend: [{ url_pattern: '/ws', host: ['ws://127.0.0.1:9'], disable_host_sanitize: true }],
        extra_config: { websocket: { enable_direct_communication: true } },
      },
    ]),
    { lint: true },
  );
  assert.deepEqual(r.problems, []);
  // Without disable_host_sanitize, as in KrakenD, the ws:// host is refused, saying so.
  const p = problemsOf(doc({}, [{ endpoint: '/ws', backend: [{ url_pattern: '/ws', host: ['ws://127.0.0.1:9'] }], extra_config: { websocket: {} } }]));
  assert.match(one(p, '/endpoints/0/backend/0/host/0'), /needs "disable_host_sanitize": true/);
});

test('compat-trial: runs check on a corpus (plain file and flexible-config template), classifies, prints the table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-trial-'));
  writeFileSync(join(dir, 'ok.json'), doc());
  writeFileSync(join(dir, 'cors.json'), doc({ extra_config: { 'security/cors': { allow_origins: ['*'], allow_credentials: true } } }));
  writeFileSync(join(dir, 'v2.json'), JSON.stringify({ version: 2, endpoints: [] }));
  mkdirSync(join(dir, 'fc', 'settings'), { recursive: true });
  writeFileSync(join(dir, 'fc', 'settings', 'svc.json'), JSON.stringify({ host: 'http://127.0.0.1:9' }));
  writeFileSync(
    join(dir, 'fc', 'krakend.tmpl'),
    '{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["{{ .svc.host }}"], "url_pattern": "/x"}]}]}',
  );
  const c = 'a'.repeat(40);
  const manifest = [
    'repo\tpath\tcommit\tfile\tkind\tsettings\tpartials\ttemplates',
    `me/ok\tkrakend.json\t${c}\tok.json\tfile\t-\t-\t-`,
    `me/cors\tkrakend.json\t${c}\tcors.json\tfile\t-\t-\t-`,
    `me/v2\tkrakend.json\t${c}\tv2.json\tfile\t-\t-\t-`,
    `me/fc\tkrakend.tmpl\t${c}\tfc\tfc\tsettings\t-\t-`,
  ].join('\n');
  const entries = parseManifest(manifest);
  const outcomes = entries.map((e) => runEntry(e, { corpus: dir, lint: true }));
  assert.deepEqual(
    outcomes.map((o) => o.verdict),
    ['starts', 'refused-deliberate', 'refused-krakend-too', 'starts'],
  );
  assert.deepEqual(
    outcomes.map((o) => o.endpoints),
    [1, 1, 0, 1],
  );
  assert.match(outcomes[1]!.first ?? '', /^\/extra_config\/security~1cors: allow_credentials/);
  const t = tally(outcomes);
  assert.equal(t.starts, 2);
  const table = renderTable(entries, outcomes, outcomes);
  assert.match(
    table,
    /\| \[me\/fc krakend\.tmpl \(FC\)\]\(https:\/\/github\.com\/me\/fc\/blob\/a{40}\/krakend\.tmpl\) `a{7}` \| 1 \| starts \| starts \| {2}\|/,
  );
  assert.equal(categorize('/x: something no rule knows'), 'other');
});
