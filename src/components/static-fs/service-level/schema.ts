// `server/static-filesystem` (service, EE) as the registry sees it; the runtime is component.ts.
// (In static-fs/, not components/server/: a folder named "server" is the server layer for the
// import rules of scripts/layers.mjs.)
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export interface ServerStaticConfig {
  prefix: string;
  path: string;
  skip?: string[];
  directory_listing?: boolean;
}

export const serverStaticFilesystemComponent: ComponentSpec = {
  namespace: 'server/static-filesystem',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['prefix', 'path'],
      properties: {
        prefix: { type: 'string', pattern: '^/' },
        path: { type: 'string', minLength: 1 },
        skip: { type: 'array', items: { type: 'string', pattern: '^/' } },
        directory_listing: { type: 'boolean' },
      },
    },
  },
  // After the service rate limits: static files count against them, as every request does.
  phase: 'admit',
  load: () => import('./component.js'),
};
