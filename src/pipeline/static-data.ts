// `proxy.static`: merge fixed data over the response when the strategy matches. With
// errored/incomplete it turns a would-be 500 into a 200 carrying the static data.
import type { StaticStrategy } from '../config/types.js';
import type { Data, ProxyResult } from './types.js';

export function compileStatic(s: { strategy: StaticStrategy; data: Data } | undefined): ((r: ProxyResult) => ProxyResult) | null {
  if (!s) return null;
  const matches: (r: ProxyResult) => boolean = {
    always: () => true,
    success: (r: ProxyResult) => !r.error,
    errored: (r: ProxyResult) => !!r.error,
    complete: (r: ProxyResult) => r.complete && !r.error,
    incomplete: (r: ProxyResult) => !r.complete || !!r.error,
  }[s.strategy];
  const staticJson = JSON.stringify(s.data);
  return (r) => {
    if (!matches(r)) return r;
    // A fresh copy per request: the merged data is mutated later by flatmap and must never
    // write into the config's object.
    const data = Object.assign(r.data ?? {}, JSON.parse(staticJson) as Data);
    return { data, complete: r.complete, error: r.data ? r.error : undefined, raw: r.raw };
  };
}
