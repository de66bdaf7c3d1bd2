// Builds the KrakenD-v3 config Rampart is benchmarked with, and the list of routes the harness drives.
// To benchmark a new feature (JWT, CORS, rate limit, ...), add one entry to `benchRoutes` below: the
// harness turns every route into its own row ("rampart <id> wN") in every scenario.

export interface KrakendBackend {
  host: string[];
  url_pattern: string;
  encoding?: string;
  method?: string;
  extra_config?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface KrakendEndpoint {
  endpoint: string;
  method?: string;
  output_encoding?: string;
  backend: KrakendBackend[];
  extra_config?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface BenchRoute {
  /** Short id used in the row name, e.g. "plain". */
  id: string;
  /** One-line description printed in BENCHMARKS.md. */
  description: string;
  /** Path the load generator requests on the gateway. */
  path: string;
  /** Extra request headers the load generator sends (e.g. Authorization for a JWT route). */
  headers?: Record<string, string>;
  /** Status the correctness check expects before the route is benchmarked (default 200). */
  expectStatus?: number;
  /** Request method the load generators send (default GET). */
  method?: string;
  /** Request body every request carries (sent with `Content-Type: application/json` and its
   * Content-Length by wrk, openloop, autocannon, the correctness check and bench/route-cpu.ts). */
  body?: string;
  /** A body the route must refuse with 400 (its request schema): the correctness check sends it
   * once, so a route whose body never reached the gateway's validator cannot pass unnoticed. */
  badBody?: string;
  /** File with one JWT per line: wrk (Lua `request()` hook) and openloop send `Authorization: Bearer <token i % n>`. */
  tokensFile?: string;
  /** Whether the response body must equal the origin's (byte-identical or same JSON value; default true). */
  checkBody?: boolean;
  /** The KrakenD endpoint object for this route. */
  endpoint: KrakendEndpoint;
}

export interface RampartConfigInput {
  port: number;
  /** Origin base URL, e.g. http://127.0.0.1:9000 */
  origin: string;
  /** Length of a bench JWT: adds the `plain+hdr` row (`/plain` with a dummy Authorization header that long). */
  dummyAuthLen?: number;
}

/** Every route Rampart is benchmarked on. Add new ones here. */
export function benchRoutes(origin: string, dummyAuthLen?: number): BenchRoute[] {
  const routes = baseRoutes(origin);
  if (dummyAuthLen) {
    const plain = routes[0]!;
    // Same endpoint as `plain`, driven with a dummy Authorization header as long as a bench JWT:
    // separates what the header bytes cost (parsing, copying) from what JWT validation costs.
    routes.push({
      ...plain,
      id: 'plain+hdr',
      description: '`/plain` driven with a dummy `Authorization: Bearer xxx…` header as long as a bench JWT (cost of the header bytes alone)',
      headers: { Authorization: `Bearer ${'x'.repeat(dummyAuthLen)}` },
    });
  }
  return routes;
}

function baseRoutes(origin: string): BenchRoute[] {
  return [
    {
      id: 'plain',
      description: 'raw forwarding: `output_encoding: no-op` + backend `encoding: no-op` (peer of the minimal proxy)',
      path: '/plain',
      endpoint: {
        endpoint: '/plain',
        method: 'GET',
        output_encoding: 'no-op',
        backend: [{ host: [origin], url_pattern: '/', encoding: 'no-op' }],
      },
    },
    {
      // Issue 17: five martian header/query modifiers must cost at most 10% over `plain`. The
      // HTTP-level hooks take the route off the direct no-op path, so this row measures both.
      id: 'martian5',
      description: '`/plain` (no-op) + `modifier/martian`: a fifo.Group of 3 header and 2 querystring request modifiers',
      path: '/martian5',
      endpoint: {
        endpoint: '/martian5',
        method: 'GET',
        output_encoding: 'no-op',
        backend: [
          {
            host: [origin],
            url_pattern: '/',
            encoding: 'no-op',
            extra_config: {
              'modifier/martian': {
                'fifo.Group': {
                  scope: ['request'],
                  modifiers: [
                    { 'header.Modifier': { scope: ['request'], name: 'X-Gateway', value: 'rampart' } },
                    { 'header.Modifier': { scope: ['request'], name: 'X-Env', value: 'bench' } },
                    { 'header.Append': { scope: ['request'], name: 'X-Tags', value: 'a' } },
                    { 'querystring.Modifier': { scope: ['request'], name: 'apikey', value: 'k' } },
                    { 'querystring.Modifier': { scope: ['request'], name: 'v', value: '2' } },
                  ],
                },
              },
            },
          },
        ],
      },
    },
    {
      id: 'json',
      description: 'default `json` encoding: the backend body is parsed and re-encoded',
      path: '/json',
      endpoint: {
        endpoint: '/json',
        method: 'GET',
        backend: [{ host: [origin], url_pattern: '/' }],
      },
    },
    {
      id: 'json+cache',
      description: '`/json` with `qos/http-cache` on a backend answering `Cache-Control: max-age=60` (hits: the backend is not called)',
      path: '/json-cache',
      endpoint: {
        endpoint: '/json-cache',
        method: 'GET',
        backend: [{ host: [origin], url_pattern: '/cached/', extra_config: { 'qos/http-cache': { max_items: 100, max_size: 1048576 } } }],
      },
    },
    {
      id: 'merge',
      description:
        'two backends merged (issue #20): one with `allow` (id, name, tags), one with `group` "detail" and `allow` (owner, items); default `json` encoding',
      path: '/merge',
      checkBody: false,
      endpoint: {
        endpoint: '/merge',
        method: 'GET',
        backend: [
          { host: [origin], url_pattern: '/', allow: ['id', 'name', 'tags'] },
          { host: [origin], url_pattern: '/', group: 'detail', allow: ['owner', 'items'] },
        ],
      },
    },
    {
      id: 'json+cel',
      description: '`/json` plus three `validation/cel` request checks (method, path with `matches`, query) and one response check (issue #16: at most +15%)',
      path: '/json-cel?page=1',
      endpoint: {
        endpoint: '/json-cel',
        method: 'GET',
        input_query_strings: ['page'],
        extra_config: {
          'validation/cel': [
            { check_expr: "req_method == 'GET'" },
            { check_expr: "req_path.matches('^/json-[a-z]+$')" },
            { check_expr: "!('page' in req_querystring) || size(req_querystring.page) == 1" },
            { check_expr: 'resp_data.id > 0' },
          ],
        },
        backend: [{ host: [origin], url_pattern: '/' }],
      },
    },
    ...postRoutes(origin),
    {
      // Issue 17: a Lua `pre` and `post` must cost at most 30% over `json`.
      id: 'json+lua',
      description: '`/json` plus `modifier/lua-backend`: a `pre` setting a header and a `post` adding a field to the data (issue #17: at most +30%)',
      path: '/json-lua',
      checkBody: false,
      endpoint: {
        endpoint: '/json-lua',
        method: 'GET',
        backend: [
          {
            host: [origin],
            url_pattern: '/',
            extra_config: {
              'modifier/lua-backend': {
                pre: 'local r = request.load(); r:headers("X-Lua", "1")',
                post: 'local d = response.load():data(); d:set("lua", true)',
              },
            },
          },
        ],
      },
    },
    ...(['pre', 'post'] as const).map((phase) => ({
      // The two halves of json+lua, to see where its cost goes.
      id: `json+lua${phase}`,
      description: `\`/json\` plus \`modifier/lua-backend\` with only the json+lua \`${phase}\``,
      path: `/json-lua${phase}`,
      checkBody: false,
      endpoint: {
        endpoint: `/json-lua${phase}`,
        method: 'GET',
        backend: [
          {
            host: [origin],
            url_pattern: '/',
            extra_config: {
              'modifier/lua-backend':
                phase === 'pre'
                  ? { pre: 'local r = request.load(); r:headers("X-Lua", "1")' }
                  : { post: 'local d = response.load():data(); d:set("lua", true)' },
            },
          },
        ],
      },
    })),
    {
      // json+lua's fixed cost: both hooks and both calls with scripts that do nothing.
      id: 'json+luaempty',
      description: '`/json` plus `modifier/lua-backend` with an empty `pre` and an empty `post` (the hooks and the calls alone)',
      path: '/json-luaempty',
      checkBody: false,
      endpoint: {
        endpoint: '/json-luaempty',
        method: 'GET',
        backend: [{ host: [origin], url_pattern: '/', extra_config: { 'modifier/lua-backend': { pre: '', post: '' } } }],
      },
    },
    {
      id: 'json+mask',
      description: '`/json` plus `modifier/response-body` masking the owner email (RE2 regexp with a group) and the login (issue #16: at most +20%)',
      path: '/json-mask',
      checkBody: false,
      endpoint: {
        endpoint: '/json-mask',
        method: 'GET',
        extra_config: {
          'modifier/response-body': {
            modifiers: [
              { regexp: { field: 'owner.email', find: '^([^@])[^@]*@', replace: '${1}***@' } },
              { literal: { field: 'owner.login', find: 'bench', replace: '*****' } },
            ],
          },
        },
        backend: [{ host: [origin], url_pattern: '/' }],
      },
    },
  ];
}

/** The body the POST rows send: an order of a few hundred bytes that `ORDER_SCHEMA` accepts. */
export const ORDER_BODY = JSON.stringify({
  customer: { id: 'c-1042', email: 'jane.doe@example.com', name: 'Jane Doe' },
  currency: 'EUR',
  items: [
    { sku: 'A-100', qty: 1, price: 9.99 },
    { sku: 'B-200', qty: 3, price: 19.5 },
    { sku: 'C-300', qty: 2, price: 4.25 },
  ],
  shipping: { country: 'DE', postcode: '10115', street: 'Invalidenstrasse 116' },
  coupon: 'WINTER-2026',
  note: 'Please leave the parcel at the door.',
});

/** A realistic request schema (draft by default, 2020-12): required fields, types, string
 * patterns (re2js), an email format, an array of objects, additionalProperties false throughout. */
export const ORDER_SCHEMA = {
  type: 'object',
  required: ['customer', 'currency', 'items'],
  additionalProperties: false,
  properties: {
    customer: {
      type: 'object',
      required: ['id', 'email'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^c-[0-9]{1,12}$' },
        email: { type: 'string', format: 'email', maxLength: 254 },
        name: { type: 'string', minLength: 1, maxLength: 100 },
      },
    },
    currency: { enum: ['EUR', 'USD', 'GBP'] },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        required: ['sku', 'qty', 'price'],
        additionalProperties: false,
        properties: {
          sku: { type: 'string', pattern: '^[A-Z]-[0-9]{3}$' },
          qty: { type: 'integer', minimum: 1, maximum: 100 },
          price: { type: 'number', exclusiveMinimum: 0 },
        },
      },
    },
    shipping: {
      type: 'object',
      required: ['country', 'postcode'],
      additionalProperties: false,
      properties: {
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        postcode: { type: 'string', maxLength: 16 },
        street: { type: 'string', maxLength: 200 },
      },
    },
    coupon: { type: 'string', pattern: '^[A-Z]+-[0-9]{4}$' },
    note: { type: 'string', maxLength: 500 },
  },
} as const;

