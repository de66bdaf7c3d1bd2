// `qos/server-limits` (service, Rampart namespace): listener limits KrakenD has no field for.
//   max_connections   open client connections per process (default 10 000). Connections beyond
//                     it are answered 503 + Retry-After + Connection: close on their first request;
//                     beyond it plus a 10% margin, the kernel connection is dropped on accept.
//                     Keeps file descriptors for upstream and Redis connections.
//   max_header_count  request header fields per request (default 100, as Envoy); more -> 431.
//                     (Node would otherwise silently drop fields past 2000.)
// The header size limit is the root `max_header_bytes` (431). Applied by server/listen.ts via
// apply.ts.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const serverLimitsComponent: ComponentSpec = {
  namespace: 'qos/server-limits',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      properties: {
        max_connections: { type: 'integer', minimum: 1 },
        max_header_count: { type: 'integer', minimum: 1, maximum: 10_000 },
      },
    },
  },
};
