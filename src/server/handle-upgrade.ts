// The server's 'upgrade' listener (installed only when some endpoint declares `websocket`). An
// upgrade runs the same path as any request — early refusals, service guards (host, IP, CORS),
// routing, the endpoint's guards (authentication, rate limits) — over a response bound to the
// raw socket, so a refused upgrade gets the normal 401/403/429 answer. Only a route of an
// endpoint with `websocket` gets the socket (core/upgrade.ts); an upgrade to any other
// declared route is refused (400), one to no route gets the usual 404/405. An Upgrade to
// something other than WebSocket (e.g. `h2c`) is ignored: served as the plain request it is.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileUpgrade } from '../core/upgrade.js';
import { refusal, securityEvent } from '../core/request.js';
import { GatewayResponse } from '../pipeline/http-response.js';
import { rejectionAnswer } from '../pipeline/replies.js';
import { respond } from '../pipeline/respond.js';
import type { Match } from '../router/route-table.js';
import type { RouteHandler } from './builtin-routes.js';
import { compileRequestHandler, type GatewayPlan } from './handle-request.js';

const EVENT = securityEvent('request.upgrade_refused', 'router', 'upgrade on an endpoint without websocket');
const NOT_DECLARED = refusal(EVENT.code, EVENT.component, EVENT.reason, { close: true });

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export function compileUpgradeHandler(plan: GatewayPlan, websocketRoutes: ReadonlySet<RouteHandler>): UpgradeListener {
  const refuse: RouteHandler = (ctx) => {
    plan.security(ctx, undefined, NOT_DECLARED.status, EVENT);
    return respond(ctx, rejectionAnswer(NOT_DECLARED), plan.response, plan.log);
  };
  const table = {
    find(method: string, path: string): Match<RouteHandler> | undefined {
      const m = plan.table.find(method, path);
      if (m === undefined || websocketRoutes.has(m.value)) return m;
      return { value: refuse, params: m.params };
    },
    miss: plan.table.miss.bind(plan.table),
  };
  const upgrading = compileRequestHandler({ ...plan, table });
  const plain = compileRequestHandler(plan);
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const res = new GatewayResponse(req);
    // Node has already let go of the connection (no parser, no keep-alive): one answer, then close.
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => socket.end());
    const isWebSocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if (!isWebSocket) return plain(req, res);
    fileUpgrade(req, { socket, head });
    upgrading(req, res);
  };
}