/** Issue #16 item 7: a POST route with a request schema and three CEL checks (`post+checks`) and
 * the same route without them (`post`): same body, same backend, default `json` encoding. Both
 * forward `X-Tenant` (a CEL check reads it), so the baseline pays for the same header. */
function postRoutes(origin: string): BenchRoute[] {
  const post = (path: string, extra?: Record<string, unknown>): KrakendEndpoint => ({
    endpoint: path,
    method: 'POST',
    input_headers: ['X-Tenant'],
    ...(extra ? { extra_config: extra } : {}),
    backend: [{ host: [origin], url_pattern: '/' }],
  });
  const common = { method: 'POST', body: ORDER_BODY, headers: { 'X-Tenant': 'acme-shop' } };
  return [
    {
      id: 'post',
      description: `\`POST /orders\` with a ${ORDER_BODY.length}-byte JSON body (forwarded), \`input_headers\` X-Tenant, default \`json\` encoding: the baseline of post+checks`,
      path: '/orders',
      ...common,
      endpoint: post('/orders'),
    },
    {
      id: 'post+checks',
      description:
        '`post` plus `validation/json-schema` (object with required fields, types, 4 RE2 patterns, an email format, an array of objects, additionalProperties false) and three `validation/cel` request checks (method, path with `matches`, a header) (issue #16: at most +15%)',
      path: '/orders-checked',
      ...common,
      badBody: ORDER_BODY.replace('"qty":3', '"qty":0'),
      endpoint: post('/orders-checked', {
        'validation/json-schema': ORDER_SCHEMA,
        'validation/cel': [
          { check_expr: "req_method == 'POST'" },
          { check_expr: "req_path.matches('^/orders(-[a-z]+)?$')" },
          { check_expr: "'X-Tenant' in req_headers && req_headers['X-Tenant'][0].matches('^[a-z0-9-]{1,64}$')" },
        ],
      }),
    },
  ];
}

