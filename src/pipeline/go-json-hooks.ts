// The direct JSON path of an endpoint whose response hooks all have a Go JSON bytes form
// (Stage.rewriteGoJson, e.g. modifier/response-body): the backend's answer made into Go's bytes
// (DirectBackend.finishGoJson) and the hooks' work done on those bytes. Where a hook cannot tell,
// the answer is decoded as on the general path (DirectBackend.finish) and the hooks run on the
// data as they would have, so the answer is the same either way.
import type { BackendResult, UpstreamResponse } from '../core/backend-result.js';
import type { CancelSignal } from '../core/call-signal.js';
import type { DirectBackend } from './compile-backend.js';

type FinishGoJson = NonNullable<DirectBackend['finishGoJson']>;

/** finishGoJson with `rewrite` applied to its bytes; a result (the hooks still to run on it)
 * when finishGoJson makes none or `rewrite` cannot tell. */
export function withGoJsonHooks(d: DirectBackend, goJson: FinishGoJson, rewrite: (bytes: Buffer) => Buffer | undefined): FinishGoJson {
  return (res: UpstreamResponse, signal: CancelSignal): Buffer | BackendResult | Promise<BackendResult> => {
    const bytes = goJson(res, signal);
    if (!Buffer.isBuffer(bytes)) return bytes;
    const out = rewrite(bytes);
    // The body is still whole (finishGoJson only reads it): decoded as if there were no direct path.
    return out !== undefined ? out : d.finish(res, signal);
  };
}
