// Per request: the backend `post` script on what this backend produced (backend-level
// onResponse, pipeline/backend-hooks.ts). Decoded answers: the script reads and replaces `data`
// (status 0 and no body, as lura); no-op answers: status, headers and body (read whole, bounded).
// custom_error or a failure turns the answer into an error: this backend fails, the endpoint
// answers partially or with the error.
import type { Readable } from 'node:stream';
import { answerOf, removeHeader, type Answer } from '../../../core/answer.js';
import type { Data } from '../../../core/backend-result.js';
import type { ResponseHook } from '../../../core/request.js';
import type { Logger } from '../../../observability/logger.js';
import type { CompiledLua, LuaResponseModel } from '../../../scripting/lua/types.js';
import { customErrorOf, failureOf } from '../lua-shared/lua-errors.js';
import { flatOfMulti, lowerKeys, multiOfFlat, sameMulti } from '../lua-shared/lua-model.js';

/** Largest no-op body a backend `post` script reads. */
const MAX_POST_BODY = 8 * 1024 * 1024;

async function readAll(body: Buffer | Readable): Promise<Buffer | undefined> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > MAX_POST_BODY) {
      body.destroy();
      return undefined;
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function errorAnswer(err: ReturnType<typeof customErrorOf>): Answer {
  const a = answerOf('error', err.status, err.contentType ? ['content-type', err.contentType] : [], err.body ?? '');
  a.failure = err;
  return a;
}

export function handlePost(lua: CompiledLua, log: Logger): ResponseHook {
  return async (_ctx, answer) => {
    if (answer.origin !== 'proxy') return;
    const raw = answer.data === undefined;
    let body: Buffer | undefined;
    if (raw) {
      body = typeof answer.body === 'string' ? Buffer.from(answer.body) : await readAll(answer.body);
      if (body === undefined)
        return errorAnswer(
          failureOf(
            { ok: false, kind: 'failure', reason: 'memory', status: 500, message: 'no-op body too large for a post script' },
            log,
            'modifier/lua-backend post',
          ),
        );
    }
    const headers = multiOfFlat(answer.headers);
    const model: LuaResponseModel = {
      status: raw ? answer.status : 0,
      headers,
      body: body ? body.toString('utf8') : '',
      data: (answer.data ?? {}) as LuaResponseModel['data'],
      isComplete: answer.failure === undefined,
    };
    const r = await lua.runPost(model);
    if (!r.ok) return errorAnswer(r.kind === 'custom_error' ? customErrorOf(r) : failureOf(r, log, 'modifier/lua-backend post'));
    const m = r.model;
    if (!raw) {
      answer.data = m.data as Data;
      return;
    }
    if (Number.isInteger(m.status) && m.status >= 100 && m.status <= 599) answer.status = m.status;
    const changedBody = m.body !== model.body;
    if (!sameMulti(lowerKeys(m.headers), headers) || changedBody) {
      answer.headers = flatOfMulti(m.headers);
      // A body the script rewrote is text: the backend's content coding no longer applies.
      if (changedBody) removeHeader(answer.headers, 'content-encoding');
    }
    answer.body = changedBody ? Buffer.from(m.body, 'utf8') : (body ?? answer.body);
  };
}
