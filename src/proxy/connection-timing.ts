// KrakenD's `detailed_connection` (telemetry/opentelemetry backend layer, krakend-otel's
// httptrace hooks): per backend call, the time it waited for a connection and, for the call that
// opened one, that connection's DNS lookup and TLS handshake — 0 when the connection was reused,
// as Go's httptrace reports them (its DNS and TLS callbacks do not run then).
//
// Measured without undici internals: pools of a config that asks for it connect through
// `timedConnector` (undici's own connector, wrapped), which times the socket's `lookup`,
// `connect` and `secureConnect` events; the exchange handler notes the moment undici hands the
// request a socket (`onConnect`); and undici publishes `undici:client:sendHeaders` with that
// socket in the same synchronous step (client-h1 writeH1: onConnect, then the headers), which is
// when a call and its socket meet. The first call to send on a socket claims its timings.
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import buildConnector from 'undici/lib/core/connect.js';
import type { ConnTiming, SocketTiming } from '../core/conn-timing.js';

const bySocket = new WeakMap<object, SocketTiming>();
/** The call whose onConnect ran and whose headers undici is about to publish. */
let pending: ConnTiming | undefined;
let watching = false;

/** The exchange handler's onConnect: `t`'s request is about to be written on a socket. */
export function connectionGot(t: ConnTiming): void {
  t.connMs = performance.now();
  pending = t;
}

/** The first byte of the answer (its status line) arrived. */
export function firstByte(t: ConnTiming): void {
  if (t.firstByteMs < 0) t.firstByteMs = performance.now();
}

function onSendHeaders(message: unknown): void {
  const t = pending;
  pending = undefined;
  // A request aborted between onConnect and its headers leaves `pending` set: the next request
  // then claims for a finished call, which nothing reads any more.
  if (t === undefined) return;
  const s = bySocket.get((message as { socket: object }).socket);
  if (s === undefined || s.claimed) return;
  s.claimed = true;
  t.opened = s;
}

type ConnectOptions = Parameters<typeof buildConnector>[0];
type Connector = ReturnType<typeof buildConnector>;

/** undici's connector with the same options, whose sockets record their DNS and TLS times. */
export function timedConnector(options: ConnectOptions): Connector {
  if (!watching) {
    watching = true;
    subscribe('undici:client:sendHeaders', onSendHeaders);
  }
  const base = buildConnector(options);
  return (o, callback) => {
    const t0 = performance.now();
    const socket = base(o, callback) as unknown as Socket;
    const st: SocketTiming = { dnsS: 0, tlsS: 0, claimed: false };
    bySocket.set(socket, st);
    // No `lookup` event for an IP address: no DNS, 0 as in Go.
    socket.once('lookup', () => {
      st.dnsS = (performance.now() - t0) / 1000;
    });
    if (o.protocol === 'https:') {
      let tcpAt = -1;
      // Prepended: undici's own listener writes the first request synchronously.
      socket.prependOnceListener('connect', () => {
        tcpAt = performance.now();
      });
      socket.prependOnceListener('secureConnect', () => {
        if (tcpAt >= 0) st.tlsS = (performance.now() - tcpAt) / 1000;
      });
    }
    return socket;
  };
}
