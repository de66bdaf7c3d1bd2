// JSON Schema of `auth/signer` (endpoint level; KrakenD v2.13 auth/signer.json, plus `typ`, which
// krakend-jose reads although the schema omits it).
// Also the registry's spec: the runtime (component.ts, with jose) is imported on first use.
import { defineComponent } from '../../types.js';
import type { FromSchema } from '../../../config/schema-type.js';
import { COMMENT_KEYS, duration } from '../../../config/schema.js';
import { JWS_ALGS } from '../common/jws-algs.js';
import { jwkSourceProperties } from '../validator/schema.js';

export const signerSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['alg', 'kid', 'keys_to_sign'],
  properties: {
    alg: { type: 'string', enum: JWS_ALGS },
    kid: { type: 'string', minLength: 1 },
    keys_to_sign: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    ...jwkSourceProperties,
    full: { type: 'boolean' },
    typ: { type: 'string', minLength: 1 },
    // Listed by KrakenD's schema but read by nothing (a no-op there too).
    leeway: duration,
  },
} as const;

export type SignerConfig = FromSchema<typeof signerSchema>;

export const signerComponent = defineComponent<SignerConfig>({
  namespace: 'auth/signer',
  schemas: { endpoint: signerSchema },
  load: () => import('./component.js'),
});
