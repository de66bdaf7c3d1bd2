import { COMMENT_KEYS } from '../../config/schema.js';
import type { ComponentSpec } from '../types.js';

// `extra_config.router` (service level). Options that would weaken Rampart's guarantees or that
// it cannot honour (h2c, App Engine header trust, EE gzip) accept only their safe value.
export const routerComponent: ComponentSpec = {
  namespace: 'router',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      properties: {
        return_error_msg: { type: 'boolean' },
        disable_path_decoding: { type: 'boolean' },
        auto_options: { type: 'boolean' },
        disable_redirect_trailing_slash: { type: 'boolean' },
        disable_redirect_fixed_path: { type: 'boolean' },
        disable_handle_method_not_allowed: { type: 'boolean' },
        remove_extra_slash: { type: 'boolean' },
        forwarded_by_client_ip: { type: 'boolean' },
        remote_ip_headers: { type: 'array', items: { type: 'string', minLength: 1 } },
        trusted_proxies: { type: 'array', items: { type: 'string', minLength: 1 } },
        app_engine: { const: false },
        logger_skip_paths: { type: 'array', items: { type: 'string' } },
        disable_access_log: { type: 'boolean' },
        hide_version_header: { type: 'boolean' },
        disable_health: { type: 'boolean' },
        health_path: { type: 'string', pattern: '^/' },
        error_body: {
          type: 'object',
          additionalProperties: false,
          properties: { '404': { type: 'object' }, '405': { type: 'object' } },
        },
        max_multipart_memory: { type: 'integer', minimum: 0 },
        use_h2c: { const: false },
        decompress_gzip: { const: 0 },
        disable_gzip: { type: 'boolean' },
        max_payload: { type: 'integer', minimum: 1 },
      },
    },
  },
};
