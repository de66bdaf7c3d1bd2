// The closed list of the gateway's error codes: every refusal (a guard's Rejection, logged as a
// security event) and every failure (a GatewayError behind a 5xx or a partial answer) carries
// one. This is the one mapping from a code to its HTTP status (the default where the config
// may choose another, e.g. a rate limit's status or a pre-flight's options_success_status) and
// to the log's `security_event` / `error_code` field. README "Error codes" lists it; a code not
// here does not type-check.

interface CodeSpec {
  /** Default HTTP status. */
  readonly status: number;
  /** A refusal of the client's request (security event log) or a failure of the gateway or a
   * backend (logged with the request, never with its values). */
  readonly kind: 'refusal' | 'failure';
  readonly meaning: string;
}

export const ERROR_CODES = {
  // Refusals: security events.
  'auth.jwt.missing': { status: 401, kind: 'refusal', meaning: 'no token where auth/validator wants one' },
  'auth.jwt.invalid': { status: 401, kind: 'refusal', meaning: 'a token failed a check of auth/validator (the reason says which)' },
  'auth.jwt.forbidden': { status: 403, kind: 'refusal', meaning: 'auth/validator roles or scopes not met' },
  'auth.apikey.missing': { status: 401, kind: 'refusal', meaning: 'no API key' },
  'auth.apikey.invalid': { status: 401, kind: 'refusal', meaning: 'unknown API key, or one without an allowed role' },
  'auth.apikey.rate': { status: 429, kind: 'refusal', meaning: 'too many invalid API keys from the client' },
  'auth.basic.invalid': { status: 401, kind: 'refusal', meaning: 'wrong or missing basic credentials' },
  'auth.basic.busy': { status: 503, kind: 'refusal', meaning: 'too many password checks at once' },
  'limit.client': { status: 429, kind: 'refusal', meaning: 'per-client rate limit' },
  'limit.endpoint': { status: 429, kind: 'refusal', meaning: 'endpoint rate limit' },
  'limit.service': { status: 429, kind: 'refusal', meaning: 'service rate limit' },
  'limit.tier': { status: 429, kind: 'refusal', meaning: 'tiered rate limit' },
  'limit.quota': { status: 429, kind: 'refusal', meaning: 'quota exhausted' },
  'limit.no_identity': { status: 429, kind: 'refusal', meaning: 'the limit key (header, claim) is missing' },
  'limit.no_tier': { status: 403, kind: 'refusal', meaning: 'no tier matches the request' },
  'ip.denied': { status: 403, kind: 'refusal', meaning: 'IP filter' },
  'geoip.denied': { status: 403, kind: 'refusal', meaning: 'GeoIP filter' },
  'bot.denied': { status: 403, kind: 'refusal', meaning: 'security/bot-detector' },
  'host.denied': { status: 400, kind: 'refusal', meaning: 'Host not in security/http allowed_hosts' },
  'cors.denied': { status: 204, kind: 'refusal', meaning: 'refused CORS pre-flight (status: options_success_status)' },
  'request.malformed': { status: 400, kind: 'refusal', meaning: 'not a path target, or two Host headers' },
  'request.too_many_query_params': { status: 414, kind: 'refusal', meaning: 'more than 1 000 query parameters' },
  'request.path_param': { status: 400, kind: 'refusal', meaning: 'a path parameter that would leave the url_pattern prefix' },
  'request.too_large': { status: 413, kind: 'refusal', meaning: 'body over max_payload' },
  'lua.custom_error': { status: 500, kind: 'refusal', meaning: "a Lua script called custom_error (status and body are the script's)" },
  'request.schema': { status: 400, kind: 'refusal', meaning: 'validation/json-schema: the body is empty, not strict JSON or violates the schema' },
  'request.check': { status: 500, kind: 'refusal', meaning: 'a validation/cel request check or a security/policies req policy failed (status: error.status)' },
  'auth.jwt.check': { status: 401, kind: 'refusal', meaning: 'a validation/cel JWT check or a security/policies jwt policy failed' },
  // Failures: the answer is a 5xx, or a partial answer when other backends answered.
  'backend.failed': { status: 500, kind: 'failure', meaning: 'connection error, or a status other than 200/201' },
  'backend.deadline': { status: 500, kind: 'failure', meaning: 'the endpoint timeout passed (KrakenD: context deadline exceeded)' },
  'backend.timeout': { status: 504, kind: 'failure', meaning: 'the backend timeout of qos/timeout passed' },
  'backend.bad_response': { status: 502, kind: 'failure', meaning: 'a backend answer that breaks HTTP framing' },
  'backend.too_large': { status: 500, kind: 'failure', meaning: 'a backend answer over the 32 MiB bound' },
  'backend.circuit_open': { status: 503, kind: 'failure', meaning: 'the circuit breaker is open' },
  'backend.no_hosts': { status: 503, kind: 'failure', meaning: 'sd "dns": no SRV answer resolved yet, or one without usable records' },
  'backend.busy': { status: 503, kind: 'failure', meaning: 'the half-open circuit breaker admits no more calls' },
  'backend.rate_limited': { status: 503, kind: 'failure', meaning: 'qos/ratelimit/proxy refused the call' },
  'backend.auth_failed': { status: 500, kind: 'failure', meaning: 'auth/client-credentials got no token' },
  'backend.placeholder': { status: 500, kind: 'failure', meaning: 'a url_pattern placeholder without a value' },
  'backend.unsafe_param': { status: 400, kind: 'failure', meaning: 'a path value that would leave the url_pattern prefix' },
  'backend.bad_body': { status: 400, kind: 'failure', meaning: 'backend/graphql: a mutation whose request body is not a JSON object' },
  'lua.failed': { status: 500, kind: 'failure', meaning: 'a Lua script raised an error or ran out of its time, instruction or memory budget' },
  'lua.busy': { status: 503, kind: 'failure', meaning: 'every Lua VM of the script was busy and its wait queue full (or the wait too long)' },
  'backend.hook': { status: 500, kind: 'failure', meaning: 'a backend response hook refused or failed' },
  'backend.modifier': { status: 500, kind: 'failure', meaning: 'a modifier (martian, jmespath, body generator) failed at request time' },
  'backend.check': {
    status: 500,
    kind: 'failure',
    meaning: 'a backend-level validation/cel or security/policies request check failed (that backend is skipped)',
  },
  'response.invalid': {
    status: 500,
    kind: 'failure',
    meaning: 'a response check failed: response-json-schema, validation/cel or security/policies (status: error.status)',
  },
  'response.mask_failed': { status: 500, kind: 'failure', meaning: 'modifier/response-body could not mask the answer (it is never sent unmasked)' },
  'gateway.crash': { status: 500, kind: 'failure', meaning: 'an unexpected error while serving (logged with the path)' },
  'request.upgrade_refused': { status: 400, kind: 'refusal', meaning: 'a WebSocket upgrade on an endpoint without websocket' },
  'websocket.upgrade_required': { status: 426, kind: 'refusal', meaning: 'a plain HTTP request, or a malformed handshake, on a websocket endpoint' },
  'websocket.backend_failed': { status: 502, kind: 'failure', meaning: 'the WebSocket backend refused the handshake or could not be reached' },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The default HTTP status of a code. */
export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}
