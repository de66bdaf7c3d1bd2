// `validation/response-json-schema`: the decoded, shaped data of an answer validated against a
// schema compiled at startup. Endpoint level: an invalid answer becomes the configured error
// (500 by default); backend level: that backend fails (partial answer). Answers the gateway does
// not decode (no-op) cannot be validated: refused at startup, and failed closed at run time.
import { compileResponseSchema } from '../../../data-protection/json-schema/compile-response-schema.js';
import { runResponseSchema } from '../../../data-protection/json-schema/run-response-schema.js';
import type { ResponseSchemaConfig } from '../../../data-protection/json-schema/types.js';
import type { BuildEnv, Stage } from '../../types.js';
import { asBuildError } from '../build-error.js';
import { failBackend, fromBackends, replaceAnswer } from '../replace-answer.js';

const MESSAGE = 'the answer does not match validation/response-json-schema';

export function build(cfg: ResponseSchemaConfig, env: BuildEnv): Stage {
  if (env.scope === 'service') throw new Error('only allowed at endpoint and backend level');
  const noop = env.scope === 'backend' ? env.backend.encoding === 'no-op' : env.endpoint.outputEncoding === 'no-op';
  if (noop) throw new Error('a no-op answer is not decoded, so it cannot be validated: use a decoding encoding');
  let c;
  try {
    c = compileResponseSchema(cfg, env.pointer, { returnErrorMsg: env.service.router.returnErrorMsg });
  } catch (err) {
    throw asBuildError(err, env.pointer);
  }
  const fail = env.scope === 'backend' ? failBackend : replaceAnswer;
  return {
    onResponse(_ctx, a) {
      if (!fromBackends(a)) return undefined;
      // Not decoded (cannot happen after the startup check): never passed unchecked.
      if (a.data === undefined) return fail(a, 'response.invalid', MESSAGE, c.status, c.body, c.contentType);
      const r = runResponseSchema(c, a.data);
      if (r.ok) return undefined;
      return fail(a, 'response.invalid', MESSAGE, r.status, r.body, r.contentType);
    },
  };
}
