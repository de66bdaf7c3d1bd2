// `proxy.static`: merge fixed data over the response when the strategy matches. With
// errored/incomplete it turns a would-be 500 into a 200 carrying the static data.
import type { StaticStrategy } from '../config/types.js';
import { dataResult, failureOf, isComplete, type BackendResult, type Data } from '../core/backend-result.js';

export function compileStatic(s: { strategy: StaticStrategy; data: Data } | undefined): ((r: BackendResult) => BackendResult) | null {
  if (!s) return null;
  const matches: (r: BackendResult) => boolean = {
    always: () => true,
    success: (r: BackendResult) => !failureOf(r),
    errored: (r: BackendResult) => !!failureOf(r),
    complete: (r: BackendResult) => isComplete(r),
    incomplete: (r: BackendResult) => !isComplete(r),
  }[s.strategy];
  const staticJson = JSON.stringify(s.data);
  return (r) => {
    // A no-op answer is passed through as the backend sent it: static data cannot join it.
    if (r.kind === 'raw' || !matches(r)) return r;
    // A fresh copy per request: the merged data is mutated later by flatmap and must never
    // write into the config's object.
    const fixed = JSON.parse(staticJson) as Data;
    // Over an error the static data is the whole (incomplete) answer: a would-be 500 becomes 200.
    if (r.kind === 'error') return dataResult(fixed, false);
    return dataResult(Object.assign(r.data, fixed), r.complete, r.error);
  };
}
