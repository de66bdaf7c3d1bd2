// `rampart audit`'s rules. KrakenD's (krakend-audit audit.go: the ids, severities and conditions
// of docs/reference/traffic-and-http-security.md §16, which look only at which components and
// flags are present), then Rampart's own value-based rules under ids 10.x.y, so a KrakenD id keeps
// its meaning and a KrakenD ignore file still works. Rules read the raw document (any KrakenD v3
// config, including ones Rampart refuses to run), never a secret's value.
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';

export interface Rule {
  id: string;
  severity: Severity;
  message: string;
  fires(doc: Doc): boolean;
}

type Obj = Record<string, unknown>;
/** telemetry/opentelemetry as KrakenD documents it; the exporter lists are read as given, so a
 * document with a non-list there fails the audit with the message, as it always has. */
type OtelDoc = { exporters?: { otlp?: Obj[]; prometheus?: Obj[] }; trace_sample_rate?: unknown; layers?: unknown };

/** The parts of a config document the rules look at. */
export class Doc {
  readonly root: Obj;
  readonly extra: Obj;
  readonly endpoints: Obj[];
  readonly backends: Obj[];

  constructor(root: unknown) {
    this.root = root !== null && typeof root === 'object' && !Array.isArray(root) ? (root as Obj) : {};
    this.extra = obj(this.root.extra_config);
    this.endpoints = Array.isArray(this.root.endpoints) ? this.root.endpoints.filter(isObj) : [];
    this.backends = this.endpoints.flatMap((e) => (Array.isArray(e.backend) ? e.backend.filter(isObj) : []));
  }

  /** A namespace at service level. */
  service(ns: string): Obj | undefined {
    return isObj(this.extra[ns]) ? this.extra[ns] : undefined;
  }

  /** Any endpoint (or backend, with `backends`) declaring the namespace. */
  anyEndpoint(ns: string): boolean {
    return this.endpoints.some((e) => isObj(obj(e.extra_config)[ns]));
  }

  anyBackend(ns: string): boolean {
    return this.backends.some((b) => isObj(obj(b.extra_config)[ns]));
  }

  anywhere(ns: string): boolean {
    return this.service(ns) !== undefined || this.anyEndpoint(ns) || this.anyBackend(ns);
  }

  /** Server plugins named in plugin/http-server (service), client plugins in plugin/http-client. */
  serverPlugin(name: string): boolean {
    const p = this.service('plugin/http-server');
    return !!p && (p.name === name || (Array.isArray(p.name) && p.name.includes(name)));
  }

  clientPlugin(name: string): boolean {
    return this.backends.some((b) => {
      const p = obj(obj(b.extra_config)['plugin/http-client']);
      return p.name === name || (Array.isArray(p.name) && p.name.includes(name));
    });
  }

  reqRespPlugin(name: string): boolean {
    const holders = [this.extra, ...this.endpoints.map((e) => obj(e.extra_config)), ...this.backends.map((b) => obj(b.extra_config))];
    return holders.some((x) => {
      const p = obj(x['plugin/req-resp-modifier']);
      return p.name === name || (Array.isArray(p.name) && p.name.includes(name));
    });
  }

  /** Endpoint timeout in seconds (the service timeout when the endpoint has none). */
  timeouts(): number[] {
    const parse = (v: unknown): number | undefined => {
      if (typeof v !== 'string') return undefined;
      let total = 0;
      const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
      let matched = '';
      for (let m = re.exec(v); m; m = re.exec(v)) {
        matched += m[0];
        total += Number(m[1]) * { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 }[m[2] as 's'];
      }
      return matched === v ? total : undefined;
    };
    const service = parse(this.root.timeout) ?? 2;
    return this.endpoints.map((e) => parse(e.timeout) ?? service);
  }
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

const AUTH = ['auth/validator', 'auth/api-keys', 'auth/basic'];
const LIMITS = ['qos/ratelimit/router', 'qos/ratelimit/router/redis', 'qos/ratelimit/tiered'];
const SERVICE_LIMITS = ['qos/ratelimit/service', 'qos/ratelimit/service/redis'];
const hasAny = (x: Obj, names: string[]) => names.some((n) => isObj(x[n]));
const otel = (d: Doc) => d.service('telemetry/opentelemetry') as OtelDoc | undefined;
/** An exporter list as the config wrote it; a value that is not a list of objects has no exporters
 * (the audit reads configs Rampart may refuse: it must not throw on them). */
const exporters = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter((o): o is Obj => o !== null && typeof o === 'object' && !Array.isArray(o)) : []);
const otelTraceExporter = (d: Doc) => exporters(otel(d)?.exporters?.otlp).some((o: Obj) => o.disable_traces !== true);
const otelMetricExporter = (d: Doc) =>
  [...exporters(otel(d)?.exporters?.otlp), ...exporters(otel(d)?.exporters?.prometheus)].some((o: Obj) => o.disable_metrics !== true);
