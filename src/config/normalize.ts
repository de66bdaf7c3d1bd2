// Turns a schema-valid document into ServiceConfig: defaults, durations in ms, host sanitising and
// the cross-field checks a schema cannot express. Collects every problem instead of stopping.
import { normalizeLogging } from './normalize-logging.js';
import { normalizeMetrics } from './normalize-metrics.js';
import { normalizeOtel } from './normalize-otel.js';
import { opencensusAsOtel } from './normalize-opencensus.js';
import { normalizeInflux } from './normalize-influx.js';
import { isIP } from 'node:net';
import { validateFlatmap } from '../shaping/flatmap.js';
import { normalizeClientTls, normalizeServerTls } from '../tls/normalize-tls.js';
import type { FlatmapOp } from '../shaping/types.js';
import { parseDuration } from './duration.js';
import { dnsCacheTtlMs, dnsServersFromEnv, srvOf } from './normalize-sd.js';
import { pointerJoin, type Problems } from '../core/config-error.js';
import type { BackendConfig, EndpointConfig, Encoding, OutputEncoding, RouterOptions, ServiceConfig } from './types.js';
import { section, type RawBackend, type RawBackendHttp, type RawEndpoint, type RawProxy, type RawRouter, type RawService } from './raw-document.js';

const MiB = 1024 * 1024;
/** Rampart's safe defaults where KrakenD has none (documented in README "Defaults"). */
export const DEFAULTS = {
  timeoutMs: 2000,
  readHeaderTimeoutMs: 10_000,
  readTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  maxHeaderBytes: 64 * 1024,
  maxShutdownWaitMs: 30_000,
  maxPayload: 10 * MiB,
} as const;

const HOST_RE = /^(https?:\/\/)?[A-Za-z0-9._-]+(:[0-9]{1,5})?\/?$/;
const RESERVED_PATH = /^\/__(debug|echo|health)(\/.*)?$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const PARAM_SEGMENT = /^\{([a-zA-Z0-9_-]+)\}$/;

function ms(v: unknown, fallback: number): number {
  if (typeof v !== 'string') return fallback;
  return parseDuration(v) ?? fallback; // schema already refused bad values
}

