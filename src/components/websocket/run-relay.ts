// One client↔backend WebSocket pair, relayed message by message under the endpoint's limits:
// - max_message_size: both sockets refuse larger frames (ws's maxPayload) and close with 1009;
// - message_buffer_size: at most that many messages queued towards either side; a peer that
//   does not read fills it and the pair is closed (1013), so a slow reader costs bounded memory;
// - write_wait: a queued message not written within it ends the pair;
// - ping_period / pong_wait: the gateway pings the client; no pong within pong_wait ends it;
// - timeout: nothing from the backend for that long ends it (KrakenD's backend read timeout).
// A close on one side is passed on to the other (same code when it may be sent on the wire).
import { WebSocket, type RawData } from 'ws';

export interface RelayLimits {
  readonly maxMessageSize: number;
  readonly messageBuffer: number;
  readonly writeWaitMs: number;
  readonly pongWaitMs: number;
  readonly pingPeriodMs: number;
  readonly backendIdleMs: number;
  readonly returnErrorDetails: boolean;
}

export interface Relay {
  /** Gateway stopping: close both sides with 1001. */
  shutdown(): void;
}

/** Codes one may send in a Close frame (RFC 6455 §7.4); 1005/1006/1015 are only reported. */
function sendable(code: number, fallback: number): number {
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) return code;
  return code === 1005 ? 1000 : fallback;
}

/** Messages queued towards one socket, and the write_wait deadline of the oldest. */
class Outbox {
  pending = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly to: WebSocket,
    private readonly limits: RelayLimits,
    private readonly end: (code: number, reason: string) => void,
  ) {}

  send(data: RawData, isBinary: boolean): void {
    if (this.to.readyState !== WebSocket.OPEN) return;
    if (this.pending >= this.limits.messageBuffer) return this.end(1013, 'message buffer full');
    if (this.pending++ === 0) this.timer = setTimeout(() => this.end(1011, 'write timeout'), this.limits.writeWaitMs);
    this.to.send(data, { binary: isBinary }, () => {
      if (--this.pending === 0) this.stop();
      else this.timer?.refresh();
    });
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export function runRelay(client: WebSocket, upstream: WebSocket, limits: RelayLimits, onEnd: () => void): Relay {
  let ended = false;
  const toClient = new Outbox(client, limits, (code, reason) => end(code, reason));
  const toBackend = new Outbox(upstream, limits, (code, reason) => end(code, reason));
  const pongDeadline = setTimeout(() => end(1011, 'pong timeout', true), limits.pongWaitMs);
  const backendIdle = setTimeout(() => end(1011, 'backend read timeout'), limits.backendIdleMs);
  const ping = setInterval(() => {
    if (client.readyState === WebSocket.OPEN) client.ping();
  }, limits.pingPeriodMs);
  let grace: NodeJS.Timeout | undefined;

  /** Ends the pair: both sides get a Close (the client `code`), then are cut after write_wait. */
  function end(code: number, reason: string, cutClient = false, upstreamCode = 1001): void {
    if (ended) return;
    ended = true;
    clearTimeout(pongDeadline);
    clearTimeout(backendIdle);
    clearInterval(ping);
    toClient.stop();
    toBackend.stop();
    // Nothing more is relayed: stop reading the backend, so its sends back up instead of landing here.
    upstream.pause();
    if (cutClient) client.terminate();
    else if (client.readyState === WebSocket.OPEN) client.close(code, reason);
    if (upstream.readyState === WebSocket.OPEN) upstream.close(upstreamCode);
    grace = setTimeout(() => {
      client.terminate();
      upstream.terminate();
    }, limits.writeWaitMs);
    grace.unref();
    onEnd();
  }

  client.on('message', (data, isBinary) => toBackend.send(data, isBinary));
  upstream.on('message', (data, isBinary) => {
    backendIdle.refresh();
    toClient.send(data, isBinary);
  });
  client.on('pong', () => pongDeadline.refresh());
  client.on('error', () => undefined);
  // A backend message over max_message_size: the client hears 1009 too (KrakenD drops the client).
  upstream.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') end(1009, 'message too big');
  });
  client.on('close', (code) => {
    end(1000, '', false, sendable(code, 1001));
  });
  upstream.on('close', (code) => {
    if (!ended && code === 1006 && limits.returnErrorDetails && client.readyState === WebSocket.OPEN) client.send('{"error":"backend connection lost"}');
    end(sendable(code, 1011), code === 1006 ? 'backend connection lost' : '');
  });
  // Held since the backend's handshake (component.ts), so that nothing it said is lost.
  upstream.resume();
  return { shutdown: () => end(1001, 'gateway shutting down') };
}