const loopback = (h: string) => /^(127\.|::1$|\[::1\]|localhost$)/.test(h);

export const RULES: readonly Rule[] = [
  { id: '1.1.1', severity: 'HIGH', message: 'Avoid using basic authentication.', fires: (d) => d.anywhere('auth/basic') || d.serverPlugin('basic-auth') },
  {
    id: '1.1.2',
    severity: 'MEDIUM',
    message: 'Avoid using API keys at the service level: prefer JWT.',
    fires: (d) => d.service('auth/api-keys') !== undefined,
  },
  { id: '1.2.1', severity: 'HIGH', message: 'No endpoint is protected with JWT validation (auth/validator).', fires: (d) => !d.anyEndpoint('auth/validator') },
  {
    id: '2.1.1',
    severity: 'HIGH',
    message: 'Insecure connections to upstreams are allowed (allow_insecure_connections).',
    fires: (d) => d.root.allow_insecure_connections === true || obj(d.root.client_tls).allow_insecure_connections === true,
  },
  {
    id: '2.1.2',
    severity: 'HIGH',
    message: 'TLS is not configured: the gateway serves plain HTTP (fine only behind a TLS terminator).',
    fires: (d) => !isObj(d.root.tls),
  },
  { id: '2.1.3', severity: 'CRITICAL', message: 'TLS is declared but disabled.', fires: (d) => isObj(d.root.tls) && d.root.tls.disabled === true },
  { id: '2.1.7', severity: 'HIGH', message: 'No HTTP security headers (security/http).', fires: (d) => d.service('security/http') === undefined },
  {
    id: '2.1.8',
    severity: 'HIGH',
    message: 'HTTP/2 cleartext (h2c) is enabled.',
    fires: (d) => d.root.use_h2c === true || d.service('router')?.use_h2c === true,
  },
  {
    id: '2.1.9',
    severity: 'LOW',
    message: 'A backend allows insecure connections (backend/http/client).',
    fires: (d) => d.backends.some((b) => obj(obj(b.extra_config)['backend/http/client']).allow_insecure_connections === true),
  },
  {
    id: '2.2.1',
    severity: 'MEDIUM',
    message: 'The version header is not hidden (router.hide_version_header).',
    fires: (d) => d.service('router')?.hide_version_header !== true,
  },
  { id: '2.2.2', severity: 'HIGH', message: 'No CORS policy (security/cors).', fires: (d) => d.service('security/cors') === undefined },
  {
    id: '2.2.3',
    severity: 'HIGH',
    message: 'An endpoint forwards every client header (input_headers: ["*"]).',
    fires: (d) => d.endpoints.some((e) => Array.isArray(e.input_headers) && e.input_headers.includes('*')),
  },
  {
    id: '2.2.4',
    severity: 'HIGH',
    message: 'An endpoint forwards every query string (input_query_strings: ["*"]).',
    fires: (d) => d.endpoints.some((e) => Array.isArray(e.input_query_strings) && e.input_query_strings.includes('*')),
  },
  {
    id: '2.2.5',
    severity: 'LOW',
    message: 'A gRPC server is declared with no services.',
    fires: (d) => {
      const g = d.service('grpc');
      return g !== undefined && !(Array.isArray(g.services) && g.services.length > 0);
    },
  },
  {
    id: '2.3.1',
    severity: 'MEDIUM',
    message: 'A backend cache has no bound (qos/http-cache without max_items and max_size).',
    fires: (d) =>
      d.backends.some((b) => {
        const c = obj(b.extra_config)['qos/http-cache'];
        return isObj(c) && !(Number(c.max_items) > 0 && Number(c.max_size) > 0);
      }),
  },
  {
    id: '3.1.1',
    severity: 'LOW',
    message: 'No bot detector at the service level (security/bot-detector).',
    fires: (d) => d.service('security/bot-detector') === undefined,
  },
  {
    id: '3.1.2',
    severity: 'HIGH',
    message: 'No rate limit anywhere.',
    fires: (d) =>
      !(
        LIMITS.some((n) => d.anyEndpoint(n)) ||
        d.anyBackend('qos/ratelimit/proxy') ||
        SERVICE_LIMITS.some((n) => d.service(n) !== undefined) ||
        d.serverPlugin('redis-ratelimit')
      ),
  },
  {
    id: '3.1.3',
    severity: 'HIGH',
    message: 'No circuit breaker on any backend.',
    fires: (d) => !(d.anyBackend('qos/circuit-breaker') || d.anyBackend('qos/circuit-breaker/http') || d.anyEndpoint('qos/circuit-breaker')),
  },
  { id: '3.3.1', severity: 'LOW', message: 'An endpoint timeout is over 3 s.', fires: (d) => d.timeouts().some((t) => t > 3) },
  { id: '3.3.2', severity: 'MEDIUM', message: 'An endpoint timeout is over 5 s.', fires: (d) => d.timeouts().some((t) => t > 5) },
  { id: '3.3.3', severity: 'HIGH', message: 'An endpoint timeout is over 30 s.', fires: (d) => d.timeouts().some((t) => t > 30) },
  { id: '3.3.4', severity: 'CRITICAL', message: 'An endpoint timeout is over 60 s.', fires: (d) => d.timeouts().some((t) => t > 60) },
  {
    id: '4.1.1',
    severity: 'MEDIUM',
    message: 'No metrics (telemetry/metrics, OpenTelemetry, …).',
    fires: (d) =>
      !['telemetry/opencensus', 'telemetry/metrics', 'telemetry/newrelic', 'telemetry/ganalytics', 'telemetry/instana'].some((n) => d.service(n)) &&
      !otelMetricExporter(d),
  },
  {
    id: '4.1.3',
    severity: 'HIGH',
    message: 'More than one metrics system is enabled.',
    fires: (d) =>
      ['telemetry/opencensus', 'telemetry/metrics', 'telemetry/newrelic', 'telemetry/ganalytics', 'telemetry/instana'].filter((n) => d.service(n)).length +
        (otelMetricExporter(d) ? 1 : 0) >
      1,
  },
  {
    id: '4.2.1',
    severity: 'MEDIUM',
    message: 'No tracing (OpenTelemetry with a trace exporter, …).',
    fires: (d) => !['telemetry/opencensus', 'telemetry/newrelic', 'telemetry/instana'].some((n) => d.service(n)) && !otelTraceExporter(d),
  },
  {
    id: '4.3.1',
    severity: 'MEDIUM',
    message: 'No improved logging (telemetry/logging, telemetry/gelf, telemetry/logstash).',
    fires: (d) => !['telemetry/logging', 'telemetry/gelf', 'telemetry/logstash'].some((n) => d.service(n)),
  },
  { id: '5.1.1', severity: 'LOW', message: 'disable_rest is enabled.', fires: (d) => d.root.disable_rest === true },
  { id: '5.1.2', severity: 'LOW', message: 'The debug endpoint is enabled (debug_endpoint).', fires: (d) => d.root.debug_endpoint === true },
  {
    id: '5.1.3',
    severity: 'LOW',
    message: 'The echo endpoint is enabled (echo_endpoint): it reflects credentials.',
    fires: (d) => d.root.echo_endpoint === true,
  },
  {
    id: '5.1.4',
    severity: 'LOW',
    message: 'An endpoint path ends in a wildcard (*).',
    fires: (d) => d.endpoints.some((e) => typeof e.endpoint === 'string' && e.endpoint.endsWith('*')),
  },
  { id: '5.1.5', severity: 'MEDIUM', message: 'A /__catchall endpoint exists.', fires: (d) => d.endpoints.some((e) => e.endpoint === '/__catchall') },
  {
    id: '5.1.6',
    severity: 'MEDIUM',
    message: 'An endpoint has more than one backend with an unsafe method (not GET/HEAD).',
    fires: (d) =>
      d.endpoints.some(
        (e) =>
          (Array.isArray(e.backend) ? e.backend : []).filter((b: Obj) => !['GET', 'HEAD'].includes(String(b.method ?? e.method ?? 'GET').toUpperCase()))
            .length > 1,
      ),
  },
  {
    id: '5.1.7',
    severity: 'MEDIUM',
    message: 'An endpoint uses the sequential proxy.',
    fires: (d) => d.endpoints.some((e) => obj(obj(e.extra_config).proxy).sequential === true),
  },
  {
    id: '5.2.1',
    severity: 'CRITICAL',
    message: 'An endpoint has no backend.',
    fires: (d) => d.endpoints.some((e) => !Array.isArray(e.backend) || e.backend.length === 0),
  },
  {
    id: '5.2.2',
    severity: 'LOW',
    message: 'Every endpoint has a single backend (the gateway is used as a plain proxy).',
    fires: (d) => d.endpoints.length > 0 && d.endpoints.every((e) => Array.isArray(e.backend) && e.backend.length === 1),
  },
  {
    id: '5.2.3',
    severity: 'LOW',
    message: 'Every endpoint uses no-op encoding.',
    fires: (d) => d.endpoints.length > 0 && d.endpoints.every((e) => e.output_encoding === 'no-op'),
  },
  {
    id: '6.1.1',
    severity: 'LOW',
    message: 'Too many async agents start sequentially (sequential_start with 10 or more).',
    fires: (d) => d.root.sequential_start === true && Array.isArray(d.root.async_agent) && d.root.async_agent.length >= 10,
  },
  { id: '7.1.1', severity: 'HIGH', message: 'Deprecated virtualhost server plugin.', fires: (d) => d.serverPlugin('virtualhost') },
  { id: '7.1.2', severity: 'HIGH', message: 'Deprecated static-filesystem server plugin.', fires: (d) => d.serverPlugin('static-filesystem') },
  { id: '7.1.3', severity: 'HIGH', message: 'Deprecated basic-auth server plugin (use auth/basic).', fires: (d) => d.serverPlugin('basic-auth') },
  { id: '7.1.4', severity: 'HIGH', message: 'Deprecated wildcard server plugin.', fires: (d) => d.serverPlugin('wildcard') },
  { id: '7.1.5', severity: 'HIGH', message: 'Deprecated http-proxy client plugin.', fires: (d) => d.clientPlugin('http-proxy') },
  { id: '7.1.6', severity: 'HIGH', message: 'Deprecated static-filesystem client plugin.', fires: (d) => d.clientPlugin('static-filesystem') },
  { id: '7.1.7', severity: 'HIGH', message: 'Deprecated no-redirect client plugin.', fires: (d) => d.clientPlugin('no-redirect') },
  {
    id: '7.1.8',
    severity: 'HIGH',
    message: 'Deprecated content-replacer plugin (use modifier/response-body).',
    fires: (d) => d.reqRespPlugin('content-replacer'),
  },
  {
    id: '7.1.9',
    severity: 'HIGH',
    message: 'Deprecated response-schema-validator plugin (use validation/response-json-schema).',
    fires: (d) => d.reqRespPlugin('response-schema-validator'),
  },
  { id: '7.2.1', severity: 'HIGH', message: 'Deprecated telemetry/ganalytics.', fires: (d) => d.service('telemetry/ganalytics') !== undefined },
  { id: '7.2.2', severity: 'HIGH', message: 'Deprecated telemetry/instana.', fires: (d) => d.service('telemetry/instana') !== undefined },
  {
    id: '7.2.3',
    severity: 'HIGH',
    message: 'Deprecated telemetry/opencensus (use telemetry/opentelemetry).',
    fires: (d) => d.service('telemetry/opencensus') !== undefined,
  },
  { id: '7.2.4', severity: 'HIGH', message: 'Deprecated telemetry/influx.', fires: (d) => d.service('telemetry/influx') !== undefined },
  {
    id: '7.3.1',
    severity: 'MEDIUM',
    message: 'Deprecated tls.public_key/private_key (use tls.keys).',
    fires: (d) => isObj(d.root.tls) && (d.root.tls.public_key !== undefined || d.root.tls.private_key !== undefined),
  },
  // Rampart's value-based rules.
  {
    id: '10.1.1',
    severity: 'HIGH',
    message: 'An authenticated endpoint forwards every client header (input_headers: ["*"]): the credentials reach the backend.',
    fires: (d) =>
      d.endpoints.some(
        (e) => Array.isArray(e.input_headers) && e.input_headers.includes('*') && (hasAny(obj(e.extra_config), AUTH) || AUTH.some((n) => d.service(n))),
      ),
  },
  {
    id: '10.1.2',
    severity: 'MEDIUM',
    message: 'An endpoint has neither authentication nor a rate limit.',
    fires: (d) => {
      const serviceGuard = AUTH.some((n) => d.service(n)) || SERVICE_LIMITS.some((n) => d.service(n));
      return !serviceGuard && d.endpoints.some((e) => !hasAny(obj(e.extra_config), [...AUTH, ...LIMITS]));
    },
  },
  {
    id: '10.1.3',
    severity: 'MEDIUM',
    message: 'JWT validation without an audience (auth/validator without audience).',
    fires: (d) =>
      d.endpoints.some((e) => {
        const v = obj(e.extra_config)['auth/validator'];
        return isObj(v) && !(Array.isArray(v.audience) ? v.audience.length : v.audience);
      }),
  },
  {
    id: '10.1.4',
    severity: 'HIGH',
    message: 'A JWK set is fetched over plain HTTP (jwk_url http://).',
    fires: (d) =>
      d.endpoints.some((e) => {
        const v = obj(e.extra_config)['auth/validator'];
        return isObj(v) && typeof v.jwk_url === 'string' && v.jwk_url.startsWith('http://');
      }),
  },
  {
    id: '10.2.1',
    severity: 'LOW',
    message: 'The gateway listens on every interface (no listen_ip).',
    fires: (d) => !d.root.listen_ip || d.root.listen_ip === '0.0.0.0' || d.root.listen_ip === '::',
  },
  {
    id: '10.2.2',
    severity: 'HIGH',
    message: 'Metrics are served on every interface without authentication (telemetry/metrics listen_address, Prometheus listen_ip).',
    fires: (d) => {
      const m = d.service('telemetry/metrics');
      const statsAll = m !== undefined && /^(0\.0\.0\.0|\[::\]|::):/.test(String(m.listen_address ?? ''));
      const promAll = exporters(otel(d)?.exporters?.prometheus).some((p: Obj) => p.listen_ip === '0.0.0.0' || p.listen_ip === '::');
      return statsAll || promAll;
    },
  },
  {
    id: '10.3.1',
    severity: 'MEDIUM',
    message: 'trace_sample_rate is 0 or less: no traces are recorded (KrakenD records every trace at 0).',
    fires: (d) => {
      const o = otel(d);
      return o !== undefined && typeof o.trace_sample_rate === 'number' && o.trace_sample_rate <= 0;
    },
  },
  {
    id: '10.3.2',
    severity: 'MEDIUM',
    message: 'An OTLP exporter sends to another host in plaintext (no https://).',
    fires: (d) =>
      exporters(otel(d)?.exporters?.otlp).some(
        (o: Obj) => typeof o.host === 'string' && !o.host.startsWith('https://') && !loopback(o.host.replace(/^http:\/\//, '')),
      ),
  },
  {
    id: '10.3.3',
    severity: 'LOW',
    message: 'Request headers are recorded in traces (report_headers): review skip_headers.',
    fires: (d) => JSON.stringify(otel(d)?.layers ?? {}).includes('"report_headers":true'),
  },
  {
    id: '10.4.1',
    severity: 'HIGH',
    message: 'Gateway error details are returned to clients (router.return_error_msg).',
    fires: (d) => d.service('router')?.return_error_msg === true,
  },
  {
    id: '10.4.2',
    severity: 'MEDIUM',
    message: 'Backend error bodies are returned to clients (backend/http return_error_details).',
    fires: (d) => d.backends.some((b) => obj(obj(b.extra_config)['backend/http']).return_error_details !== undefined),
  },
  {
    id: '10.4.3',
    severity: 'MEDIUM',
    message: 'A client rate limit by IP without router.trusted_proxies: behind a load balancer every client shares its address.',
    fires: (d) => {
      const tp = d.service('router')?.trusted_proxies;
      return !(Array.isArray(tp) && tp.length) && d.endpoints.some((e) => obj(obj(e.extra_config)['qos/ratelimit/router']).strategy === 'ip');
    },
  },
];
