// `validation/json-schema`: the request body validated before any backend is called, whatever
// its Content-Type. Compiled at startup (a schema that does not compile stops it, with its
// pointer); per request a strict parse and the compiled validator (data-protection/json-schema).
import { compileRequestSchema } from '../../../data-protection/json-schema/compile-request-schema.js';
import { runRequestSchema } from '../../../data-protection/json-schema/run-request-schema.js';
import { asBuildError } from '../build-error.js';
import { COMPLETED_HEADER } from '../../../core/version.js';
import { refusal, type BuildEnv, type Rejection, type Stage } from '../../types.js';

const NAME = 'validation/json-schema';

export function build(schema: object | boolean, env: BuildEnv): Stage {
  if (env.scope !== 'endpoint') throw new Error('only allowed at endpoint level');
  const returnErrorMsg = env.service.router.returnErrorMsg;
  let compiled;
  try {
    compiled = compileRequestSchema(schema, env.pointer, { returnErrorMsg, maxPayload: env.endpoint.maxPayload });
  } catch (err) {
    throw asBuildError(err, env.pointer);
  }
  // Without return_error_msg every refusal of a kind is the same: built once.
  const fixed = new Map<string, Rejection>();
  return {
    onRequest(ctx) {
      const r = runRequestSchema(compiled, ctx.body);
      if (r.ok) return undefined;
      if (r.body === '') {
        let x = fixed.get(r.kind);
        if (!x)
          fixed.set(
            r.kind,
            (x = refusal(r.status === 413 ? 'request.too_large' : 'request.schema', NAME, r.kind, { status: r.status, headers: [COMPLETED_HEADER, 'false'] })),
          );
        return x;
      }
      return refusal(r.status === 413 ? 'request.too_large' : 'request.schema', NAME, r.kind, {
        status: r.status,
        body: r.body,
        headers: [COMPLETED_HEADER, 'false', 'content-type', r.contentType],
      });
    },
  };
}
