// `modifier/response-body-generator` (endpoint: the answer to the client, from the merged data;
// backend: that backend's body, before decoding) as the registry sees it.
import type { ComponentSpec } from '../../types.js';
import { GENERATOR_SCHEMA } from '../generator-schema.js';

export const responseBodyGeneratorComponent: ComponentSpec = {
  namespace: 'modifier/response-body-generator',
  schemas: { endpoint: GENERATOR_SCHEMA, backend: GENERATOR_SCHEMA },
  load: () => import('./component.js'),
};