function sanitizeHosts(hosts: string[], disable: boolean, at: string, problems: Problems, websocket = false): string[] {
  const out: string[] = [];
  hosts.forEach((h, i) => {
    const where = pointerJoin(at, i);
    if (!disable && !HOST_RE.test(h)) return problems.add(where, `invalid host "${shownHost(h)}": ${hostShapeHint(h)}`);
    const withScheme = disable || /^https?:\/\//.test(h) ? h.replace(/\/$/, '') : `http://${h}`.replace(/\/$/, '');
    // Every host must be an http(s) origin the upstream client can dial: a verbatim host (other
    // scheme, none, a bad port) is a problem here, never a crash of the pools later (issue #18).
    // A websocket endpoint's backend may name ws:// or wss:// (KrakenD's form), checked as http(s).
    const why = originProblem(websocket ? withScheme.replace(/^ws(s?):\/\//, 'http$1://') : withScheme);
    if (why) return problems.add(where, `invalid host "${shownHost(h)}": ${why}`);
    out.push(withScheme);
  });
  return out;
}

/** A host as an error may show it: credentials in it (amqps://user:password@...) never are. */
export function shownHost(h: string): string {
  return h.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?[^/@]*@/, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

function hostShapeHint(h: string): string {
  // "$ORDER_SERVICE", "${API_HOST}": KrakenD does not expand them either (it would dial the
  // name as written); flexible configuration's env function is how KrakenD configs read them.
  const env = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(h.replace(/^https?:\/\//, ''));
  if (env)
    return `KrakenD does not expand environment variables in the config (it would dial "${shownHost(h)}" as a name); write the host, or render the file with flexible configuration (FC_ENABLE=1) and {{ env "${env[1]}" }}`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(h)?.[1]?.toLowerCase();
  // KrakenD's host sanitizer takes http(s) only, too: its websocket and broker examples set
  // disable_host_sanitize for ws:// and amqp:// hosts.
  if (scheme === 'ws' || scheme === 'wss')
    return 'a ws:// or wss:// host needs "disable_host_sanitize": true on the backend, as in KrakenD (its host check takes http(s) only), and a websocket endpoint';
  if (scheme && scheme !== 'http' && scheme !== 'https')
    return `Rampart calls backends over http:// and https:// only (scheme "${scheme}"); put a small HTTP service in front of it and declare that`;
  return 'want scheme://name[:port] with no path or credentials';
}

function originProblem(h: string): string | undefined {
  let u: URL;
  try {
    u = new URL(h);
  } catch {
    return 'not a URL Rampart can call (want http://name[:port] or https://name[:port])';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `Rampart calls backends over http:// and https:// only (scheme "${u.protocol.slice(0, -1)}"); other transports (AMQP, gRPC, WebSocket...) are not built in: put a small HTTP service in front of it and declare that`;
  if (u.hostname === '') return 'no host name';
  if (u.username || u.password) return 'credentials in a host are not allowed';
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return 'a host may not carry a path, query or fragment (put it in url_pattern)';
  return undefined;
}

function parseEndpointPath(path: string, at: string, problems: Problems): string[] | undefined {
  if (!path.startsWith('/')) return void problems.add(at, `endpoint "${path}" must start with "/"`);
  if (RESERVED_PATH.test(path)) return void problems.add(at, `endpoint "${path}" is reserved for the gateway`);
  if (path.includes('*'))
    return void problems.add(
      at,
      `endpoint "${path}": wildcards are not supported; declare each path with {params} (\`rampart migrate\` lists what to declare)`,
    );
  if (/[?#\s]/.test(path)) return void problems.add(at, `endpoint "${path}" must not contain "?", "#" or spaces`);
  const params: string[] = [];
  for (const seg of path.split('/')) {
    if (!seg.includes('{') && !seg.includes('}')) continue;
    const m = PARAM_SEGMENT.exec(seg);
    if (!m) return void problems.add(at, `endpoint "${path}": a placeholder must be a whole segment like /{name} (name: letters, digits, _ and -)`);
    if (params.includes(m[1])) return void problems.add(at, `endpoint "${path}": placeholder {${m[1]}} appears twice`);
    params.push(m[1]);
  }
  return params;
}

function checkUrlPattern(pattern: string, params: string[], index: number, sequential: boolean, hasJwt: boolean, at: string, problems: Problems): void {
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    const name = m[1];
    if (params.includes(name)) continue;
    if (name.startsWith('JWT.')) {
      if (!hasJwt) problems.add(at, `placeholder {${name}} needs "auth/validator" on the endpoint`);
      continue;
    }
    const resp = /^resp(\d+)_(.+)$/.exec(name);
    if (resp) {
      if (!sequential) problems.add(at, `placeholder {${name}} needs "proxy": {"sequential": true} on the endpoint`);
      else if (Number(resp[1]) >= index) problems.add(at, `placeholder {${name}} refers to backend ${resp[1]}, which has not run before backend ${index}`);
      continue;
    }
    // KrakenD Enterprise's dynamic routing ({input_headers.X}, {input_query_strings.X}); CE
    // refuses these as undefined output params, EE routes on them.
    if (/^input_(headers|query_strings)\./.test(name)) {
      problems.add(
        at,
        `placeholder {${name}}: dynamic routing from a client's header or query string (KrakenD Enterprise) is not built into Rampart, which never lets a client choose the backend path; declare one endpoint per route, or choose in modifier/lua-proxy`,
      );
      continue;
    }
    problems.add(
      at,
      `undefined output param '${name}': the endpoint has no {${name}} (KrakenD refuses it too); add {${name}} to the endpoint path, or take it out of url_pattern`,
    );
  }
  if (/[{}]/.test(pattern.replace(PLACEHOLDER, ''))) problems.add(at, `unbalanced "{" or "}" in url_pattern "${pattern}"`);
}

function normalizeRouter(raw: RawRouter | undefined): RouterOptions {
  const r = raw ?? {};
  return {
    returnErrorMsg: r.return_error_msg === true,
    disablePathDecoding: r.disable_path_decoding === true,
    autoOptions: r.auto_options === true,
    // gin: the trailing-slash switch only takes effect together with the fixed-path one (#907).
    redirectTrailingSlash: !(r.disable_redirect_trailing_slash === true && r.disable_redirect_fixed_path === true),
    redirectFixedPath: r.disable_redirect_fixed_path !== true,
    handleMethodNotAllowed: r.disable_handle_method_not_allowed !== true,
    removeExtraSlash: r.remove_extra_slash === true,
    // Deviation from gin (which trusts every peer): forwarding headers count only from declared
    // trusted proxies, and only when forwarded_by_client_ip is not switched off.
    trustedProxies: r.forwarded_by_client_ip === false ? [] : (r.trusted_proxies ?? []),
    remoteIpHeaders: r.remote_ip_headers ?? ['X-Forwarded-For', 'X-Real-IP'],
    loggerSkipPaths: r.logger_skip_paths ?? [],
    disableAccessLog: r.disable_access_log === true,
    disableHealth: r.disable_health === true,
    healthPath: r.health_path ?? '/__health',
    errorBody: r.error_body ?? {},
    maxPayload: r.max_payload ?? DEFAULTS.maxPayload,
  };
}

function checkTrustedProxies(list: string[], at: string, problems: Problems): void {
  list.forEach((p, i) => {
    const [addr, bits, extra] = p.split('/');
    const v = isIP(addr);
    const max = v === 4 ? 32 : 128;
    if (!v || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) {
      problems.add(pointerJoin(at, i), `"${p}" is not an IP address or CIDR`);
    }
  });
}

/** fast-json (EE) renders the same JSON as json. */
function outputOf(v: OutputEncoding | 'fast-json' | undefined): OutputEncoding | undefined {
  return v === 'fast-json' ? 'json' : v;
}

export interface NormalizeOptions {
  /** false for `check --lint`: certificate and key files are not read. */
  readonly readFiles?: boolean;
}

export function normalize(file: string, root: RawService, problems: Problems, warnings: string[], opts: NormalizeOptions = {}): ServiceConfig {
  const readFiles = opts.readFiles !== false;
  const extra = root.extra_config ?? {};
  const router = normalizeRouter(section<RawRouter>(extra, 'router'));
  checkTrustedProxies(router.trustedProxies, '/extra_config/router/trusted_proxies', problems);
  if (root.listen_ip !== undefined && root.listen_ip !== '' && !isIP(root.listen_ip)) {
    problems.add('/listen_ip', `invalid ip address "${root.listen_ip}"`);
  }
  const serviceHosts = sanitizeHosts(root.host ?? [], false, '/host', problems);
  const serviceTimeout = ms(root.timeout, DEFAULTS.timeoutMs);
  const serviceCacheTtl = ms(root.cache_ttl, 0);
  const serviceOutput: OutputEncoding = outputOf(root.output_encoding) ?? 'json';
  const seen = new Map<string, string>();
  const endpoints: EndpointConfig[] = [];
  let firstSd: string | undefined;

  (root.endpoints ?? []).forEach((ep: RawEndpoint, i: number) => {
    const at = `/endpoints/${i}`;
    const params = parseEndpointPath(ep.endpoint, `${at}/endpoint`, problems) ?? [];
    const method = String(ep.method ?? 'GET').toUpperCase();
    const key = `${method} ${ep.endpoint}`;
    const dup = seen.get(key);
    if (dup) problems.add(at, `duplicate endpoint ${key} (also at ${dup}; KrakenD's router refuses it too): remove one, or give it another path or method`);
    seen.set(key, at);
    const proxy = section<RawProxy>(ep.extra_config, 'proxy') ?? {};
    const sequential = proxy.sequential === true;
    if (proxy.flatmap_filter) for (const m of validateFlatmap(proxy.flatmap_filter)) problems.add(`${at}/extra_config/proxy/flatmap_filter`, m);
    const outputEncoding: OutputEncoding = outputOf(ep.output_encoding) ?? serviceOutput;
    const backends: BackendConfig[] = (ep.backend ?? []).map((b: RawBackend, j: number) => {
      const bat = `${at}/backend/${j}`;
      const hostsRaw: string[] = b.host ?? [];
      const discovered = b.sd === 'dns' || b.sd === 'dns-shared';
      const srv = srvOf(b, root.host ?? [], bat, problems, warnings);
      if (discovered) firstSd ??= `${bat}/sd`;
      // An SRV name is not an origin: its hosts are resolved at run time (proxy/dns-srv).
      const hosts = discovered
        ? []
        : hostsRaw.length > 0
          ? sanitizeHosts(hostsRaw, b.disable_host_sanitize === true, `${bat}/host`, problems, section(ep.extra_config, 'websocket') !== undefined)
          : serviceHosts;
      if (hostsRaw.length === 0 && serviceHosts.length === 0 && !discovered) {
        problems.add(`${bat}/host`, 'no host: declare "host" on the backend or the service');
      }
      let urlPattern: string = b.url_pattern ?? '';
      if (!urlPattern.startsWith('/')) urlPattern = '/' + urlPattern;
      checkUrlPattern(urlPattern, params, j, sequential, ep.extra_config?.['auth/validator'] !== undefined, `${bat}/url_pattern`, problems);
      const http = section<RawBackendHttp>(b.extra_config, 'backend/http') ?? {};
      const bproxy = section<RawProxy>(b.extra_config, 'proxy') ?? {};
      if (bproxy.flatmap_filter) for (const m of validateFlatmap(bproxy.flatmap_filter)) problems.add(`${bat}/extra_config/proxy/flatmap_filter`, m);
      // fast-json (EE) is KrakenD's faster JSON decoder: the same result as json.
      let encoding: Encoding = b.encoding === undefined || b.encoding === 'fast-json' ? 'json' : b.encoding;
      if (outputEncoding === 'no-op') encoding = 'no-op';
      return {
        pointer: bat,
        extra: b.extra_config ?? {},
        urlPattern,
        hosts,
        method: String(b.method ?? method).toUpperCase(),
        encoding,
        isCollection: b.is_collection === true,
        allow: b.allow,
        deny: b.deny,
        mapping: b.mapping,
        group: b.group,
        target: b.target,
        flatmap: bproxy.flatmap_filter as FlatmapOp[] | undefined,
        inputHeaders: b.input_headers,
        inputQueryStrings: b.input_query_strings,
        returnErrorDetails: http.return_error_details,
        returnErrorCode: http.return_error_code === true && http.return_error_details === undefined,
        shadow: bproxy.shadow === true,
        ...(srv ? { srv } : {}),
      } satisfies BackendConfig;
    });
    if (outputEncoding === 'no-op' && backends.length > 1) {
      problems.add(`${at}/output_encoding`, 'can not use no-op encoding with more than one backend connected to the same endpoint');
    }
    const inputHeaders: string[] = ep.input_headers ?? [];
    const inputQueryStrings: string[] = ep.input_query_strings ?? [];
    if (inputHeaders.includes('*')) warnings.push(`${at}/input_headers: "*" forwards every client header (cookies and credentials included) to the backends`);
    if (inputQueryStrings.includes('*')) warnings.push(`${at}/input_query_strings: "*" forwards every query string to the backends`);
    const endpointTtl = ms(ep.cache_ttl, 0);
    endpoints.push({
      pointer: at,
      extra: ep.extra_config ?? {},
      path: ep.endpoint,
      method,
      timeoutMs: ep.timeout !== undefined ? ms(ep.timeout, serviceTimeout) || serviceTimeout : serviceTimeout,
      cacheTtlS: Math.floor((endpointTtl || serviceCacheTtl) / 1000),
      concurrentCalls: ep.concurrent_calls ?? 1,
      inputHeaders,
      inputQueryStrings,
      outputEncoding,
      sequential,
      staticData: proxy.static ? { strategy: proxy.static.strategy ?? 'always', data: proxy.static.data } : undefined,
      flatmap: proxy.flatmap_filter,
      maxPayload: proxy.max_payload ?? router.maxPayload,
      backends,
    });
  });

  if (root.plugin !== undefined)
    warnings.push(
      '/plugin: Rampart loads no Go plugins, so this folder is not read (no namespace of this config needs one; a namespace that does is refused by name)',
    );
  if (root.allow_insecure_connections === true) warnings.push('/allow_insecure_connections: upstream TLS certificates are NOT verified (insecure)');
  if (root.echo_endpoint === true) warnings.push('/echo_endpoint: /__echo/ reflects every request header, credentials included, to any caller');
  if (router.returnErrorMsg) warnings.push('/extra_config/router/return_error_msg: gateway error text (backend URLs) is returned to clients');

  const readTimeoutMs = root.read_timeout !== undefined ? ms(root.read_timeout, 0) : DEFAULTS.readTimeoutMs;
  const serverTls = normalizeServerTls(root.tls, problems, warnings, readFiles);
  const logging = normalizeLogging(extra['telemetry/logging'], problems, warnings, extra);
  const metrics = normalizeMetrics(extra['telemetry/metrics'], problems, warnings);
  const influx = normalizeInflux(extra['telemetry/influx'], metrics !== undefined, problems, warnings);
  const fromCensus = opencensusAsOtel(extra['telemetry/opencensus'], extra['telemetry/opentelemetry'] !== undefined, problems, warnings);
  const otel = normalizeOtel(extra['telemetry/opentelemetry'] ?? fromCensus, root.name ?? '', problems, warnings, extra['telemetry/opentelemetry-security']);
  const clientTls = normalizeClientTls(root.client_tls, root.allow_insecure_connections === true, problems, warnings, readFiles);
  return {
    file,
    extra,
    raw: root,
    name: root.name ?? '',
    port: root.port || 8080,
    listenIp: root.listen_ip || '',
    timeoutMs: serviceTimeout,
    readTimeoutMs,
    // Go falls back to read_timeout when read_header_timeout is 0.
    readHeaderTimeoutMs: root.read_header_timeout !== undefined ? ms(root.read_header_timeout, 0) || readTimeoutMs : DEFAULTS.readHeaderTimeoutMs,
    writeTimeoutMs: ms(root.write_timeout, 0),
    idleTimeoutMs: root.idle_timeout !== undefined ? ms(root.idle_timeout, 0) || readTimeoutMs : DEFAULTS.idleTimeoutMs,
    maxHeaderBytes: root.max_header_bytes || DEFAULTS.maxHeaderBytes,
    maxShutdownWaitMs: root.max_shutdown_wait_time !== undefined ? ms(root.max_shutdown_wait_time, 0) : DEFAULTS.maxShutdownWaitMs,
    debugEndpoint: root.debug_endpoint === true,
    echoEndpoint: root.echo_endpoint === true,
    tls: serverTls,
    client: {
      connectTimeoutMs: ms(root.dialer_timeout, 10_000) || 10_000,
      keepAliveTimeoutMs: ms(root.idle_connection_timeout, 0) || 30_000,
      disableKeepAlives: root.disable_keep_alives === true,
      disableCompression: root.disable_compression === true,
      maxConnectionsPerHost: root.max_idle_connections_per_host || 250,
      responseHeaderTimeoutMs: ms(root.response_header_timeout, 0),
      allowInsecure: clientTls.insecure,
      dnsCacheTtlMs: dnsCacheTtlMs(root.dns_cache_ttl),
      ...(firstSd ? { dnsServers: dnsServersFromEnv(process.env.RAMPART_DNS_SERVER, firstSd, problems) } : {}),
      tls: clientTls.tls,
    },
    router,
    logging,
    metrics,
    otel,
    influx,
    endpoints,
  };
}
