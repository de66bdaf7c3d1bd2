// The connection detail of one backend call (telemetry's detailed_connection): filled by
// proxy/connection-timing.ts while undici runs the call, read by the OpenTelemetry backend layer
// when it ends. Here, not in proxy/, because a call's input carries it (core/backend-result.ts).

/** What one socket's opening cost, seconds (filled by its events, read when a call ends). */
export interface SocketTiming {
  dnsS: number;
  tlsS: number;
  claimed: boolean;
}

/** The connection detail of one backend call (performance.now() milliseconds; -1: not yet). */
export class ConnTiming {
  /** undici gave the request a socket. */
  connMs = -1;
  /** The answer's status line arrived. */
  firstByteMs = -1;
  /** The socket this call opened, if it was the first to use it. */
  opened: SocketTiming | undefined = undefined;
  constructor(readonly startMs: number) {}

  /** Seconds from the call's start to its connection (0 if it never got one). */
  getConnS(): number {
    return this.connMs < 0 ? 0 : (this.connMs - this.startMs) / 1000;
  }
  dnsS(): number {
    return this.opened?.dnsS ?? 0;
  }
  tlsS(): number {
    return this.opened?.tlsS ?? 0;
  }
}
