// JSON Schemas of the service-level `tls` (server) and `client_tls` (upstream) objects
// (docs/reference/auth-and-tls.md §7). Unknown keys are refused; comment keys (@ $ _ #) pass, as elsewhere.
import { VERSION_NAMES } from './suites.js';

const COMMENTS = { '^[@$_#]': {} } as const;
const version = { type: 'string', enum: VERSION_NAMES } as const;
const ints = { type: 'array', items: { type: 'integer' } } as const;
const paths = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const keyPair = {
  type: 'object',
  properties: { public_key: { type: 'string', minLength: 1 }, private_key: { type: 'string', minLength: 1 } },
  required: ['public_key', 'private_key'],
  additionalProperties: false,
  patternProperties: COMMENTS,
} as const;

export const serverTlsSchema = {
  type: ['object', 'null'],
  properties: {
    keys: { type: 'array', items: keyPair },
    // Legacy single pair (pre-2.7): still read by KrakenD at runtime, appended to `keys`.
    public_key: { type: 'string', minLength: 1 },
    private_key: { type: 'string', minLength: 1 },
    disabled: { type: 'boolean' },
    min_version: version,
    max_version: version,
    cipher_suites: ints,
    curve_preferences: ints,
    prefer_server_cipher_suites: { type: 'boolean' },
    enable_mtls: { type: 'boolean' },
    ca_certs: paths,
    disable_system_ca_pool: { type: 'boolean' },
  },
  additionalProperties: false,
  patternProperties: COMMENTS,
} as const;

const clientCert = {
  type: 'object',
  properties: { certificate: { type: 'string', minLength: 1 }, private_key: { type: 'string', minLength: 1 } },
  required: ['certificate', 'private_key'],
  additionalProperties: false,
  patternProperties: COMMENTS,
} as const;

export const clientTlsSchema = {
  type: 'object',
  properties: {
    allow_insecure_connections: { type: 'boolean' },
    ca_certs: paths,
    disable_system_ca_pool: { type: 'boolean' },
    min_version: version,
    max_version: version,
    cipher_suites: ints,
    curve_preferences: ints,
    client_certs: { type: 'array', items: clientCert },
  },
  additionalProperties: false,
  patternProperties: COMMENTS,
} as const;
