// Plain-data facts the data-protection engines read. The pipeline fills them once per request
// (or per backend call) from what it already has; the engines never see Node request objects,
// so they can be built, tested and benchmarked without a server.

/** What a request (endpoint level) or a backend call (backend level) looks like to a check. */
export interface RequestFacts {
  /** Endpoint: the client method. Backend: the backend method. */
  readonly method: string;
  /** Endpoint: the client path. Backend: the generated backend path. */
  readonly path: string;
  /** Path placeholders as named in the URL template (`id`); the CEL activation upper-cases the
   * first letter (`Id`) as KrakenD does. Sequential `Resp0_x` params are passed as they are. */
  readonly params: Readonly<Record<string, string>>;
  /** Headers that survived `input_headers`, any key case (canonicalised for CEL). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** The same headers with canonical keys, when the producer can build that map directly from
   * its flat list (one pass; the activation then skips canonicalising `headers`). */
  readonly canonicalHeaders?: Readonly<Record<string, readonly string[]>>;
  /** Query parameters that survived `input_query_strings`. */
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** Raw request body, already bounded by the router's body limit; null when there is none. */
  readonly body: Buffer | null;
  /** Verified JWT claims (auth/validator), or null. */
  readonly claims: Readonly<Record<string, unknown>> | null;
}

/** What an answer (a backend's part, or the merged endpoint answer) looks like to a check. */
export interface ResponseFacts {
  /** Upstream status (KrakenD fills it only for `no-op`; 0 otherwise). */
  readonly status: number;
  /** Upstream headers (KrakenD: only for `no-op`). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** Decoded and already shaped data (allow/deny/group/mapping applied). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly completed: boolean;
}
