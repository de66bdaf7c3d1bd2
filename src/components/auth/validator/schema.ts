// JSON Schema of `auth/validator` (KrakenD v2.13 auth/validator.json and, at service level,
// auth/jose.json), plus one Rampart field: `jwk_refresh_cooldown`.
// Also the registry's spec: the runtime (component.ts, with jose) is imported on first use.
import { defineComponent } from '../../types.js';
import type { FromSchema } from '../../../config/schema-type.js';
import { COMMENT_KEYS, duration } from '../../../config/schema.js';
import { JWS_ALGS } from '../common/jws-algs.js';

const strings = { type: 'array', items: { type: 'string' } } as const;
const headerName = { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" } as const;

/** Fields shared with auth/signer: where the JWK set comes from and how it is downloaded. */
export const jwkSourceProperties = {
  jwk_url: { type: 'string', minLength: 1 },
  jwk_local_path: { type: 'string', minLength: 1 },
  secret_url: { type: 'string' },
  cypher_key: { type: 'string' },
  jwk_local_ca: { type: 'string', minLength: 1 },
  disable_jwk_security: { type: 'boolean' },
  jwk_fingerprints: strings,
  cipher_suites: { type: 'array', items: { type: 'integer' } },
} as const;

export const validatorEndpointSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['alg'],
  properties: {
    alg: { type: 'string', enum: JWS_ALGS },
    ...jwkSourceProperties,
    cache: { type: 'boolean' },
    cache_duration: { type: 'integer', minimum: 0 },
    failed_jwk_key_cooldown: duration,
    key_identify_strategy: { type: 'string', enum: ['kid', 'x5t', 'x5t#S256', 'kid_x5t'] },
    audience: strings,
    issuer: { type: 'string' },
    roles_key: { type: 'string', minLength: 1 },
    roles_key_is_nested: { type: 'boolean' },
    roles: strings,
    scopes_key: { type: 'string', minLength: 1 },
    scopes: strings,
    scopes_matcher: { type: 'string', enum: ['any', 'all'] },
    propagate_claims: {
      type: 'array',
      items: { type: 'array', minItems: 2, maxItems: 2, items: [{ type: 'string', minLength: 1 }, headerName] },
    },
    propagate_claims_preserve_array: { type: 'boolean' },
    cookie_key: { type: 'string', minLength: 1 },
    auth_header_name: headerName,
    leeway: duration,
    operation_debug: { type: 'boolean' },
    // Rampart: minimum time between two downloads of one JWK set triggered by an unknown key id
    // or an expired cache (default 10s, at least 1s).
    jwk_refresh_cooldown: duration,
  },
} as const;

export const validatorServiceSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: {
    shared_cache_duration: { type: 'integer', minimum: 0 },
  },
} as const;

export type ValidatorEndpointConfig = FromSchema<typeof validatorEndpointSchema>;
export type ValidatorServiceConfig = FromSchema<typeof validatorServiceSchema>;
/** What build() gets: the endpoint block, or (service level) the shared JWK cache settings. */
export type ValidatorConfig = ValidatorEndpointConfig | ValidatorServiceConfig;

export const validatorComponent = defineComponent<ValidatorConfig>({
  namespace: 'auth/validator',
  schemas: { service: validatorServiceSchema, endpoint: validatorEndpointSchema },
  phase: 'authenticate',
  load: () => import('./component.js'),
});
