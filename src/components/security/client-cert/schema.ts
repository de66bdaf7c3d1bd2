// `security/client-cert` (service level, Rampart extension): which facts of the verified mTLS
// client certificate are sent to backends, and in which request headers.
// Also the registry's spec: the runtime (component.ts) is imported on first use.
import type { ComponentSpec } from '../../types.js';
import { COMMENT_KEYS } from '../../../config/schema.js';

const headerName = { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" } as const;

export const FACTS = ['subject', 'issuer', 'serial', 'fingerprint', 'san', 'not_after'] as const;
export type Fact = (typeof FACTS)[number];

export const clientCertSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['headers'],
  properties: {
    headers: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(FACTS.map((f) => [f, headerName])),
    },
  },
} as const;

export const clientCertComponent: ComponentSpec = {
  namespace: 'security/client-cert',
  schemas: { service: clientCertSchema },
  phase: 'edge',
  load: () => import('./component.js'),
};