/** Large-body endpoints (issue #20, the `large` measurement, not a row of the rounds): a 50 MiB
 * download and upload through no-op routes (`/large` and `/upload` on the origin). */
export const LARGE_BYTES = 50 * 1024 * 1024;
export function largeEndpoints(origin: string): KrakendEndpoint[] {
  return [
    { endpoint: '/large', method: 'GET', output_encoding: 'no-op', backend: [{ host: [origin], url_pattern: '/large', encoding: 'no-op' }] },
    {
      endpoint: '/upload',
      method: 'POST',
      output_encoding: 'no-op',
      // The body limit is the router's (10 MiB by default); 64 MiB lets the 50 MiB upload through.
      extra_config: { proxy: { max_payload: 64 * 1024 * 1024 } },
      backend: [{ host: [origin], url_pattern: '/upload', encoding: 'no-op', method: 'POST' }],
    },
  ];
}

/** The whole Rampart (KrakenD v3) config for the benchmark. */
export function buildRampartConfig(input: RampartConfigInput): { config: Record<string, unknown>; routes: BenchRoute[] } {
  const routes = benchRoutes(input.origin, input.dummyAuthLen);
  const config: Record<string, unknown> = {
    version: 3,
    name: 'rampart-bench',
    port: input.port,
    listen_ip: '127.0.0.1',
    timeout: '5s',
    // Several rows may drive one endpoint (plain, plain+hdr): each endpoint is declared once.
    endpoints: [...new Set(routes.map((r) => r.endpoint)), ...largeEndpoints(input.origin)],
  };
  return { config, routes };
}

