// `backend/static-filesystem` (backend, EE) as the registry sees it; the runtime is component.ts.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export interface BackendStaticConfig {
  path: string;
  directory_listing?: boolean;
}

export const backendStaticFilesystemComponent: ComponentSpec = {
  namespace: 'backend/static-filesystem',
  schemas: {
    backend: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['path'],
      properties: { path: { type: 'string', minLength: 1 }, directory_listing: { type: 'boolean' } },
    },
  },
  load: () => import('./component.js'),
};
