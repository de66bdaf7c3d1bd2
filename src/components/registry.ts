// Every extra_config namespace Rampart implements. A namespace not listed here is refused at
// startup: misspelled ones with a "did you mean", KrakenD ones Rampart lacks with a plain
// "not implemented" (see config/extra-config.ts).
import { backendHttpComponent } from './backend-http/schema.js';
import { apiKeysComponent } from './auth/api-keys/component.js';
import { basicComponent } from './auth/basic/component.js';
import { clientCredentialsComponent } from './auth/client-credentials/component.js';
import { revokerComponent } from './auth/revoker/component.js';
import { signerComponent } from './auth/signer/component.js';
import { validatorComponent } from './auth/validator/component.js';
import { httpServerPluginComponent } from './plugin/http-server/component.js';
import { reqRespPluginComponent } from './plugin/req-resp-modifier/component.js';
import { proxyComponent } from './proxy/schema.js';
import { backendTimeoutComponent } from './qos/backend-timeout/component.js';
import { circuitBreakerComponent } from './qos/circuit-breaker/component.js';
import { circuitBreakerHttpComponent } from './qos/circuit-breaker-http/component.js';
import { ratelimitProxyComponent } from './qos/ratelimit-proxy/component.js';
import { ratelimitRouterComponent } from './qos/ratelimit-router/component.js';
import { ratelimitRouterRedisComponent } from './qos/ratelimit-router-redis/component.js';
import { ratelimitServiceComponent } from './qos/ratelimit-service/component.js';
import { ratelimitServiceRedisComponent } from './qos/ratelimit-service-redis/component.js';
import { ratelimitTieredComponent } from './qos/ratelimit-tiered/component.js';
import { redisComponent } from './qos/redis/component.js';
import { serverLimitsComponent } from './qos/server-limits/component.js';
import { routerComponent } from './router/schema.js';
import { botDetectorComponent } from './security/bot-detector/component.js';
import { clientCertComponent } from './security/client-cert/component.js';
import { corsComponent } from './security/cors/component.js';
import { httpSecurityComponent } from './security/http/component.js';
import type { ComponentSpec } from './types.js';

export const COMPONENTS: readonly ComponentSpec[] = [
  routerComponent,
  proxyComponent,
  backendHttpComponent,
  // Transport and HTTP security (phase 'edge', before routing at service level): host restriction
  // and security headers, IP filter + GeoIP, bot detection, then CORS (pre-flights answered
  // here), then the verified client-certificate facts for backends.
  httpSecurityComponent,
  httpServerPluginComponent,
  reqRespPluginComponent,
  botDetectorComponent,
  corsComponent,
  clientCertComponent,
  // Authentication (phase 'authenticate'). The revoker (service scope) is listed before the
  // validator, which reads its revocation list; signer and client-credentials are `around`s.
  revokerComponent,
  validatorComponent,
  apiKeysComponent,
  basicComponent,
  signerComponent,
  clientCredentialsComponent,
  // Traffic control (phase 'admit', after authentication so limits can key on JWT claims):
  // service, tiered and endpoint rate limits. Backend wrappers, outermost first: the proxy rate
  // limit (its refusals never reach the breaker), the circuit breaker, the per-backend timeout
  // (counted by the breaker). Config only: Redis pools (`redis`), listener limits.
  ratelimitServiceComponent,
  ratelimitServiceRedisComponent,
  ratelimitTieredComponent,
  ratelimitRouterComponent,
  ratelimitRouterRedisComponent,
  ratelimitProxyComponent,
  circuitBreakerComponent,
  circuitBreakerHttpComponent,
  backendTimeoutComponent,
  redisComponent,
  serverLimitsComponent,
];

export const COMPONENTS_BY_NAMESPACE: ReadonlyMap<string, ComponentSpec> = new Map(
  COMPONENTS.map((c) => [c.namespace, c]),
);
