// The gateway's response class. Guards add headers with setHeader before the reply exists
// (security headers, CORS); the reply then passes its own headers as a flat list to writeHead.
// Node's default merge of the two keeps only the last value of each name (two Set-Cookie from a
// no-op backend would become one) and lets the backend override the gateway's policy (a backend's
// Access-Control-Allow-Origin: * would reach a disallowed origin). Here:
//   - a name a guard set wins over the same name in the list (the gateway's policy is final),
//     except Vary, whose values are kept side by side (RFC 9110 §12.5.5);
//   - every other pair of the list is appended, so repeated names all survive;
//   - once security/cors has claimed the response (claimCors), Access-Control-* pairs of the list
//     are dropped: whether an origin may read the response is the gateway's decision alone.
// Without guard headers the fast path is Node's own writeHead, untouched.
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';

export interface HeaderTarget {
  getHeaderNames(): string[];
  appendHeader(name: string, value: string | readonly string[]): unknown;
}

/** Marks a response whose CORS headers the gateway decides (set by security/cors). */
export function claimCors(res: object): void {
  (res as { corsClaimed: boolean }).corsClaimed = true;
}

/** Appends `list` ([name, value, ...]) onto headers already set, with the precedence above. */
export function mergeReplyHeaders(res: HeaderTarget, list: readonly string[], dropCors: boolean, skip?: ReadonlySet<string>): void {
  const preset = new Set(res.getHeaderNames());
  for (let i = 0; i < list.length; i += 2) {
    const lower = list[i].toLowerCase();
    if (skip?.has(lower)) continue;
    if (preset.has(lower) && lower !== 'vary') continue;
    if (dropCors && lower.startsWith('access-control-')) continue;
    res.appendHeader(list[i], list[i + 1]);
  }
}

type HeaderArg = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;
type WriteHeadArgs = [string | HeaderArg, HeaderArg?];

export class GatewayResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  /** Set once any header was set before writeHead (then the merge above is needed). */
  private preset = false;
  corsClaimed = false;

  override setHeader(name: string, value: number | string | readonly string[]): this {
    this.preset = true;
    return super.setHeader(name, value);
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    this.preset = true;
    return super.appendHeader(name, value);
  }

  override writeHead(statusCode: number, ...args: WriteHeadArgs): this {
    const headers = typeof args[0] === 'string' ? args[1] : args[0];
    if (this.preset && Array.isArray(headers) && (headers.length === 0 || typeof headers[0] === 'string')) {
      mergeReplyHeaders(this, headers as string[], this.corsClaimed);
      return typeof args[0] === 'string' ? super.writeHead(statusCode, args[0]) : super.writeHead(statusCode);
    }
    return typeof args[0] === 'string' ? super.writeHead(statusCode, args[0], args[1]) : super.writeHead(statusCode, args[0]);
  }
}
