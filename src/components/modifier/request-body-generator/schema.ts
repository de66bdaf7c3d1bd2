// `modifier/request-body-generator` (endpoint: the body every backend gets; backend: that
// backend's body) as the registry sees it; the runtime is component.ts.
import type { ComponentSpec } from '../../types.js';
import { GENERATOR_SCHEMA } from '../generator-schema.js';

export const requestBodyGeneratorComponent: ComponentSpec = {
  namespace: 'modifier/request-body-generator',
  schemas: { endpoint: GENERATOR_SCHEMA, backend: GENERATOR_SCHEMA },
  load: () => import('./component.js'),
};
