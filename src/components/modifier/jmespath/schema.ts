// `modifier/jmespath` (endpoint: the merged data; backend: that backend's data) as the registry
// sees it. `expr` is parsed and checked (syntax, functions, arities) at startup by component.ts.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['expr'],
  properties: { expr: { type: 'string', minLength: 1, maxLength: 8192 } },
} as const;

export const jmespathComponent: ComponentSpec = {
  namespace: 'modifier/jmespath',
  schemas: { endpoint: schema, backend: schema },
  load: () => import('./component.js'),
};
