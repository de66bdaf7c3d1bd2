// The EE `ip-filter` plugin settings (under plugin/http-server or plugin/req-resp-modifier),
// docs/reference/traffic-and-http-security.md §11.
import { COMMENT_KEYS } from '../../config/schema.js';

const strings = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

export const ipFilterSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['CIDR', 'allow'],
  properties: {
    CIDR: { ...strings, minItems: 1 },
    allow: { type: 'boolean' },
    client_ip_headers: strings,
    trusted_proxies: strings,
  },
} as const;

export interface IpFilterConfig {
  CIDR: string[];
  allow: boolean;
  client_ip_headers?: string[];
  trusted_proxies?: string[];
}
