// `qos/backend-timeout` as the registry sees it; the runtime (component.ts) is imported on first
// use.
import { COMMENT_KEYS, duration } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const backendTimeoutComponent: ComponentSpec = {
  namespace: 'qos/backend-timeout',
  schemas: {
    backend: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['timeout'],
      properties: { timeout: duration },
    },
  },
  load: () => import('./component.js'),
};
