// Every extra_config namespace Rampart implements. A namespace not listed here is refused at
// startup: misspelled ones with a "did you mean", KrakenD ones Rampart lacks with a plain
// "not implemented" (see config/extra-config.ts).
// Every start and every `check` imports this list, so it holds only light specs (namespace,
// schemas, phase: each component's schema.ts). The runtimes (component.ts and their
// dependencies: jose, ioredis, bcryptjs, maxmind...) are imported on first use through `load`,
// so a config pays only for the namespaces it uses. test/unit/startup-imports.test.ts keeps
// them out of this module graph.
import { backendHttpComponent } from './backend-http/schema.js';
import { apiKeysComponent } from './auth/api-keys/schema.js';
import { basicComponent } from './auth/basic/schema.js';
import { clientCredentialsComponent } from './auth/client-credentials/schema.js';
import { revokerComponent } from './auth/revoker/schema.js';
import { signerComponent } from './auth/signer/schema.js';
import { validatorComponent } from './auth/validator/schema.js';
import { httpServerPluginComponent } from './plugin/http-server/schema.js';
import { reqRespPluginComponent } from './plugin/req-resp-modifier/schema.js';
import { luaBackendComponent } from './modifier/lua-backend/schema.js';
import { luaEndpointComponent } from './modifier/lua-endpoint/schema.js';
import { luaProxyComponent } from './modifier/lua-proxy/schema.js';
import { proxyComponent } from './proxy/schema.js';
import { backendTimeoutComponent } from './qos/backend-timeout/schema.js';
import { circuitBreakerComponent } from './qos/circuit-breaker/schema.js';
import { circuitBreakerHttpComponent } from './qos/circuit-breaker-http/schema.js';
import { ratelimitProxyComponent } from './qos/ratelimit-proxy/schema.js';
import { ratelimitRouterComponent } from './qos/ratelimit-router/schema.js';
import { ratelimitRouterRedisComponent } from './qos/ratelimit-router-redis/schema.js';
import { ratelimitServiceComponent } from './qos/ratelimit-service/schema.js';
import { ratelimitServiceRedisComponent } from './qos/ratelimit-service-redis/schema.js';
import { ratelimitTieredComponent } from './qos/ratelimit-tiered/schema.js';
import { redisComponent } from './qos/redis/schema.js';
import { serverLimitsComponent } from './qos/server-limits/schema.js';
import { routerComponent } from './router/schema.js';
import { botDetectorComponent } from './security/bot-detector/schema.js';
import { clientCertComponent } from './security/client-cert/schema.js';
import { corsComponent } from './security/cors/schema.js';
import { httpSecurityComponent } from './security/http/schema.js';
import { loggingComponent } from './telemetry/logging/schema.js';
import { gelfComponent } from './telemetry/gelf/schema.js';
import { logstashComponent } from './telemetry/logstash/schema.js';
import { influxComponent } from './telemetry/influx/schema.js';
import { metricsComponent } from './telemetry/metrics/schema.js';
import { opentelemetryComponent } from './telemetry/opentelemetry/schema.js';
import { opentelemetrySecurityComponent } from './telemetry/opentelemetry-security/schema.js';
import { opencensusComponent } from './telemetry/opencensus/schema.js';
import { martianComponent } from './modifier/martian/schema.js';
import { jmespathComponent } from './modifier/jmespath/schema.js';
import { requestBodyGeneratorComponent } from './modifier/request-body-generator/schema.js';
import { bodyGeneratorComponent } from './modifier/body-generator/schema.js';
import { responseBodyGeneratorComponent } from './modifier/response-body-generator/schema.js';
import { responseBodyComponent } from './modifier/response-body/schema.js';
import { policiesComponent } from './security/policies/schema.js';
import { celComponent } from './validation/cel/schema.js';
import { responseJsonSchemaComponent } from './validation/response-json-schema/schema.js';
import { requestJsonSchemaComponent } from './validation/json-schema/schema.js';
import { graphqlComponent } from './backend/graphql/schema.js';
import { serverStaticFilesystemComponent } from './static-fs/service-level/schema.js';
import { backendStaticFilesystemComponent } from './static-fs/backend-level/schema.js';
import { httpCacheComponent } from './qos/http-cache/schema.js';
import { websocketComponent } from './websocket/schema.js';
import { openapiComponent } from './documentation/openapi/schema.js';
import { postmanComponent } from './documentation/postman/schema.js';
import type { ComponentSpec } from './types.js';

