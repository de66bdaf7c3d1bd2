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
import type { CompiledLua, LuaMultiMap, LuaResponseModel } from '../../../scripting/lua/types.js';
import { dataAfter } from '../../../scripting/lua/lua-models.js';
import { customErrorOf, failureOf } from '../lua-shared/lua-errors.js';
import { flatOfMulti, flatWithoutOwned, flatWithSet, lowerKeys, multiOfFlat, sameMulti } from '../lua-shared/lua-model.js';

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

/** The response a post script sees: headers and body text are converted only when it reads them. */
class BackendResponseModel implements LuaResponseModel {
  private h: LuaMultiMap | undefined;
  private b: string | undefined;
  constructor(
    readonly status: number,
    private readonly flat: readonly string[],
    private readonly raw: Buffer | undefined,
    readonly data: LuaResponseModel['data'],
    readonly isComplete: boolean,
  ) {}
  get headers(): LuaMultiMap {
    return (this.h ??= multiOfFlat(this.flat));
  }
  get body(): string {
    return (this.b ??= this.raw ? this.raw.toString('utf8') : '');
  }
}

type PostResult = Awaited<ReturnType<CompiledLua['runPost']>>;

/** Decoded answers: the script reads and changes the data only. Synchronous when the call ran at once. */
function postOnData(lua: CompiledLua, log: Logger, answer: Answer): Answer | void | Promise<Answer | void> {
  const data = (answer.data ?? {}) as LuaResponseModel['data'];
  const done = (r: PostResult): Answer | void => {
    if (!r.ok) return errorAnswer(r.kind === 'custom_error' ? customErrorOf(r) : failureOf(r, log, 'modifier/lua-backend post'));
    answer.data = dataAfter(data, r.changes) as Data;
  };
  const r = lua.runPost(new BackendResponseModel(0, answer.headers, undefined, data, answer.failure === undefined));
  return r instanceof Promise ? r.then(done) : done(r);
}

export function handlePost(lua: CompiledLua, log: Logger): ResponseHook {
  return (_ctx, answer) => {
    if (answer.origin !== 'proxy') return;
    if (answer.data !== undefined) return postOnData(lua, log, answer);
    return postOnRaw(lua, log, answer);
  };
}

/** no-op answers: status, headers and body (read whole, bounded). */
async function postOnRaw(lua: CompiledLua, log: Logger, answer: Answer): Promise<Answer | void> {
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : await readAll(answer.body);
  if (body === undefined)
    return errorAnswer(
      failureOf(
        { ok: false, kind: 'failure', reason: 'memory', status: 500, message: 'no-op body too large for a post script' },
        log,
        'modifier/lua-backend post',
      ),
    );
  const model = new BackendResponseModel(answer.status, answer.headers, body, {}, answer.failure === undefined);
  const r = await lua.runPost(model);
  if (!r.ok) return errorAnswer(r.kind === 'custom_error' ? customErrorOf(r) : failureOf(r, log, 'modifier/lua-backend post'));
  const c = r.changes;
  if (c.status !== undefined && Number.isInteger(c.status) && c.status >= 100 && c.status <= 599) answer.status = c.status;
  const changedBody = c.body !== undefined && c.body !== model.body;
  let headers = answer.headers;
  if (c.headers !== undefined) {
    if (!sameMulti(lowerKeys(c.headers), model.headers)) headers = flatOfMulti(c.headers);
  } else if (c.headerSet !== undefined) headers = flatWithSet(headers, c.headerSet);
  if (changedBody) {
    // A body the script rewrote is text: the backend's framing and content coding no longer apply.
    headers = flatWithoutOwned(headers);
    removeHeader(headers, 'content-encoding');
  }
  answer.headers = headers;
  answer.body = changedBody ? Buffer.from(c.body as string, 'utf8') : body;
}
