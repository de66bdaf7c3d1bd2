// `modifier/response-body` (EE content replacer) as the registry sees it; the runtime (re2js)
// loads on first use.
import { responseBodySchema } from '../../../data-protection/masking/schema.js';
import type { ResponseBodyConfig } from '../../../data-protection/masking/types.js';
import { defineComponent } from '../../types.js';

export const responseBodyComponent = defineComponent<ResponseBodyConfig>({
  namespace: 'modifier/response-body',
  schemas: { endpoint: responseBodySchema, backend: responseBodySchema },
  // A response hook only. Listed before validation/cel and security/policies in the same slot,
  // so it runs after their response checks (hooks run in reverse): the last hook before the
  // encoder, after shaping.
  phase: 'admit',
  load: () => import('./component.js'),
});
