// `qos/ratelimit/service/redis` (service, KrakenD EE name): the service limit in Redis.
import { redisLimitSchema } from '../ratelimit-shared/schema.js';
import { limitComponent } from '../ratelimit-shared/limit-component.js';

export const ratelimitServiceRedisComponent = limitComponent('qos/ratelimit/service/redis', 'service', redisLimitSchema);
