// `validation/json-schema` as the registry sees it: the value is itself a JSON Schema, checked
// (draft, formats, refs, RE2 patterns) when compiled. The runtime, with ajv, loads on first use.
import { requestJsonSchemaSchema } from '../../../data-protection/json-schema/schema.js';
import { defineComponent } from '../../types.js';

export const requestJsonSchemaComponent = defineComponent<object | boolean>({
  namespace: 'validation/json-schema',
  schemas: { endpoint: requestJsonSchemaSchema },
  // After the body is read, after validation/cel's request checks (KrakenD's order).
  phase: 'validate',
  load: () => import('./component.js'),
});
