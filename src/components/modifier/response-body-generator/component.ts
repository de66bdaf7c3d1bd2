// `modifier/response-body-generator` runtime: the body is rendered from a template (parsed at
// startup, bounded per render) with the response's data. Endpoint scope: the answer to the
// client, from the merged data (before encoding; the template output is the body, with the
// configured content type); backend scope: that backend's HTTP body before decoding. The
// endpoint form sees the request's path, method, path parameters and query, not its headers
// (the client's own headers are not template data here). A render error answers 500.
import { compileBodyGenerator, responseTemplateData, type RequestTemplateInput } from '../../../modifiers/body-generator/index.js';
import { GatewayError } from '../../../core/gateway-error.js';
import { errorResult, type BackendResult, type UpstreamResponse } from '../../../core/backend-result.js';
import type { Answer } from '../../../core/answer.js';
import { readUpstreamBody } from '../../../proxy/read-body.js';
import type { BuildEnv, RequestContext, Stage } from '../../types.js';
import { configErrorAsMessage } from '../config-error-message.js';
import { headerEntries, jsonOrNull, kdParams, queryRecord, requestInput, withHeader } from '../template-input.js';

const FAILED = new GatewayError('backend.modifier', 'response body generator failed');
/** The bound of a buffered backend answer (pipeline/compile-backend's MAX_UPSTREAM_BODY). */
const MAX_UPSTREAM_BODY = 32 * 1024 * 1024;

function clientRequest(ctx: RequestContext): RequestTemplateInput {
  return { body: null, headers: [], params: kdParams(ctx.params), query: queryRecord(ctx.rawQuery), path: ctx.path, method: ctx.method };
}

export function build(config: unknown, env: BuildEnv): Stage {
  if (env.scope === 'service') throw new Error('only allowed at endpoint or backend level');
  const g = configErrorAsMessage(() => compileBodyGenerator(config, ''));
  if (env.scope === 'endpoint') {
    return {
      onResponse(ctx, a): Answer | undefined {
        if ((a.origin !== 'proxy' && a.origin !== 'error') || a.data === undefined) return undefined;
        try {
          const body = g.render(responseTemplateData({ body: a.data, status: a.status, headers: headerEntries(a.headers) }, clientRequest(ctx)));
          return {
            status: a.status,
            headers: withHeader(a.headers, 'content-type', g.contentType),
            data: undefined,
            body,
            origin: a.origin,
            failure: a.failure,
            close: a.close,
          };
        } catch {
          return { status: 500, headers: [], data: undefined, body: '', origin: 'error', failure: FAILED, close: false };
        }
      },
    };
  }
  return {
    async onUpstreamResponse(res, _req, input): Promise<UpstreamResponse | BackendResult> {
      const raw = await readUpstreamBody(res.body, MAX_UPSTREAM_BODY);
      const encoded = res.headers.some((h, i) => i % 2 === 0 && h === 'content-encoding');
      const headers = headerEntries(res.headers);
      headers.delete('content-length');
      try {
        const body = g.render(responseTemplateData({ body: encoded ? null : jsonOrNull(raw), status: res.status, headers }, requestInput(input)));
        const out = withHeader(
          res.headers.filter((_, i, l) => {
            const n = i % 2 === 0 ? l[i] : l[i - 1];
            return n !== 'content-length' && n !== 'content-encoding' && n !== 'transfer-encoding';
          }),
          'content-type',
          g.contentType,
        );
        return { ...res, headers: out, body };
      } catch {
        return errorResult(FAILED);
      }
    },
  };
}
