// Plain data models the Martian engine works on. The pipeline adapter copies a backend request
// into a MutableRequest just before the HTTP call (after lura's header/query filtering, as in
// KrakenD where martian wraps the HTTP executor), runs the request modifier, sends what is left,
// then copies the upstream answer into a MutableResponse and runs the response modifier.

/** Header names are lower-case; values keep their order. A Map, so no name reaches a prototype. */
export type HeaderMap = Map<string, string[]>;

/** Go's url.URL as far as martian sees it. */
export interface MartianUrl {
  /** `http` or `https`. */
  scheme: string;
  /** Go's URL.Host: hostname, `:port` when the URL has one, IPv6 in brackets. */
  host: string;
  /** The path as sent on the wire (percent-encoded), starting with `/`. */
  path: string;
  /** Go's URL.RawQuery: the raw query string without `?` ('' when none). */
  query: string;
}

export interface MutableRequest {
  /** Upper-case method. */
  method: string;
  url: MartianUrl;
  /**
   * The Host header to send (Go's Request.Host). The adapter starts it at the backend's host;
   * only a `header.Modifier`/`header.Append` named Host changes it. As in Go's client, changing
   * the URL host or port (url.Modifier, port.Modifier) does not change the Host header.
   */
  host: string;
  /** Never holds host, content-length or transfer-encoding: framing is the adapter's job. */
  headers: HeaderMap;
  /** null = no body. */
  body: Buffer | null;
  /** Set by skip.RoundTrip: the adapter must not call the backend (answers 200, empty). */
  skipRoundTrip: boolean;
}

export interface MutableResponse {
  status: number;
  /** Never holds content-length or transfer-encoding (recomputed from body). */
  headers: HeaderMap;
  body: Buffer | null;
}

/** A runtime failure message (Go's error text). undefined = success. */
export type StepResult = string | undefined;
export type RequestStep = (req: MutableRequest) => StepResult;
/** Response steps also see the request as it was sent (Go's res.Request). */
export type ResponseStep = (res: MutableResponse, req: MutableRequest) => StepResult;

/** A compiled node after its `scope` was applied: null = does nothing in that phase. */
export interface CompiledModifier {
  readonly request: RequestStep | null;
  readonly response: ResponseStep | null;
}

/** What a modifier implements, before `scope` selects from it (Go's RequestModifier/ResponseModifier). */
export interface ModifierImpl {
  readonly request?: RequestStep;
  readonly response?: ResponseStep;
}

/** Compiles a nested modifier (a group member, a filter's `modifier`/`else`). */
export type NodeCompiler = (value: unknown, at: string) => CompiledModifier;

/** Builds one registered modifier from its JSON object (`at` points at that object). */
export type ModifierFactory = (cfg: Record<string, unknown>, at: string, name: string, child: NodeCompiler) => CompiledModifier;

/**
 * A bad `modifier/martian` value. `pointer` is a JSON pointer (RFC 6901) from the base the
 * caller passed to compileMartian; the message is `pointer: reason`. No stack trace: it is a
 * config message, not a crash.
 */
export class MartianConfigError extends Error {
  readonly pointer: string;
  readonly reason: string;
  constructor(pointer: string, reason: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${pointer || '/'}: ${reason}`);
    Error.stackTraceLimit = limit;
    this.name = 'MartianConfigError';
    this.pointer = pointer;
    this.reason = reason;
  }
}
