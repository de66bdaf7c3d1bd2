// `qos/http-cache` (backend, CE; legacy name github.com/devopsfaith/krakend-httpcache) as the
// registry sees it; the runtime (component.ts, with http-cache-semantics and lru-cache) is
// imported on first use. KrakenD's schema makes `shared` and the two bounds exclusive (a oneOf);
// its runtime reads any mix, and so does Rampart: the bounds go together, `shared` with either.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export interface HttpCacheConfig {
  shared?: boolean;
  max_items?: number;
  max_size?: number;
}

export const httpCacheComponent: ComponentSpec = {
  namespace: 'qos/http-cache',
  schemas: {
    backend: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      properties: {
        shared: { type: 'boolean' },
        max_items: { type: 'integer', minimum: 1 },
        max_size: { type: 'integer', minimum: 1024 },
      },
      dependencies: { max_items: ['max_size'], max_size: ['max_items'] },
    },
  },
  load: () => import('./component.js'),
};