// ---------------------------------------------------------------------------------------------------
// Feature instances. Service-level features (security/http, security/cors, ip-filter, TLS, a Redis
// pool) change every route of a process, so each feature runs in its own Rampart process with its own
// config and port; a broken or refused feature then only loses its own row, never `plain`'s.

export interface FeatureInput {
  origin: string;
  /** From mintBenchTokens (test/auth/helpers/bench-tokens.ts). */
  jwt?: { validator: Record<string, unknown>; tokensPath: string; sampleToken: string };
  /** host:port of the bench's redis-server. */
  redisAddress?: string;
  /** Absolute paths of the self-signed P-256 certificate and key. */
  tls?: { cert: string; key: string };
}

export interface BenchInstance {
  /** Instance id (process label). */
  id: string;
  scheme: 'http' | 'https';
  routes: BenchRoute[];
  /** Full config for a port (the port also goes into `allowed_hosts`, which must match wrk's Host). */
  config(port: number): Record<string, unknown>;
}

/** A limit far above any load the bench can generate, so the limiter is exercised but never refuses. */
const HUGE_RATE = 10_000_000;

function plainEndpoint(origin: string, path = '/plain', extra?: Record<string, unknown>): KrakendEndpoint {
  return {
    endpoint: path,
    method: 'GET',
    output_encoding: 'no-op',
    backend: [{ host: [origin], url_pattern: '/', encoding: 'no-op' }],
    ...(extra ? { extra_config: extra } : {}),
  };
}

function baseConfig(port: number, endpoints: KrakendEndpoint[], extra?: Record<string, unknown>): Record<string, unknown> {
  return {
    version: 3,
    name: 'rampart-bench',
    port,
    listen_ip: '127.0.0.1',
    timeout: '5s',
    ...(extra ? { extra_config: extra } : {}),
    endpoints,
  };
}

