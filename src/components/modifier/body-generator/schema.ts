// `modifier/body-generator`: KrakenD's backend-level form of the request body generator (same
// fields, same runtime as modifier/request-body-generator at backend scope).
import type { ComponentSpec } from '../../types.js';
import { GENERATOR_SCHEMA } from '../generator-schema.js';

export const bodyGeneratorComponent: ComponentSpec = {
  namespace: 'modifier/body-generator',
  schemas: { backend: GENERATOR_SCHEMA },
  load: () => import('../request-body-generator/component.js'),
  excludes: [{ namespace: 'modifier/request-body-generator', why: 'both generate the same request body; keep one' }],
};
