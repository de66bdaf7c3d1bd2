// The normalized, validated config: durations in milliseconds, defaults applied, deeply frozen.
// Everything downstream (compile phase) reads only these types, never the raw JSON.
import type { FlatmapOp } from '../shaping/types.js';
import type { LogSettings } from './normalize-logging.js';
import type { MetricsSettings } from './normalize-metrics.js';
import type { OtelSettings } from './normalize-otel.js';
import type { InfluxSettings } from './normalize-influx.js';
import type { ServerTlsOptions, UpstreamTlsOptions } from '../tls/types.js';

export type Encoding = 'json' | 'safejson' | 'string' | 'no-op' | 'xml' | 'rss' | 'yaml';
export type OutputEncoding = 'json' | 'json-collection' | 'string' | 'negotiate' | 'no-op' | 'xml' | 'yaml';
export type StaticStrategy = 'always' | 'success' | 'errored' | 'complete' | 'incomplete';

export interface RouterOptions {
  returnErrorMsg: boolean;
  disablePathDecoding: boolean;
  autoOptions: boolean;
  redirectTrailingSlash: boolean;
  redirectFixedPath: boolean;
  handleMethodNotAllowed: boolean;
  removeExtraSlash: boolean;
  /** Peers (CIDR or IP) whose forwarding headers are believed; empty = trust nobody. */
  trustedProxies: string[];
  remoteIpHeaders: string[];
  loggerSkipPaths: string[];
  disableAccessLog: boolean;
  disableHealth: boolean;
  healthPath: string;
  errorBody: { '404'?: object; '405'?: object };
  maxPayload: number;
}

export interface BackendConfig {
  pointer: string;
  /** Raw extra_config (legacy names already renamed), for components to build from. */
  extra: Record<string, unknown>;
  urlPattern: string;
  hosts: string[];
  method: string;
  encoding: Encoding;
  isCollection: boolean;
  allow?: string[];
  deny?: string[];
  mapping?: Record<string, string>;
  group?: string;
  target?: string;
  flatmap?: FlatmapOp[];
  inputHeaders?: string[];
  inputQueryStrings?: string[];
  returnErrorDetails?: string;
  returnErrorCode: boolean;
  shadow: boolean;
  /** sd "dns"/"dns-shared": the SRV name resolved for the hosts (then `hosts` is empty). */
  srv?: { name: string; scheme: string };
}

export interface EndpointConfig {
  pointer: string;
  extra: Record<string, unknown>;
  path: string;
  method: string;
  timeoutMs: number;
  cacheTtlS: number;
  concurrentCalls: number;
  inputHeaders: string[];
  inputQueryStrings: string[];
  outputEncoding: OutputEncoding;
  sequential: boolean;
  staticData?: { strategy: StaticStrategy; data: Record<string, unknown> };
  flatmap?: FlatmapOp[];
  maxPayload: number;
  backends: BackendConfig[];
}

export interface UpstreamClientOptions {
  connectTimeoutMs: number;
  keepAliveTimeoutMs: number;
  disableKeepAlives: boolean;
  disableCompression: boolean;
  maxConnectionsPerHost: number;
  responseHeaderTimeoutMs: number;
  allowInsecure: boolean;
  /** sd "dns": how often SRV names are resolved again (root dns_cache_ttl, KrakenD's 30 s). */
  dnsCacheTtlMs: number;
  /** sd "dns": DNS servers from RAMPART_DNS_SERVER (ip or ip:port, comma-separated); undefined = the system's. */
  dnsServers?: string[];
  /** Upstream TLS (client_tls): trust, versions, suites, client certificates. */
  tls: UpstreamTlsOptions;
}

export interface ServiceConfig {
  file: string;
  extra: Record<string, unknown>;
  /** The validated document, for components with cross-cutting needs (read-only). */
  raw: Record<string, unknown>;
  name: string;
  port: number;
  listenIp: string;
  timeoutMs: number;
  readTimeoutMs: number;
  readHeaderTimeoutMs: number;
  writeTimeoutMs: number;
  idleTimeoutMs: number;
  maxHeaderBytes: number;
  maxShutdownWaitMs: number;
  debugEndpoint: boolean;
  echoEndpoint: boolean;
  /** Server TLS (`tls`); undefined = plain HTTP. */
  tls: ServerTlsOptions | undefined;
  client: UpstreamClientOptions;
  router: RouterOptions;
  /** `telemetry/logging`, or the gateway's own JSON lines when absent. */
  logging: LogSettings;
  /** `telemetry/metrics`; undefined: nothing is collected. */
  metrics: MetricsSettings | undefined;
  /** `telemetry/opentelemetry`; undefined: no traces, no OpenTelemetry metrics. */
  otel: OtelSettings | undefined;
  /** `telemetry/influx`; undefined: nothing pushed. */
  influx: InfluxSettings | undefined;
  endpoints: EndpointConfig[];
}
