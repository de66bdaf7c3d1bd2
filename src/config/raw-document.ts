// The shapes of the raw JSON document that normalize() reads, as the core schema (schema.ts) and
// the router, proxy and backend/http component schemas guarantee them once validation passed.
// Types only: no runtime checks, because validation already ran (and when it reported problems,
// load.ts runs normalize only to collect more of them and ignores what it throws).
// Type aliases rather than interfaces, so a RawService is assignable to Record<string, unknown>.
import type { FlatmapOp } from '../shaping/types.js';
import type { Encoding, OutputEncoding, StaticStrategy } from './types.js';
import type { RawClientTls, RawServerTls } from '../tls/normalize-tls.js';

/** `extra_config.router` (components/router/schema.ts). */
export type RawRouter = {
  return_error_msg?: boolean;
  disable_path_decoding?: boolean;
  auto_options?: boolean;
  disable_redirect_trailing_slash?: boolean;
  disable_redirect_fixed_path?: boolean;
  disable_handle_method_not_allowed?: boolean;
  remove_extra_slash?: boolean;
  forwarded_by_client_ip?: boolean;
  remote_ip_headers?: string[];
  trusted_proxies?: string[];
  logger_skip_paths?: string[];
  disable_access_log?: boolean;
  disable_health?: boolean;
  health_path?: string;
  error_body?: { '404'?: object; '405'?: object };
  max_payload?: number;
};

/** `extra_config.proxy` at endpoint and backend level (components/proxy/schema.ts). */
export type RawProxy = {
  sequential?: boolean;
  static?: { strategy?: StaticStrategy; data: Record<string, unknown> };
  flatmap_filter?: FlatmapOp[];
  max_payload?: number;
  shadow?: boolean;
};

/** `extra_config["backend/http"]` (components/backend-http/schema.ts). */
export type RawBackendHttp = {
  return_error_details?: string;
  return_error_code?: boolean;
};

/** An extra_config object: namespace -> that component's (separately validated) settings. */
export type RawExtra = Record<string, unknown>;

export type RawBackend = {
  url_pattern?: string;
  host?: string[];
  method?: string;
  encoding?: Encoding | 'fast-json';
  is_collection?: boolean;
  disable_host_sanitize?: boolean;
  sd?: string;
  sd_scheme?: string;
  allow?: string[];
  deny?: string[];
  mapping?: Record<string, string>;
  group?: string;
  target?: string;
  input_headers?: string[];
  input_query_strings?: string[];
  extra_config?: RawExtra;
};

export type RawEndpoint = {
  endpoint: string;
  method?: string;
  backend?: RawBackend[];
  timeout?: string;
  cache_ttl?: string;
  concurrent_calls?: number;
  input_headers?: string[];
  input_query_strings?: string[];
  output_encoding?: OutputEncoding | 'fast-json';
  extra_config?: RawExtra;
};

export type RawService = {
  version?: number;
  name?: string;
  port?: number;
  plugin?: { pattern: string; folder: string };
  listen_ip?: string;
  host?: string[];
  timeout?: string;
  cache_ttl?: string;
  output_encoding?: OutputEncoding | 'fast-json';
  read_timeout?: string;
  read_header_timeout?: string;
  write_timeout?: string;
  idle_timeout?: string;
  max_header_bytes?: number;
  max_shutdown_wait_time?: string;
  debug_endpoint?: boolean;
  echo_endpoint?: boolean;
  allow_insecure_connections?: boolean;
  dns_cache_ttl?: string;
  dialer_timeout?: string;
  disable_keep_alives?: boolean;
  disable_compression?: boolean;
  max_idle_connections_per_host?: number;
  idle_connection_timeout?: string;
  response_header_timeout?: string;
  tls?: RawServerTls | null;
  client_tls?: RawClientTls;
  extra_config?: RawExtra;
  endpoints?: RawEndpoint[];
};

/** A namespace's settings from an extra_config, typed as its component schema validated them. */
export function section<T>(extra: RawExtra | undefined, ns: string): T | undefined {
  return extra?.[ns] as T | undefined;
}
