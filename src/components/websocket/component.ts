// `websocket` (KrakenD EE, endpoint level), direct mode: an upgrade that got past every guard of
// the endpoint (server/handle-upgrade.ts files its socket, core/upgrade.ts) is proxied one to one
// to the endpoint's single backend. The backend's handshake comes first, so a backend that is
// down or refuses answers the client with a plain 502 instead of an accepted-then-closed socket;
// then the client's handshake is completed and the two sockets are relayed (run-relay.ts) under
// the size, buffer, ping/pong and timeout limits. The multiplexed mode (KrakenD's default, with
// its message envelope) is refused by name.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { parseDuration } from '../../config/duration.js';
import { dataResult, errorResult, type BackendHandler, type BackendResult, type CallInput } from '../../core/backend-result.js';
import { GatewayError } from '../../core/gateway-error.js';
import { takeUpgrade, type UpgradeTicket } from '../../core/upgrade.js';
import { compileUrlTemplate, UNSAFE_VALUE } from '../../proxy/url-template.js';
import { upstreamConnectOptions } from '../../tls/upstream-context.js';
import type { BuildEnv, Stage } from '../types.js';
import type { WebsocketConfig } from './schema.js';
import { compileUpstreamHeaders, offeredProtocols } from './handshake.js';
import { runRelay, type Relay, type RelayLimits } from './run-relay.js';

const NOT_AN_UPGRADE = new GatewayError('websocket.upgrade_required', 'this endpoint only answers WebSocket upgrades');
const BAD_HANDSHAKE = new GatewayError('websocket.upgrade_required', 'malformed WebSocket handshake', 400);
const UNSAFE = new GatewayError('backend.unsafe_param', 'invalid path parameter');
const NO_VALUE = new GatewayError('backend.placeholder', 'a url_pattern placeholder has no value');
const KEY = /^[+/0-9A-Za-z]{21}[AQgw]==$/;

function ms(value: string | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  const v = parseDuration(value);
  if (v === undefined || v <= 0) throw new Error(`${field}: must be above 0, got "${value}"`);
  return v;
}

/** ws:// and wss:// as KrakenD wants them; http(s):// read as the same host. */
function wsOrigin(host: string, i: number): string {
  let u: URL;
  try {
    u = new URL(host);
  } catch {
    throw new Error(`backend host ${i} "${host}" is not a URL: want ws://, wss://, http:// or https://`);
  }
  const scheme = { 'ws:': 'ws:', 'http:': 'ws:', 'wss:': 'wss:', 'https:': 'wss:' }[u.protocol];
  if (scheme === undefined) throw new Error(`backend host ${i} "${host}": want ws://, wss://, http:// or https://`);
  return `${scheme}//${u.host}`;
}