export const COMPONENTS: readonly ComponentSpec[] = [
  routerComponent,
  proxyComponent,
  backendHttpComponent,
  // backend/graphql: rewrites the backend request into a GraphQL operation before every other
  // backend hook (KrakenD: header filter -> GraphQL -> ... -> CEL -> Lua -> martian).
  graphqlComponent,
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
  // server/static-filesystem: answers file requests before routing, after the service limits.
  serverStaticFilesystemComponent,
  // modifier/lua-endpoint: a guard after authentication, before the router rate limit (KrakenD).
  luaEndpointComponent,
  ratelimitRouterComponent,
  ratelimitRouterRedisComponent,
  // Data protection (README "Data protection"). Guards, after the rate limits: validation/cel
  // then security/policies (JWT and request checks, phase 'admit'), then, once the body is read,
  // validation/json-schema ('validate'). Response hooks run in reverse: response-json-schema,
  // policies, CEL, and modifier/response-body (masking) last, just before the encoder.
  responseBodyComponent,
  // Lua, before CEL and policies (KrakenD: Lua proxy -> CEL endpoint; at the backend, breaker ->
  // proxy rate limit -> Lua backend -> CEL backend -> martian -> HTTP call; README "Modifiers").
  // lua-proxy: an endpoint `around` (its `pre` changes the input CEL's request checks then read)
  // and a response hook on the merged data that runs after CEL's and the policies' response
  // checks, before masking. lua-backend: an HTTP-level request hook (inside every backend
  // wrapper, so a failing script counts for the breaker), before CEL's and martian's, and a
  // backend response hook after theirs.
  luaProxyComponent,
  luaBackendComponent,
  celComponent,
  policiesComponent,
  requestJsonSchemaComponent,
  responseJsonSchemaComponent,
  ratelimitProxyComponent,
  circuitBreakerComponent,
  circuitBreakerHttpComponent,
  backendTimeoutComponent,
  // Body and data modifiers. Response hooks run in reverse registry order: the response body
  // generator (listed before jmespath) renders the data jmespath produced. At backend scope the
  // request body generators' HTTP-level hooks run before martian's.
  responseBodyGeneratorComponent,
  jmespathComponent,
  requestBodyGeneratorComponent,
  bodyGeneratorComponent,
  // Backend HTTP-level modifiers, innermost (KrakenD: ... Lua backend -> CEL backend -> martian
  // -> HTTP call): their request hooks run last, their response hooks first.
  martianComponent,
  // qos/http-cache: the HTTP call itself (KrakenD's cached http.Client), innermost of all: its
  // request hook runs last (the final URL and headers are the key), its response hook first.
  httpCacheComponent,
  // backend/static-filesystem answers instead of the network, so after every other request hook.
  backendStaticFilesystemComponent,
  // websocket: the innermost endpoint wrapper; after every guard it takes the upgraded socket.
  websocketComponent,
  redisComponent,
  serverLimitsComponent,
  // Telemetry (config only: read when the process starts).
  loggingComponent,
  gelfComponent,
  logstashComponent,
  metricsComponent,
  influxComponent,
  opentelemetryComponent,
  opentelemetrySecurityComponent,
  opencensusComponent,
  // Documentation metadata (config only: read by `rampart openapi`).
  openapiComponent,
  postmanComponent,
];

export const COMPONENTS_BY_NAMESPACE: ReadonlyMap<string, ComponentSpec> = new Map(COMPONENTS.map((c) => [c.namespace, c]));
