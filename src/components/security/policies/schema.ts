// `security/policies` (EE) as the registry sees it; the runtime (cel-js) loads on first use.
import { policiesSchema } from '../../../data-protection/policies/schema.js';
import type { PoliciesConfig } from '../../../data-protection/policies/types.js';
import { defineComponent } from '../../types.js';

export const policiesComponent = defineComponent<PoliciesConfig>({
  namespace: 'security/policies',
  schemas: { endpoint: policiesSchema, backend: policiesSchema },
  // Beside validation/cel: after authentication and the rate limits, before the body is read.
  phase: 'admit',
  requires: (cfg, scope) =>
    cfg.jwt && scope === 'endpoint'
      ? [{ namespace: 'auth/validator', why: 'jwt policies need auth/validator on this endpoint (KrakenD would skip them silently)' }]
      : [],
  load: () => import('./component.js'),
});
