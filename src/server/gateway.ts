// The compiled gateway: route table + endpoint plans + the gateway's own routes, and the one
// function node:http calls per request (handle-request.ts). Built once from a ServiceConfig;
// immutable afterwards.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceConfig } from '../config/types.js';
import { anyConnectionDetail } from '../config/normalize-otel.js';
import { accessLogWriter, type Logger } from '../observability/logger.js';
import { compileEndpoint } from '../pipeline/compile-endpoint.js';
import { runEndpoint } from '../pipeline/run-endpoint.js';
import { UpstreamPools } from '../proxy/upstream-pools.js';
import { RouteTable } from '../router/route-table.js';
import { compileClientIp } from '../net/client-ip.js';
import type { Stage } from '../core/request.js';
import { createSecurityLog } from '../observability/security-events.js';
import { StatsRegistry } from '../observability/stats.js';
import { EndpointMeter, UNROUTED } from '../pipeline/metrics-meters.js';
import type { Telemetry } from '../observability/otel/telemetry.js';
import { ConfigError, Problems } from '../core/config-error.js';
import { buildStages, compileServicePhases } from '../pipeline/build-stages.js';
import type { ResponsePlan } from '../pipeline/respond.js';
import { SharedRegistry } from './shared-resources.js';
import { compileMissAnswers, debugRoute, echoRoute, healthRoute, type RouteHandler } from './builtin-routes.js';
import { compileRequestHandler, type GatewayPlan } from './handle-request.js';
import { compileUpgradeHandler, type UpgradeListener } from './handle-upgrade.js';

export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The 'upgrade' listener, when some endpoint declares `websocket` (server/handle-upgrade.ts). */
  readonly upgrade: UpgradeListener | undefined;
  close(): Promise<void>;
  /** telemetry/metrics: this process's registry (served by run.ts or the cluster primary). */
  readonly stats: StatsRegistry | undefined;
  /** telemetry/opentelemetry: this process's tracer, instruments and Prometheus text. */
  readonly telemetry: Telemetry | undefined;
}

/** Compiles the whole config into a gateway. Throws ConfigError with every build problem. */
export async function buildGateway(cfg: ServiceConfig, log: Logger, opts: { debug?: boolean; dryRun?: boolean } = {}): Promise<Gateway> {
  const dryRun = opts.dryRun === true;
  const timeConnections = cfg.otel !== undefined && anyConnectionDetail(cfg.otel, cfg.endpoints);
  const pools = new UpstreamPools(cfg.client, { dryRun, log, timeConnections });
  const table = new RouteTable<RouteHandler>(cfg.router);
  const shared = new SharedRegistry();
  const problems = new Problems();
  const stages: Stage[] = [];
  const security = createSecurityLog(log);
  const registry = cfg.metrics ? new StatsRegistry() : undefined;
  const stats = registry && cfg.metrics ? { registry, proxy: cfg.metrics.proxy, backend: cfg.metrics.backend } : undefined;
  // OpenTelemetry's SDK is imported only by configs that use it (it costs a start ~100 ms).
  const telemetry = cfg.otel ? await (await import('../observability/otel/telemetry.js')).startTelemetry(cfg.otel, { dryRun }) : undefined;
  const globalLayer = telemetry ? (await import('./otel-global.js')).compileGlobalLayer(telemetry, cfg.router, cfg.tls ? 'https' : 'http') : undefined;
  const routeOf = new WeakMap<RouteHandler, string>();
  const websocketRoutes = new Set<RouteHandler>();
  // Router metrics per route pattern, found from the matched handler (no lookup by path).
  const routerStats = registry && cfg.metrics?.router ? new WeakMap<RouteHandler, EndpointMeter>() : undefined;
  const unrouted = routerStats && registry ? new EndpointMeter(registry, UNROUTED) : undefined;
  const closeAll = async () => {
    await telemetry?.shutdown();
    await Promise.allSettled(stages.map((s) => s.close?.()));
    await shared.close();
    await pools.close();
  };

  const serviceStages = await buildStages(cfg.extra, { scope: 'service', pointer: '/extra_config', service: cfg, log, shared, dryRun }, problems);
  stages.push(...serviceStages.stages);
  const servicePhases = compileServicePhases(serviceStages.entries);
  const response: ResponsePlan = Object.freeze({ endpointHooks: null, serviceHooks: servicePhases.hooks, encode: undefined });
  const env = {
    pools,
    client: cfg.client,
    router: cfg.router,
    service: cfg,
    log,
    shared,
    problems,
    stages,
    dryRun,
    security,
    stats,
    telemetry,
    serviceHooks: servicePhases.hooks,
  };
  for (const ep of cfg.endpoints) {
    let plan;
    let h: RouteHandler;
    try {
      plan = await compileEndpoint(ep, env);
      const compiled = plan;
      h = (ctx) => runEndpoint(compiled, ctx);
      table.add(ep.method, ep.path, h);
      if (ep.extra.websocket !== undefined) websocketRoutes.add(h);
    } catch (err) {
      // One endpoint that cannot be compiled is a problem at its pointer; the others still build,
      // so `check` lists every problem (issue #18).
      problems.add(ep.pointer, (err as Error)?.message ?? String(err));
      continue;
    }
    if (routerStats && registry) routerStats.set(h, new EndpointMeter(registry, ep.path));
    routeOf.set(h, ep.path);
  }
  if (!problems.empty) {
    await closeAll();
    throw new ConfigError(cfg.file, problems.list);
  }
  if (!cfg.router.disableHealth) table.add('GET', cfg.router.healthPath, healthRoute(response, log));
  if (cfg.debugEndpoint || opts.debug) {
    const debug = debugRoute(response, log);
    table.addAll('/__debug', debug);
    table.addAll('/__debug/*', debug);
  }
  if (cfg.echoEndpoint) {
    const echo = echoRoute(response, log);
    table.addAll('/__echo', echo);
    table.addAll('/__echo/*', echo);
  }

  const plan: GatewayPlan = {
    table,
    clientIp: compileClientIp(cfg.router.trustedProxies, cfg.router.remoteIpHeaders),
    serviceGuards: servicePhases.runners[0],
    response,
    miss: compileMissAnswers(cfg, response, log),
    log,
    security,
    accessLog: cfg.router.disableAccessLog ? undefined : accessLogWriter(log),
    skipLog: new Set(cfg.router.loggerSkipPaths),
    routerStats,
    unrouted,
    globalLayer,
    routeOf,
  };
  const handle = compileRequestHandler(plan);
  const upgrade = websocketRoutes.size > 0 ? compileUpgradeHandler(plan, websocketRoutes) : undefined;
  return { handle, upgrade, close: closeAll, stats: registry, telemetry };
}
