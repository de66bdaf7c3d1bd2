// Why Rampart refuses a KrakenD namespace it does not build, and what to use instead: one
// sentence each, appended to the "not implemented" startup error (issue #18). Every namespace
// of KrakenD's schema is either a registered component or listed here (or in
// namespace-hints.ts); test/unit/namespace-refusals.test.ts holds the list complete.
const GO_PLUGIN =
  'it loads compiled Go plugins (.so files), and Rampart, a Node.js gateway, runs no Go code; port the plugin to a Rampart component, or put the logic in modifier/lua-* (sandboxed Lua)';
const ASYNC = 'Rampart serves HTTP requests only and consumes no message queue; run the consumer as its own service that calls the gateway over HTTP';
const BROKER =
  'Rampart calls HTTP(S) backends only and has no message-broker client; put a small HTTP service in front of the broker and declare it as an ordinary backend';
const CLOUD_SDK =
  'Rampart bundles no cloud-provider SDK; call the service through an HTTP endpoint it exposes (e.g. a function URL or API Gateway) as an ordinary backend';

export const REFUSAL_HINTS: Readonly<Record<string, string>> = {
  'ai/llm':
    'the AI gateway (LLM vendor connectors) is a KrakenD Enterprise feature Rampart does not build; call the vendor API as an ordinary HTTPS backend with its key added by modifier/martian',
  'ai/mcp': 'MCP servers are a KrakenD Enterprise feature Rampart does not build; run the MCP server as its own service behind an ordinary endpoint',
  'async/amqp': ASYNC,
  'async/kafka': ASYNC,
  'auth/aws-sigv4':
    'AWS SigV4 request signing is not built into Rampart (it would need the AWS credential chain); sign in a small proxy in front of the AWS service, or use an AWS endpoint that accepts OAuth2 tokens via auth/client-credentials',
  'auth/gcp':
    'Google Cloud service-account authentication is not built into Rampart; use auth/client-credentials against an OAuth2 token endpoint, or a proxy that adds the identity token',
  'auth/ntlm': 'NTLM is a connection-bound Windows challenge protocol that Rampart does not speak; put a proxy that handles NTLM in front of the backend',
  'backend/amqp/consumer': BROKER,
  'backend/amqp/producer': BROKER,
  'backend/conditional':
    'conditional backends (KrakenD Enterprise) are not built into Rampart; split the cases into separate endpoints, or choose in modifier/lua-proxy',
  'backend/grpc':
    'gRPC backends (KrakenD Enterprise, protobuf descriptor sets) are not built into Rampart; expose the service over HTTP/JSON (grpc-gateway, Envoy transcoding) and declare that as the backend',
  'backend/http/client':
    'per-backend HTTP client options (KrakenD Enterprise) are not built into Rampart; the service-level client_tls and upstream settings apply to every backend',
  'backend/lambda': CLOUD_SDK,
  'backend/pubsub/publisher': BROKER,
  'backend/pubsub/publisher/kafka': BROKER,
  'backend/pubsub/subscriber': BROKER,
  'backend/pubsub/subscriber/kafka': BROKER,
  'backend/soap':
    'SOAP templates (KrakenD Enterprise) are not built into Rampart; build the envelope with modifier/request-body-generator and decode the answer with "encoding": "xml"',
  'governance/processors': 'quota governance (KrakenD Enterprise) is not built into Rampart; use qos/ratelimit/tiered, whose tiers take a "quota" per client',
  'governance/quota': 'quota governance (KrakenD Enterprise) is not built into Rampart; use qos/ratelimit/tiered, whose tiers take a "quota" per client',
  grpc: 'a gRPC server in the gateway (KrakenD Enterprise) is not built into Rampart, which serves HTTP/1.1 and HTTP/2 REST endpoints; keep gRPC clients on a gRPC proxy (Envoy) beside it',
  'modifier/request-body-extractor':
    'body-to-header extraction (KrakenD Enterprise) is not built into Rampart; read the body in modifier/lua-endpoint or modifier/lua-proxy and set the header there',
  'modifier/request-body-extractor/early':
    'body-to-header extraction (KrakenD Enterprise) is not built into Rampart; read the body in modifier/lua-endpoint and set the header there',
  'modifier/response-headers':
    'declarative response-header edits (KrakenD Enterprise) are not built into Rampart; use modifier/martian (header.Modifier) on the backend or modifier/lua-proxy',
  'plugin/http-client': GO_PLUGIN,
  'plugin/middleware': GO_PLUGIN,
  'server/virtualhost':
    'virtual hosts (KrakenD Enterprise) are not built into Rampart; run one Rampart per host name behind a TLS/SNI router, or restrict hosts with security/http allowed_hosts',
  workflow:
    'workflows (KrakenD Enterprise nested endpoints) are not built into Rampart; chain the backends with "proxy": {"sequential": true} and {respN_field} placeholders',
};
