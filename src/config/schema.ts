// Rampart's own JSON Schema for the KrakenD v3 core fields it supports (service, endpoint,
// backend). Extra_config namespaces are validated by their components (components/registry.ts).
// Every object refuses unknown keys, except comment keys starting with @ $ _ or # (as KrakenD).
import { DURATION_PATTERN } from './duration.js';
import { clientTlsSchema, serverTlsSchema } from '../tls/schema.js';

export const COMMENT_KEYS = { '^[@$_#]': {} } as const;
export const duration = { type: 'string', pattern: DURATION_PATTERN } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;
const extraConfig = { type: 'object' } as const;

// Backend encodings as KrakenD's schema lists them: `fast-json` (EE) is read as `json`; `rss` and
// `yaml` (EE) decode into maps (src/encoding/rss.ts, yaml-decode.ts). Values are read
// case-insensitively, as KrakenD does (weak-types.ts lowers them before validation).
export const ENCODINGS = ['json', 'safejson', 'fast-json', 'string', 'no-op', 'xml', 'rss', 'yaml'] as const;
export const OUTPUT_ENCODINGS = ['json', 'fast-json', 'json-collection', 'string', 'negotiate', 'no-op', 'xml', 'yaml'] as const;
export const ENDPOINT_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const BACKEND_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;

function obj(properties: Record<string, unknown>, required: string[] = []) {
  return { type: 'object', properties, required, additionalProperties: false, patternProperties: COMMENT_KEYS };
}

export const backendSchema = obj(
  {
    // "" and a missing url_pattern are cleaned to "/", as KrakenD's config parser does.
    url_pattern: { type: 'string' },
    host: stringList,
    method: { type: 'string', enum: [...BACKEND_METHODS, ...BACKEND_METHODS.map((m) => m.toLowerCase())] },
    encoding: { type: 'string', enum: ENCODINGS },
    is_collection: { type: 'boolean' },
    sd: { type: 'string', enum: ['static', 'dns', 'dns-shared'] },
    // Any scheme in KrakenD; Rampart's upstream client speaks http and https.
    sd_scheme: { type: 'string', enum: ['http', 'https'] },
    disable_host_sanitize: { type: 'boolean' },
    allow: stringList,
    deny: stringList,
    mapping: { type: 'object', additionalProperties: { type: 'string' } },
    group: { type: 'string' },
    target: { type: 'string' },
    input_headers: stringList,
    input_query_strings: stringList,
    extra_config: extraConfig,
  },
  [],
);

export const endpointSchema = obj(
  {
    endpoint: { type: 'string', minLength: 1 },
    method: { type: 'string', enum: [...ENDPOINT_METHODS, ...ENDPOINT_METHODS.map((m) => m.toLowerCase())] },
    backend: { type: 'array', minItems: 1, items: backendSchema },
    timeout: duration,
    cache_ttl: duration,
    concurrent_calls: { type: 'integer', minimum: 1, maximum: 5 },
    input_headers: stringList,
    input_query_strings: stringList,
    output_encoding: { type: 'string', enum: OUTPUT_ENCODINGS },
    extra_config: extraConfig,
  },
  ['endpoint', 'backend'],
);

export const serviceSchema = obj(
  {
    version: { const: 3 },
    name: { type: 'string' },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    listen_ip: { type: 'string' },
    host: stringList,
    timeout: duration,
    cache_ttl: duration,
    output_encoding: { type: 'string', enum: OUTPUT_ENCODINGS },
    disable_rest: { const: false },
    read_timeout: duration,
    read_header_timeout: duration,
    write_timeout: duration,
    idle_timeout: duration,
    max_header_bytes: { type: 'integer', minimum: 0 },
    max_shutdown_wait_time: duration,
    debug_endpoint: { type: 'boolean' },
    echo_endpoint: { type: 'boolean' },
    use_h2c: { const: false },
    sequential_start: { type: 'boolean' },
    dns_cache_ttl: duration,
    allow_insecure_connections: { type: 'boolean' },
    dialer_timeout: duration,
    dialer_fallback_delay: duration,
    dialer_keep_alive: duration,
    disable_keep_alives: { type: 'boolean' },
    disable_compression: { type: 'boolean' },
    max_idle_connections: { type: 'integer', minimum: 0 },
    max_idle_connections_per_host: { type: 'integer', minimum: 0 },
    idle_connection_timeout: duration,
    response_header_timeout: duration,
    expect_continue_timeout: duration,
    tls: serverTlsSchema,
    client_tls: clientTlsSchema,
    // KrakenD's Go plugin folder: accepted with a warning (normalize.ts); Rampart loads no Go plugin.
    plugin: obj({ pattern: { type: 'string' }, folder: { type: 'string' } }, ['pattern', 'folder']),
    extra_config: extraConfig,
    endpoints: { type: 'array', items: endpointSchema },
  },
  ['version'],
);

/** Fields KrakenD knows but Rampart does not implement yet: named in the error so nobody
 * believes a `tls` block silently took effect. */
export const NOT_YET_SUPPORTED_FIELDS: Record<string, string> = {
  async_agent:
    'async agents (AMQP/Kafka consumers that call the backends) are not built into Rampart, which serves HTTP requests only; run the consumer as its own service that calls the gateway',
};
