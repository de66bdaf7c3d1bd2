// Per-request header operations with Go's proxyutil.Header semantics: on a request, the name
// `host` is Request.Host (the Host header sent), not an entry of the map; `content-length` reads
// as the body length. Names are lower-case already (compiled at startup).

import type { HeaderMap, MutableRequest, MutableResponse, StepResult } from './types.js';

type Message = MutableRequest | MutableResponse;

function isRequest(m: Message): m is MutableRequest {
  return 'url' in m;
}

function bodyLength(m: Message): number {
  return m.body ? m.body.length : 0;
}

/** Go's Header.Get through proxyutil: the first value, '' when absent. */
export function getHeader(m: Message, name: string): string {
  if (name === 'host') return isRequest(m) ? m.host : '';
  if (name === 'content-length') return m.body ? String(m.body.length) : '';
  if (name === 'transfer-encoding') return '';
  const vs = m.headers.get(name);
  return vs && vs.length > 0 ? vs[0] : '';
}

/** Go's proxyutil All: every value, or undefined when the header is absent. */
export function allHeader(m: Message, name: string): string[] | undefined {
  if (name === 'host') return isRequest(m) && m.host !== '' ? [m.host] : undefined;
  if (name === 'content-length') return bodyLength(m) > 0 ? [String(bodyLength(m))] : undefined;
  if (name === 'transfer-encoding') return undefined;
  return m.headers.get(name);
}

export function setHeader(m: Message, name: string, value: string): StepResult {
  if (name === 'host') {
    if (isRequest(m)) m.host = value; // On a response Go ignores Host.
    return undefined;
  }
  m.headers.set(name, [value]);
  return undefined;
}

export function addHeader(m: Message, name: string, value: string): StepResult {
  if (name === 'host') {
    if (!isRequest(m)) return undefined;
    if (m.host !== '') return 'proxyutil: illegal header multiple: Host';
    m.host = value;
    return undefined;
  }
  const vs = m.headers.get(name);
  if (vs) vs.push(value);
  else m.headers.set(name, [value]);
  return undefined;
}

export function delHeader(m: Message, name: string): void {
  if (name === 'host') {
    if (isRequest(m)) m.host = '';
    return;
  }
  m.headers.delete(name);
}

/** Plain http.Header.Get (no proxyutil): what header.RegexFilter and stash read. */
export function mapGet(h: HeaderMap, name: string): string {
  const vs = h.get(name);
  return vs && vs.length > 0 ? vs[0] : '';
}
