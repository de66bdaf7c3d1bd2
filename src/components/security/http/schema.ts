// `security/http` (service level): host restriction, TLS redirect and security headers, with
// KrakenD's field names (docs/reference/traffic-and-http-security.md §6). `sts_preload` is a Rampart extension.
// Also the registry's spec: the runtime (component.ts) is imported on first use.
import type { ComponentSpec } from '../../types.js';
import { COMMENT_KEYS } from '../../../config/schema.js';

const strings = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

export const httpSecuritySchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: {
    allowed_hosts: strings,
    allowed_hosts_are_regex: { type: 'boolean' },
    host_proxy_headers: strings,
    ssl_redirect: { type: 'boolean' },
    ssl_host: { type: 'string', pattern: '^[A-Za-z0-9.-]+(:[0-9]{1,5})?$' },
    ssl_proxy_headers: { type: 'object', additionalProperties: { type: 'string' } },
    sts_seconds: { type: 'integer', minimum: 0 },
    sts_include_subdomains: { type: 'boolean' },
    sts_preload: { type: 'boolean' },
    force_sts_header: { type: 'boolean' },
    frame_deny: { type: 'boolean' },
    custom_frame_options_value: { type: 'string' },
    content_type_nosniff: { type: 'boolean' },
    browser_xss_filter: { type: 'boolean' },
    content_security_policy: { type: 'string' },
    referrer_policy: { type: 'string' },
    is_development: { type: 'boolean' },
    hpkp_public_key: { type: 'string' },
  },
} as const;

export const httpSecurityComponent: ComponentSpec = {
  namespace: 'security/http',
  schemas: { service: httpSecuritySchema },
  phase: 'edge',
  load: () => import('./component.js'),
};
