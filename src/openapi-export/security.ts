// The security schemes of an endpoint, from the components that authenticate it: bearer JWT
// (auth/validator; a token read from a cookie or another header is an apiKey scheme), apiKey
// (auth/api-keys, in its header or query string), HTTP basic (auth/basic), mutualTLS (tls with
// client certificates required). Rampart requires all of an endpoint's schemes at once, so the
// operation gets one requirement object naming them all (AND in OpenAPI's terms).
import type { EndpointConfig, ServiceConfig } from '../config/types.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Components keys must match ^[a-zA-Z0-9.\-_]+$ (OpenAPI 3.1 §4.8.7.1). */
const keyOf = (s: string): string => s.replace(/[^a-zA-Z0-9._-]/g, '_');

export interface SecurityNames {
  /** documentation/openapi jwt_key and cookie_name (KrakenD's defaults). */
  readonly jwtKey: string;
  readonly cookieKey: string;
}

export class SecuritySchemes {
  readonly schemes: Record<string, Json> = {};
  constructor(
    private readonly cfg: ServiceConfig,
    private readonly names: SecurityNames,
  ) {}

  private use(key: string, scheme: Json): string {
    this.schemes[key] ??= scheme;
    return key;
  }

  /** The scheme keys one endpoint requires (none: public). */
  of(ep: EndpointConfig): string[] {
    const keys: string[] = [];
    const x = ep.extra;
    if (x['auth/validator'] !== undefined) {
      const v = obj(x['auth/validator']);
      const cookie = str(v.cookie_key);
      const header = str(v.auth_header_name);
      if (cookie) keys.push(this.use(keyOf(this.names.cookieKey), { type: 'apiKey', in: 'cookie', name: cookie, description: 'JWT in a cookie' }));
      else if (header && header.toLowerCase() !== 'authorization')
        keys.push(this.use(keyOf(`${this.names.jwtKey}-${header}`), { type: 'apiKey', in: 'header', name: header, description: 'JWT in a header' }));
      else keys.push(this.use(keyOf(this.names.jwtKey), { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }));
    }
    if (x['auth/api-keys'] !== undefined) {
      const svc = obj(this.cfg.extra['auth/api-keys']);
      const e = obj(x['auth/api-keys']);
      const inQuery = (str(e.strategy) ?? str(svc.strategy)) === 'query_string';
      const name = str(e.identifier) ?? str(svc.identifier) ?? (inQuery ? 'key' : 'Authorization');
      keys.push(this.use(keyOf(`ApiKey-${inQuery ? 'query' : 'header'}-${name}`), { type: 'apiKey', in: inQuery ? 'query' : 'header', name }));
    }
    if (x['auth/basic'] !== undefined) keys.push(this.use('BasicAuth', { type: 'http', scheme: 'basic' }));
    if (this.cfg.tls?.enableMtls) keys.push(this.use('MutualTLS', { type: 'mutualTLS', description: 'a client certificate the gateway trusts' }));
    return keys;
  }
}
