// `websocket` (KrakenD EE, endpoint level) as the registry sees it: the fields of KrakenD's
// schema, in Rampart's own words. The runtime (component.ts, with the `ws` package) is imported
// on first use.
import { COMMENT_KEYS, duration } from '../../config/schema.js';
import type { FromSchema } from '../../config/schema-type.js';
import type { ComponentSpec } from '../types.js';

const size = { type: 'integer', minimum: 1 } as const;
const names = { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } } as const;

export const websocketSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: {
    enable_direct_communication: { type: 'boolean' },
    input_headers: names,
    subprotocols: names,
    connect_event: { type: 'boolean' },
    disconnect_event: { type: 'boolean' },
    read_buffer_size: size,
    write_buffer_size: size,
    message_buffer_size: size,
    max_message_size: size,
    write_wait: duration,
    pong_wait: duration,
    ping_period: duration,
    timeout: duration,
    max_retries: { type: 'integer' },
    backoff_strategy: { type: 'string', enum: ['linear', 'linear-jitter', 'exponential', 'exponential-jitter', 'fallback'] },
    return_error_details: { type: 'boolean' },
    disable_otel_metrics: { type: 'boolean' },
  },
} as const;

export type WebsocketConfig = FromSchema<typeof websocketSchema>;

export const websocketComponent: ComponentSpec<WebsocketConfig> = {
  namespace: 'websocket',
  schemas: { endpoint: websocketSchema },
  load: () => import('./component.js'),
};
