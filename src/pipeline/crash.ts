// A request whose handling threw: logged (message and path only, never headers or values), and
// the client gets an empty 500 through the response phase, or a cut connection once its answer
// has started.
import type { RequestContext } from '../core/request.js';
import { COMPLETED_HEADER } from '../core/version.js';
import type { Logger } from '../observability/logger.js';
import { plainAnswer } from './replies.js';
import { respond, writeHeadOnce, type ResponsePlan } from './respond.js';

export function crashAnswer(log: Logger, ctx: RequestContext, err: unknown, plan: ResponsePlan): void {
  log.error({ err: { message: (err as Error)?.message }, path: ctx.path }, 'request failed');
  const res = ctx.res;
  if (res.headersSent) return void res.destroy();
  const onHookFailure = (): void => {
    if (res.headersSent) return void res.destroy();
    writeHeadOnce(res, 500, ['content-length', '0']);
    res.end();
  };
  try {
    const p = respond(ctx, plainAnswer(500, '', [COMPLETED_HEADER, 'false'], undefined), plan, log);
    if (p) p.catch(onHookFailure);
  } catch {
    onHookFailure();
  }
}
