// `qos/ratelimit/router/redis` (endpoint, KrakenD EE name): the endpoint limit with counters in
// Redis, shared by every gateway process and node using the same pool.
import { redisLimitSchema } from '../ratelimit-shared/schema.js';
import { limitComponent } from '../ratelimit-shared/limit-component.js';

export const ratelimitRouterRedisComponent = limitComponent('qos/ratelimit/router/redis', 'endpoint', redisLimitSchema);
