// `validation/cel` as the registry sees it (a list of {check_expr}); the expressions are
// compiled by the runtime (cel-js, re2js), loaded on first use.
import { celSchema } from '../../../data-protection/cel/schema.js';
import type { CelConfig } from '../../../data-protection/cel/types.js';
import { defineComponent } from '../../types.js';

export const celComponent = defineComponent<CelConfig>({
  namespace: 'validation/cel',
  schemas: { endpoint: celSchema, backend: celSchema },
  // Request checks: after the rate limits, before the body is read and validation/json-schema
  // runs (KrakenD's order: CEL wraps the schema check). JWT checks run earlier, right after
  // authentication (Stage.onAuthenticated).
  phase: 'admit',
  load: () => import('./component.js'),
});
