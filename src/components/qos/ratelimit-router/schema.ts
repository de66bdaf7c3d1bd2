// `qos/ratelimit/router` (endpoint): KrakenD CE's endpoint rate limit. `max_rate` for the
// endpoint as a whole (503 when exceeded, as KrakenD), `client_max_rate` per client (429), both
// with Retry-After and RateLimit headers; the backends are not called. Node-wide in memory
// (shared by a node's workers through the cluster primary), cluster-wide with connection_name.
import { limitSchema } from '../ratelimit-shared/schema.js';
import { limitComponent } from '../ratelimit-shared/limit-component.js';

export const ratelimitRouterComponent = limitComponent('qos/ratelimit/router', 'endpoint', limitSchema);
