// `backend/graphql` (backend, CE; legacy name
// github.com/devopsfaith/krakend/transport/http/client/graphql) as the registry sees it; the
// runtime is component.ts. KrakenD's schema, plus `method` (GET | POST), which lura's runtime
// reads (transport/http/client/graphql) though the schema does not list it; `type` and `method`
// are case-insensitive there, and here.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export interface GraphqlConfig {
  type: string;
  query?: string;
  query_path?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  method?: string;
}

export const graphqlComponent: ComponentSpec = {
  namespace: 'backend/graphql',
  schemas: {
    backend: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['type'],
      oneOf: [{ required: ['query'] }, { required: ['query_path'] }],
      properties: {
        type: { type: 'string', pattern: '^([qQ][uU][eE][rR][yY]|[mM][uU][tT][aA][tT][iI][oO][nN])$' },
        query: { type: 'string', minLength: 1 },
        query_path: { type: 'string', minLength: 1 },
        variables: { type: 'object' },
        operationName: { type: 'string' },
        method: { type: 'string', pattern: '^([gG][eE][tT]|[pP][oO][sS][tT])$' },
      },
    },
  },
  load: () => import('./component.js'),
};