export function featureInstances(input: FeatureInput): BenchInstance[] {
  const { origin } = input;
  const out: BenchInstance[] = [];
  if (input.jwt) {
    const jwt = input.jwt;
    // The plain route plus `auth/validator`, like the other feature rows (`/plain` + one feature), so
    // jwt ÷ plain measures what JWT validation costs. (Until 2026-11-23 this route also re-encoded
    // the body as JSON, which mixed the JSON encoding's cost, shown by the `json` row, into it.)
    const endpoint = plainEndpoint(origin, '/jwt', { 'auth/validator': jwt.validator });
    out.push({
      id: 'jwt',
      scheme: 'http',
      routes: [
        {
          id: 'jwt',
          description: '`/plain` (no-op) + `auth/validator` RS256 (local JWKS, issuer, audience, roles); wrk rotates 1 000 distinct valid tokens per request',
          path: '/jwt',
          headers: { Authorization: `Bearer ${jwt.sampleToken}` },
          tokensFile: jwt.tokensPath,
          endpoint,
        },
      ],
      config: (port) => baseConfig(port, [endpoint]),
    });
  }
  if (input.jwt) {
    // Issue #20: what a fully secured route costs: the default JSON route plus RS256 JWT (1 000
    // distinct tokens), a client rate limit far above the load, CORS and security headers.
    const jwt = input.jwt;
    const endpoint: KrakendEndpoint = {
      endpoint: '/secure',
      method: 'GET',
      extra_config: {
        'auth/validator': jwt.validator,
        'qos/ratelimit/router': { client_max_rate: HUGE_RATE, every: '1s', strategy: 'ip' },
      },
      backend: [{ host: [origin], url_pattern: '/' }],
    };
    out.push({
      id: 'secure',
      scheme: 'http',
      routes: [
        {
          id: 'secure',
          description: `\`/json\` + \`auth/validator\` RS256 (1 000 distinct tokens, rotated per request) + \`qos/ratelimit/router\` client_max_rate ${HUGE_RATE.toLocaleString('en-US')}/s (strategy ip) + service \`security/cors\` (request sends \`Origin\`) + \`security/http\` (allowed_hosts, HSTS, CSP, ...)`,
          path: '/secure',
          headers: { Origin: 'https://app.example.com', Authorization: `Bearer ${jwt.sampleToken}` },
          tokensFile: jwt.tokensPath,
          checkBody: true,
          endpoint,
        },
      ],
      config: (port) =>
        baseConfig(port, [endpoint], {
          'security/http': {
            allowed_hosts: [`127.0.0.1:${port}`],
            frame_deny: true,
            content_type_nosniff: true,
            browser_xss_filter: true,
            referrer_policy: 'no-referrer',
            content_security_policy: "default-src 'none'",
            sts_seconds: 31536000,
            sts_include_subdomains: true,
          },
          'security/cors': {
            allow_origins: ['https://app.example.com'],
            allow_methods: ['GET', 'POST'],
            allow_headers: ['Content-Type', 'Authorization'],
            expose_headers: ['Content-Length'],
            max_age: '1h',
          },
        }),
    });
  }
  {
    const endpoint = plainEndpoint(origin);
    out.push({
      id: 'headers',
      scheme: 'http',
      routes: [
        {
          id: 'headers',
          description:
            '`/plain` with service-level `security/http` (allowed_hosts, HSTS, CSP, ...), `security/cors` (request sends `Origin`) and the `ip-filter` plugin (allow 127.0.0.0/8, ::1/128); the `secure` row until 2026-12-03',
          path: '/plain',
          headers: { Origin: 'https://app.example.com' },
          endpoint,
        },
      ],
      config: (port) =>
        baseConfig(port, [endpoint], {
          'security/http': {
            allowed_hosts: [`127.0.0.1:${port}`],
            frame_deny: true,
            content_type_nosniff: true,
            browser_xss_filter: true,
            referrer_policy: 'no-referrer',
            content_security_policy: "default-src 'none'",
            sts_seconds: 31536000,
            sts_include_subdomains: true,
          },
          'security/cors': {
            allow_origins: ['https://app.example.com'],
            allow_methods: ['GET', 'POST'],
            allow_headers: ['Content-Type'],
            expose_headers: ['Content-Length'],
            max_age: '1h',
          },
          'plugin/http-server': { name: ['ip-filter'], 'ip-filter': { CIDR: ['127.0.0.0/8', '::1/128'], allow: true } },
        }),
    });
  }
  {
    const endpoint = plainEndpoint(origin, '/plain', {
      'qos/ratelimit/router': { max_rate: HUGE_RATE, client_max_rate: HUGE_RATE, every: '1s', strategy: 'ip' },
    });
    out.push({
      id: 'ratelimit-mem',
      scheme: 'http',
      routes: [
        {
          id: 'ratelimit-mem',
          description: `\`/plain\` + \`qos/ratelimit/router\` in memory (max_rate and client_max_rate ${HUGE_RATE.toLocaleString('en-US')}/s, strategy ip: never refuses)`,
          path: '/plain',
          endpoint,
        },
      ],
      config: (port) => baseConfig(port, [endpoint]),
    });
  }
  if (input.redisAddress) {
    const endpoint = plainEndpoint(origin, '/plain', {
      'qos/ratelimit/router': { max_rate: HUGE_RATE, client_max_rate: HUGE_RATE, every: '1s', strategy: 'ip', connection_name: 'bench' },
    });
    const address = input.redisAddress;
    out.push({
      id: 'ratelimit-redis',
      scheme: 'http',
      routes: [
        {
          id: 'ratelimit-redis',
          description: `\`/plain\` + \`qos/ratelimit/router\` shared in a local redis-server (\`connection_name\`, service \`redis.connection_pools\`; same limits)`,
          path: '/plain',
          endpoint,
        },
      ],
      config: (port) => baseConfig(port, [endpoint], { redis: { connection_pools: [{ name: 'bench', address }] } }),
    });
  }
  {
    // Issue #15: what telemetry/logging (KrakenD text format, the EE json access format) and
    // telemetry/metrics (router, pipe and backend meters; the /__stats listener idle) cost.
    const endpoint = plainEndpoint(origin, '/plain');
    out.push({
      id: 'telemetry',
      scheme: 'http',
      routes: [
        {
          id: 'telemetry',
          description:
            '`/plain` + `telemetry/logging` (format default, access_log_format json) + `telemetry/metrics` (every layer on; /__stats on an ephemeral loopback port)',
          path: '/plain',
          endpoint,
        },
      ],
      config: (port) =>
        baseConfig(port, [endpoint], {
          'telemetry/logging': { level: 'INFO', prefix: '[BENCH]', stdout: true, access_log_format: 'json' },
          'telemetry/metrics': { listen_address: '127.0.0.1:0', collection_time: '10s' },
        }),
    });
  }
  {
    // Issue #15 item 6: OpenTelemetry with the Prometheus exporter and OTLP/HTTP traces at sample
    // rate 1.0 (every request: server, proxy and backend spans), exported over loopback to the
    // origin nginx's OTLP sink (`/v1/` answers an empty ExportTraceServiceResponse, as a collector
    // does, at a cost of a few µs per batch), against plain.
    const endpoint = plainEndpoint(origin, '/plain');
    // Not `new URL(origin)`: the report lists these routes with a placeholder origin
    // (`http://127.0.0.1:ORIGIN`), which is no URL; the config is only built with the real one.
    const sink = /^(https?:\/\/[^:/]+)(?::(\w+))?/.exec(origin);
    const sinkHost = sink?.[1] ?? origin;
    const sinkPort = sink?.[2] ?? '';
    out.push({
      id: 'otel',
      scheme: 'http',
      routes: [
        {
          id: 'otel',
          description:
            "`/plain` + `telemetry/opentelemetry`: Prometheus exporter (metrics of every layer) and OTLP/HTTP traces at `trace_sample_rate` 1.0 to a loopback OTLP sink (the origin nginx's `/v1/`)",
          path: '/plain',
          endpoint,
        },
      ],
      config: (port) => baseConfig(port, [endpoint], { 'telemetry/opentelemetry': otel() }),
    });
    // What `detailed_connection` adds (connection wait, DNS and TLS times on every backend call's
    // metrics and span): the same, with the backend layer's detail on; compare with `otel`.
    out.push({
      id: 'otel+conn',
      scheme: 'http',
      routes: [
        {
          id: 'otel+conn',
          description: '`otel` + `layers.backend` `detailed_connection` on for metrics and traces',
          path: '/plain',
          endpoint,
        },
      ],
      config: (port) =>
        baseConfig(port, [endpoint], {
          'telemetry/opentelemetry': otel({ backend: { metrics: { detailed_connection: true }, traces: { detailed_connection: true } } }),
        }),
    });
    function otel(layers?: object): object {
      return {
        trace_sample_rate: 1,
        skip_paths: [''],
        ...(layers ? { layers } : {}),
        exporters: {
          otlp: [{ name: 'sink', host: sinkHost, port: Number(sinkPort), use_http: true, disable_metrics: true }],
          prometheus: [{ name: 'prom', port: 0 }],
        },
      };
    }
  }
  if (input.tls) {
    const tls = input.tls;
    const endpoint = plainEndpoint(origin);
    out.push({
      id: 'tls',
      scheme: 'https',
      routes: [
        {
          id: 'tls',
          description: '`/plain` over HTTPS: root `tls.keys` with a self-signed P-256 certificate (TLS 1.3 negotiated by wrk/undici)',
          path: '/plain',
          endpoint,
        },
      ],
      config: (port) => ({ ...baseConfig(port, [endpoint]), tls: { keys: [{ public_key: tls.cert, private_key: tls.key }] } }),
    });
  }
  return out;
}
