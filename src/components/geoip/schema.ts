// The EE `geoip` plugin settings (`citydb_path`, §12) plus Rampart's country rules: allow and
// deny lists of ISO 3166-1 alpha-2 codes and a declared header carrying the country upstream.
import { COMMENT_KEYS } from '../../config/schema.js';

const countries = { type: 'array', items: { type: 'string', pattern: '^[A-Za-z]{2}$' } } as const;

export const geoipSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['citydb_path'],
  properties: {
    citydb_path: { type: 'string', minLength: 1 },
    allow_countries: countries,
    deny_countries: countries,
    allow_unknown: { type: 'boolean' },
    country_header: { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
    cache_size: { type: 'integer', minimum: 0 },
  },
} as const;

export interface GeoipConfig {
  citydb_path: string;
  allow_countries?: string[];
  deny_countries?: string[];
  allow_unknown?: boolean;
  country_header?: string;
  cache_size?: number;
}
