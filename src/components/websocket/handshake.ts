// What the backend's handshake carries: the headers the endpoint forwards (its input_headers,
// the gateway's X-Forwarded-For/Host, propagated claims), plus websocket `input_headers` read
// from the client; never the client's own handshake fields (key, version, extensions, accept,
// protocol: the gateway does its own handshake with the backend). Subprotocols: only those the
// config lists are offered to the backend, and the client gets the one the backend chose.
import { compileHeaderFilter } from '../../proxy/forward-headers.js';

const OWN_HANDSHAKE = new Set([
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'accept-encoding',
]);

export type UpstreamHeaders = (endpointHeaders: readonly string[], rawHeaders: string[]) => Record<string, string>;

export function compileUpstreamHeaders(inputHeaders: readonly string[]): UpstreamHeaders {
  const extra = inputHeaders.length > 0 ? compileHeaderFilter(inputHeaders, true).build : undefined;
  return (endpointHeaders, rawHeaders) => {
    const out: Record<string, string> = {};
    const add = (flat: readonly string[]): void => {
      for (let i = 0; i < flat.length; i += 2) {
        const name = flat[i].toLowerCase();
        if (OWN_HANDSHAKE.has(name)) continue;
        out[name] = out[name] === undefined ? flat[i + 1] : `${out[name]}, ${flat[i + 1]}`;
      }
    };
    add(endpointHeaders);
    if (extra !== undefined) {
      // The gateway's own headers (X-Forwarded-*, User-Agent) are already in endpointHeaders.
      const fromClient = extra({ rawHeaders, clientIp: '', host: '' });
      const known = new Set(Object.keys(out));
      const kept: string[] = [];
      for (let i = 0; i < fromClient.length; i += 2) if (!known.has(fromClient[i])) kept.push(fromClient[i], fromClient[i + 1]);
      add(kept);
    }
    return out;
  };
}

/** The client's offered subprotocols that the config allows (none when it lists none). */
export function offeredProtocols(header: string | undefined, allowed: ReadonlySet<string>): string[] {
  if (header === undefined || allowed.size === 0) return [];
  const out: string[] = [];
  for (const p of header.split(',')) {
    const name = p.trim();
    if (name && allowed.has(name) && !out.includes(name)) out.push(name);
  }
  return out;
}