export function build(cfg: WebsocketConfig, env: BuildEnv): Stage {
  if (env.scope !== 'endpoint') throw new Error(`only allowed at endpoint level, not at ${env.scope} level`);
  if (cfg.enable_direct_communication !== true)
    throw new Error(
      'the multiplexed mode (enable_direct_communication false, KrakenD\'s default) is not implemented by Rampart: it needs KrakenD\'s message envelope in the backend; set "enable_direct_communication": true for a one-to-one proxy',
    );
  const ep = env.endpoint;
  if (ep.method !== 'GET') throw new Error(`a WebSocket handshake is a GET (RFC 6455 §4.1); the endpoint method is ${ep.method}`);
  if (ep.backends.length !== 1) throw new Error(`direct communication proxies to one backend; the endpoint has ${ep.backends.length}`);
  const backend = ep.backends[0];
  const origins = backend.hosts.map(wsOrigin);
  if (origins.length === 0) throw new Error('the backend has no host');
  // wss:// backends get the service's client_tls (trust, client certificates, versions, suites)
  // like every HTTPS backend, not Node's defaults: read once, here.
  const tls = origins.some((o) => o.startsWith('wss:')) ? upstreamConnectOptions(env.service.client.tls, env.service.client.allowInsecure) : {};
  const pongWait = ms(cfg.pong_wait, 60_000, 'pong_wait');
  const pingPeriod = ms(cfg.ping_period, 54_000, 'ping_period');
  if (pingPeriod >= pongWait)
    throw new Error(`ping_period (${cfg.ping_period ?? '54s'}) must be shorter than pong_wait (${cfg.pong_wait ?? '60s'}), or every connection times out`);
  const limits: RelayLimits = {
    maxMessageSize: cfg.max_message_size ?? 512,
    messageBuffer: cfg.message_buffer_size ?? 256,
    writeWaitMs: ms(cfg.write_wait, 10_000, 'write_wait'),
    pongWaitMs: pongWait,
    pingPeriodMs: pingPeriod,
    backendIdleMs: ms(cfg.timeout, 300_000, 'timeout'),
    returnErrorDetails: cfg.return_error_details === true,
  };
  for (const f of ['connect_event', 'disconnect_event'] as const)
    if (cfg[f] === true) env.log.warn({ at: env.pointer }, `websocket ${f} belongs to the multiplexed mode: no effect in direct communication`);
  if (cfg.max_retries !== undefined || cfg.backoff_strategy !== undefined)
    env.log.warn(
      { at: env.pointer },
      'websocket max_retries/backoff_strategy: Rampart does not reconnect a direct connection; the client is closed when its backend goes',
    );
  const buildPath = compileUrlTemplate(backend.urlPattern);
  const upstreamHeaders = compileUpstreamHeaders(cfg.input_headers ?? []);
  const allowedProtocols = new Set(cfg.subprotocols ?? []);
  const chosen = new WeakMap<IncomingMessage, string>();
  const server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: limits.maxMessageSize,
    handleProtocols: (_offered, req) => chosen.get(req) ?? false,
  });
  const live = new Set<Relay>();
  let rr = Math.floor(Math.random() * origins.length);

  function connect(input: CallInput, ticket: UpgradeTicket): Promise<BackendResult> {
    const { req } = input.ctx;
    const built = buildPath({ params: input.params, claims: input.ctx.claims });
    if (built === UNSAFE_VALUE) return Promise.resolve(errorResult(UNSAFE));
    if (built === undefined) return Promise.resolve(errorResult(NO_VALUE));
    const origin = origins[rr++ % origins.length];
    const url = origin + built + (input.query ? (built.includes('?') ? '&' : '?') + input.query : '');
    const protocols = offeredProtocols(req.headers['sec-websocket-protocol'], allowedProtocols);
    return new Promise<BackendResult>((resolve) => {
      const upstream = new WebSocket(url, protocols, {
        ...tls,
        headers: upstreamHeaders(input.headers, req.rawHeaders),
        maxPayload: limits.maxMessageSize,
        perMessageDeflate: false,
        followRedirects: false,
        handshakeTimeout: ep.timeoutMs,
      });
      let settled = false;
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        input.signal.removeEventListener('abort', onAbort);
        upstream.terminate();
        resolve(errorResult(new GatewayError('websocket.backend_failed', `websocket backend ${origin}: ${why}`)));
      };
      const onAbort = (): void => fail('no handshake within the endpoint timeout');
      input.signal.addEventListener('abort', onAbort, { once: true });
      upstream.on('error', (err) => fail(err.message));
      upstream.once('open', () => {
        if (settled) return void upstream.terminate();
        settled = true;
        input.signal.removeEventListener('abort', onAbort);
        // What the backend sends before the client's handshake is done waits (runRelay resumes).
        upstream.pause();
        const { socket, head } = ticket;
        if (socket.destroyed) {
          upstream.terminate();
          return resolve(dataResult({}, true));
        }
        // From here the socket carries WebSocket frames: the gateway must not write its answer
        // on it. Detached first, the response can be destroyed without touching the socket.
        const res = input.ctx.res;
        res.detachSocket(socket as Socket);
        res.destroy();
        if (upstream.protocol) chosen.set(req, upstream.protocol);
        socket.once('close', () => {
          if (upstream.readyState === WebSocket.OPEN && !relayed) upstream.close(1001);
        });
        let relayed = false;
        server.handleUpgrade(req, socket, head, (client) => {
          relayed = true;
          const relay = runRelay(client, upstream, limits, () => live.delete(relay));
          live.add(relay);
        });
        resolve(dataResult({}, true));
      });
    });
  }

  return {
    around:
      (_next: BackendHandler): BackendHandler =>
      (input) => {
        const ticket = takeUpgrade(input.ctx.req);
        if (ticket === undefined) return Promise.resolve(errorResult(NOT_AN_UPGRADE));
        const h = input.ctx.req.headers;
        if (h['sec-websocket-version'] !== '13' || !KEY.test(h['sec-websocket-key'] ?? '')) return Promise.resolve(errorResult(BAD_HANDSHAKE));
        return connect(input, ticket);
      },
    close() {
      for (const r of live) r.shutdown();
      server.close();
    },
  };
}
