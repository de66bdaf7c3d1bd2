// The data a body template sees. Names follow KrakenD's EE docs where they show them
// (`.resp_body`, `.resp_status`, `.resp_headers`, `.req_*`, `.variables`); the adapter fills
// these from the request/response after Rampart's own filtering (input_headers,
// input_query_strings), so a template sees only what the endpoint lets through.

/** Go's http.CanonicalHeaderKey, as KrakenD's header maps are keyed. */
export function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

function headers(h: Iterable<[string, string[]]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of h) Object.defineProperty(out, canonicalHeader(k), { value: [...v], enumerable: true, writable: true, configurable: true });
  return out;
}

function plain<T>(o: Record<string, T> | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(o ?? {})) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

export interface RequestTemplateInput {
  /** The parsed JSON body, or null when there is none or it is not JSON. */
  readonly body: unknown;
  readonly headers: Iterable<[string, string[]]>;
  /** Path parameters, named as KrakenD passes them (first letter upper-cased). */
  readonly params: Record<string, string>;
  readonly query: Record<string, string[]>;
  readonly path: string;
  readonly method: string;
}

export interface ResponseTemplateInput {
  readonly body: unknown;
  readonly status: number;
  readonly headers: Iterable<[string, string[]]>;
}

export function requestTemplateData(r: RequestTemplateInput): Record<string, unknown> {
  return {
    req_body: r.body ?? null,
    req_headers: headers(r.headers),
    req_params: plain(r.params),
    req_querystring: plain(r.query),
    req_path: r.path,
    req_method: r.method,
  };
}

/** Response data; the request's `req_*` fields are included when the adapter has them. */
export function responseTemplateData(s: ResponseTemplateInput, r?: RequestTemplateInput): Record<string, unknown> {
  return {
    ...(r ? requestTemplateData(r) : {}),
    resp_body: s.body ?? null,
    resp_status: s.status,
    resp_headers: headers(s.headers),
  };
}
