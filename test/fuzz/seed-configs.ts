// Valid configs the config fuzzer mutates: examples/*.json plus these, which between them use
// most namespaces and core fields (each one passes `rampart check`; fuzz-config.test.ts checks it).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const host = ['http://127.0.0.1:9'];

const inline: Record<string, unknown>[] = [
  { version: 3, endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/x', host }] }] },
  {
    version: 3,
    name: 'seed-core',
    port: 8080,
    timeout: '3s',
    cache_ttl: '30s',
    output_encoding: 'json',
    host,
    endpoints: [
      {
        endpoint: '/users/{id}',
        method: 'GET',
        input_headers: ['Accept-Language', 'X-Request-Id'],
        input_query_strings: ['page', 'limit'],
        concurrent_calls: 1,
        timeout: '1500ms',
        backend: [
          { url_pattern: '/users/{id}', allow: ['name', 'email'], mapping: { email: 'mail' }, group: 'user' },
          { url_pattern: '/orders?user={id}', is_collection: true, encoding: 'json', target: 'data' },
        ],
      },
      { endpoint: '/raw/{path}', output_encoding: 'no-op', backend: [{ url_pattern: '/files/{path}', encoding: 'no-op' }] },
      { endpoint: '/xml', output_encoding: 'xml', backend: [{ url_pattern: '/x.xml', encoding: 'xml', deny: ['secret'] }] },
      { endpoint: '/post', method: 'POST', input_headers: ['*'], backend: [{ url_pattern: '/post', method: 'POST', encoding: 'safejson' }] },
    ],
  },
  {
    version: 3,
    extra_config: {
      'security/cors': { allow_origins: ['https://app.example'], allow_methods: ['GET', 'POST'], max_age: '12h', allow_credentials: false },
      'security/http': { frame_deny: true, content_type_nosniff: true, sts_seconds: 31536000 },
      router: { return_error_msg: true, remove_extra_slash: true },
      'qos/ratelimit/service': { max_rate: 100, capacity: 100, every: '1s', client_max_rate: 10, client_capacity: 10, strategy: 'ip' },
    },
    endpoints: [
      {
        endpoint: '/limited',
        extra_config: {
          'qos/ratelimit/router': { max_rate: 50, capacity: 50, every: '1m', client_max_rate: 5, client_capacity: 5, strategy: 'header', key: 'X-Client' },
        },
        backend: [
          {
            url_pattern: '/l',
            host,
            extra_config: {
              'qos/circuit-breaker': { interval: 60, timeout: 10, max_errors: 3 },
              'qos/ratelimit/proxy': { max_rate: 20, capacity: 20, every: '1s' },
            },
          },
        ],
      },
    ],
  },
  {
    version: 3,
    host,
    endpoints: [
      {
        endpoint: '/seq/{id}',
        extra_config: { proxy: { sequential: true } },
        backend: [{ url_pattern: '/a/{id}' }, { url_pattern: '/b/{resp0_user.id}' }],
      },
      {
        endpoint: '/static',
        extra_config: { proxy: { static: { strategy: 'always', data: { a: [1, 2, { b: 'c' }], d: null } } } },
        backend: [{ url_pattern: '/s', extra_config: { 'backend/http': { return_error_code: true } } }],
      },
      {
        endpoint: '/flat',
        backend: [
          {
            url_pattern: '/f',
            extra_config: {
              proxy: {
                flatmap_filter: [
                  { type: 'move', args: ['a.b', 'c'] },
                  { type: 'del', args: ['x'] },
                ],
              },
            },
          },
        ],
      },
    ],
  },
];

/** Every seed as JSON text, by a name for reports. */
export function seedConfigs(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const dir = join(ROOT, 'examples');
  // Gateway configs only (`"version": 3`): examples/ also holds a Grafana dashboard.
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    if ((JSON.parse(text) as { version?: unknown }).version === 3) out.push({ name: `examples/${f}`, text });
  }
  inline.forEach((c, i) => out.push({ name: `seed-${i}`, text: JSON.stringify(c, null, 2) }));
  return out;
}
