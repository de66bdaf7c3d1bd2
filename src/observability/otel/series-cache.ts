// The histogram series of the request path, resolved without building an attribute object per
// request: the global layer's by route, method and status (found in two Map lookups, a series
// made once per new combination, bounded as the route and status sets are), the proxy and
// backend layers' by their three outcome flags (all eight made at compile time).
import type { Attributes } from '@opentelemetry/api';
import type { HistogramSeries, LeanHistogram } from './lean-histogram.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '_OTHER'];
const METHOD_INDEX = new Map(METHODS.map((m, i) => [m, i]));

export interface ServerSeries {
  duration: HistogramSeries | undefined;
  size: HistogramSeries | undefined;
}

/** `pick(route, boundedMethod, status)`: the server series of one answered request. */
export function compileServerSeries(
  duration: LeanHistogram | undefined,
  size: LeanHistogram | undefined,
  scheme: string,
  extra: Readonly<Attributes>,
): (route: string, method: string, status: number) => ServerSeries {
  const byRoute = new Map<string, Map<number, ServerSeries>>();
  return (route, method, status) => {
    let byCode = byRoute.get(route);
    if (byCode === undefined) byRoute.set(route, (byCode = new Map()));
    const key = status * 16 + (METHOD_INDEX.get(method) ?? 9);
    let s = byCode.get(key);
    if (s === undefined) {
      // Same attributes, same order as the SDK instruments were given before.
      const attrs: Attributes = { 'http.request.method': method, 'url.scheme': scheme, 'http.route': route, 'http.response.status_code': status, ...extra };
      byCode.set(key, (s = { duration: duration?.series(attrs), size: size?.series(attrs) }));
    }
    return s;
  };
}

/** The eight series of a proxy or backend layer; index with outcomeIndex(). */
export function compileOutcomeSeries(h: LeanHistogram, base: Readonly<Attributes>): HistogramSeries[] {
  const out: HistogramSeries[] = [];
  for (let i = 0; i < 8; i++) out.push(h.series({ ...base, error: (i & 4) !== 0, canceled: (i & 2) !== 0, complete: (i & 1) !== 0 }));
  return out;
}

export function outcomeIndex(error: boolean, canceled: boolean, complete: boolean): number {
  return (error ? 4 : 0) + (canceled ? 2 : 0) + (complete ? 1 : 0);
}
