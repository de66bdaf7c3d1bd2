// The HTTP Upgrade of one request (a WebSocket handshake): the raw socket and the bytes read past
// the request head. The server's 'upgrade' listener (server/handle-upgrade.ts) files it here and
// the `websocket` component takes the connection over; any other request has none, so a plain
// request can never be upgraded. Core holds the map because both layers see it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export interface UpgradeTicket {
  readonly socket: Duplex;
  readonly head: Buffer;
}

const TICKETS = new WeakMap<IncomingMessage, UpgradeTicket>();

export function fileUpgrade(req: IncomingMessage, ticket: UpgradeTicket): void {
  TICKETS.set(req, ticket);
}

/** The request's upgrade, once: a second taker gets undefined. */
export function takeUpgrade(req: IncomingMessage): UpgradeTicket | undefined {
  const t = TICKETS.get(req);
  if (t !== undefined) TICKETS.delete(req);
  return t;
}
