// `qos/ratelimit/service` (service, KrakenD EE name): the same limit for all endpoints together;
// the client bucket counts a client across every endpoint. Runs before routing, so the `param`
// and `claim` strategies are refused here.
import { limitSchema } from '../ratelimit-shared/schema.js';
import { limitComponent } from '../ratelimit-shared/limit-component.js';

export const ratelimitServiceComponent = limitComponent('qos/ratelimit/service', 'service', limitSchema);
