// `modifier/response-body`: masks answers (literal, RE2 regexp with Go's replacement rules,
// upper, lower, trim) after shaping, before encoding (data-protection/masking). It fails
// closed: an answer that cannot be masked (too deep, too large, compressed, or an undecoded body
// with `field` modifiers) becomes an empty 500, never the unmasked data. Endpoint level it also
// masks undecoded bodies (no-op answers, read whole, bounded; error bodies) with field-less
// modifiers; backend level a no-op backend is refused at startup. On the direct JSON path the
// endpoint's masking runs on the Go bytes made from the backend's body (mask-go-json.ts).
import { compileMasking } from '../../../data-protection/masking/compile-masking.js';
import { runMasking, runMaskingText } from '../../../data-protection/masking/run-masking.js';
import { compileGoJsonMasking } from '../../../data-protection/masking/mask-go-json.js';
import type { CompiledMasking, ResponseBodyConfig } from '../../../data-protection/masking/types.js';
import type { Answer } from '../../../core/answer.js';
import { headerIndex } from '../../../core/answer.js';
import { GatewayError } from '../../../core/gateway-error.js';
import type { BuildEnv, Stage } from '../../types.js';
import { asBuildError } from '../../validation/build-error.js';
import { failBackend, replaceAnswer } from '../../validation/replace-answer.js';

/** The masked answer, or the reason it cannot be masked. */
export function maskAnswer(c: CompiledMasking, a: Answer): Answer | string {
  if (a.data !== undefined) {
    const r = runMasking(c, a.data);
    if (!r.ok) return r.reason;
    a.data = r.data as Answer['data'];
    return a;
  }
  if (typeof a.body === 'string' && a.body === '') return a;
  if (typeof a.body !== 'string' && !Buffer.isBuffer(a.body)) return 'streamed body';
  const enc = headerIndex(a.headers, 'content-encoding');
  if (enc >= 0 && a.headers[enc + 1].toLowerCase() !== 'identity') return 'compressed body';
  const r = runMaskingText(c, typeof a.body === 'string' ? a.body : a.body.toString('utf8'));
  if (!r.ok) return r.reason;
  a.body = r.data as string;
  // The length changed: the writer sets it from the body.
  const len = headerIndex(a.headers, 'content-length');
  if (len >= 0) a.headers.splice(len, 2);
  return a;
}

/** An error answer whose body cannot be masked keeps its status and loses its body (the
 * backend's error text, or its body under return_error_code). */
function withoutBody(a: Answer): Answer {
  a.body = '';
  for (const h of ['content-type', 'content-length']) {
    const i = headerIndex(a.headers, h);
    if (i >= 0) a.headers.splice(i, 2);
  }
  if (a.failure) a.failure = new GatewayError(a.failure.code, a.failure.message, a.failure.status);
  return a;
}

export function build(cfg: ResponseBodyConfig, env: BuildEnv): Stage {
  if (env.scope === 'service') throw new Error('only allowed at endpoint and backend level');
  if (env.scope === 'backend' && env.backend.encoding === 'no-op')
    throw new Error('a no-op backend answer is not decoded: mask at endpoint level, or use a decoding encoding');
  let c: CompiledMasking;
  try {
    c = compileMasking(cfg, env.pointer);
  } catch (err) {
    throw asBuildError(err, env.pointer);
  }
  const fail = env.scope === 'backend' ? failBackend : replaceAnswer;
  const log = env.log;
  const where = `${env.endpoint.method} ${env.endpoint.path}`;
  return {
    onResponse(_ctx, a) {
      if (a.origin !== 'proxy' && a.origin !== 'error') return undefined;
      const r = maskAnswer(c, a);
      if (typeof r !== 'string') return r;
      log.warn({ endpoint: where, reason: r }, 'modifier/response-body: answer not masked, refused');
      if (a.origin === 'error') return withoutBody(a);
      return fail(a, 'response.mask_failed', `answer not masked: ${r}`, 500, '', 'text/plain; charset=utf-8');
    },
    // no-op answers are masked whole (bounded, like any decoded answer).
    hookNeedsBody: env.scope === 'endpoint' && env.endpoint.outputEncoding === 'no-op',
    // The same masking on the direct JSON path's Go bytes (issue #16): the route is not decoded.
    rewriteGoJson: env.scope === 'endpoint' ? compileGoJsonMasking(c) : undefined,
  };
}
