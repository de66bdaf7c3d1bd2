// `validation/response-json-schema` (EE) as the registry sees it; the runtime (ajv) loads on
// first use.
import { responseJsonSchemaSchema } from '../../../data-protection/json-schema/schema.js';
import type { ResponseSchemaConfig } from '../../../data-protection/json-schema/types.js';
import { defineComponent } from '../../types.js';

export const responseJsonSchemaComponent = defineComponent<ResponseSchemaConfig>({
  namespace: 'validation/response-json-schema',
  schemas: { endpoint: responseJsonSchemaSchema, backend: responseJsonSchemaSchema },
  // A response hook only; in the last slot, so it is the first hook to see the answer (before
  // CEL and policy response checks and before masking).
  phase: 'validate',
  load: () => import('./component.js'),
});
