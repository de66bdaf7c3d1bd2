// `modifier/request-body-generator` and `modifier/body-generator` runtime: the request body the
// backend gets is rendered from a template (parsed at startup, bounded per render) with the
// request's data, and sent with the configured content type. Endpoint scope: one body for every
// backend (a wrapper of the merged proxy); backend scope: that backend's HTTP request, after
// its header and query filtering. A render error fails the call with 500 (backend.modifier).
import { compileBodyGenerator, requestTemplateData } from '../../../modifiers/body-generator/index.js';
import { GatewayError } from '../../../core/gateway-error.js';
import { errorResult, type BackendHandler } from '../../../core/backend-result.js';
import type { BuildEnv, Stage } from '../../types.js';
import { configErrorAsMessage } from '../config-error-message.js';
import { requestInput, withHeader } from '../template-input.js';

const FAILED = new GatewayError('backend.modifier', 'request body generator failed');

export function build(config: unknown, env: BuildEnv): Stage {
  if (env.scope === 'service') throw new Error('only allowed at endpoint or backend level');
  const g = configErrorAsMessage(() => compileBodyGenerator(config, ''));
  if (env.scope === 'endpoint') {
    return {
      around:
        (next: BackendHandler): BackendHandler =>
        (input) => {
          let body: Buffer;
          try {
            body = g.render(requestTemplateData(requestInput(input)));
          } catch {
            return Promise.resolve(errorResult(FAILED));
          }
          return next({ ...input, body, headers: withHeader(input.headers, 'content-type', g.contentType) });
        },
    };
  }
  return {
    onUpstreamRequest(up, input) {
      try {
        const body = g.render(requestTemplateData(requestInput(input, up.headers)));
        return { ...up, body, headers: withHeader(up.headers, 'content-type', g.contentType) };
      } catch {
        return errorResult(FAILED);
      }
    },
  };
}
