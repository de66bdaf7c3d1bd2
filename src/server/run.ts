// `rampart run` in the process that serves: a single process, or one of the N stateless workers
// of a node:cluster (primary.ts forks them; they share the port).
import cluster from 'node:cluster';
import type { ServiceConfig } from '../config/types.js';
import { createLogger, type Logger } from '../observability/logger.js';
import type { WorkerReport } from './primary.js';
import type { Gateway } from './gateway.js';
import type { StatsServer } from '../observability/stats-server.js';
import type { PrometheusServer } from '../observability/otel/prometheus.js';
import { capYoungGeneration } from './young-generation.js';

export interface RunOptions {
  debug: boolean;
  port?: number;
}

async function serveInThisProcess(cfg: ServiceConfig, log: Logger, opts: RunOptions): Promise<void> {
  // Before the gateway allocates anything: the young generation of a serving process stays at
  // 2 x 8 MiB instead of V8's 2 x 16 MiB (young-generation.ts says why and what it cost).
  capYoungGeneration();
  // Imported here, not at the top: a cluster primary serves nothing, and the gateway's modules
  // (undici, the router, the pipeline) would only delay its forks.
  const [{ buildGateway }, { listen }] = await Promise.all([import('./gateway.js'), import('./listen.js')]);
  const gateway = await buildGateway(cfg, log, { debug: opts.debug });
  const running = await listen(cfg, gateway, log, opts.port);
  const stats = await serveStats(cfg, gateway, log);
  const prometheus = await servePrometheus(cfg, gateway, log);
  log.info({ port: running.port, endpoints: cfg.endpoints.length }, 'rampart listening');
  log.flush();
  let draining = false;
  const stop = async (signal: string) => {
    // The handlers stay installed: a second signal (the cluster primary forwards the one that a
    // process-group kill or systemd already sent here) would otherwise take Node's default action
    // and end the drain, dropping in-flight requests and unwritten log lines. The drain is bounded
    // by max_shutdown_wait_time; SIGKILL remains the way to cut it short.
    if (draining) return void log.info({ signal }, 'already draining; signal ignored');
    draining = true;
    log.info({ signal }, 'draining in-flight requests');
    await running.shutdown();
    await stats?.close();
    await Promise.all(prometheus.map((p) => p.close()));
    await gateway.close();
    log.info('stopped');
    log.flush();
    setImmediate(() => process.exit(0));
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  if (cluster.isWorker) process.send?.({ rampart: 'ready', port: running.port } satisfies WorkerReport);
}

/** telemetry/metrics: a single process serves its own /__stats; a worker answers the primary,
 * which serves the node's (primary.ts). */
async function serveStats(cfg: ServiceConfig, gateway: Gateway, log: Logger): Promise<StatsServer | undefined> {
  const m = cfg.metrics;
  const registry = gateway.stats;
  if (!m || !registry) return undefined;
  if (cluster.isWorker) {
    const { answerStatsRequests } = await import('../observability/stats-cluster.js');
    answerStatsRequests(registry);
    return undefined;
  }
  if (cfg.influx) {
    const { startInfluxReporter } = await import('../observability/influx-reporter.js');
    startInfluxReporter(cfg.influx, () => registry.snapshot(), log);
  }
  if (!m.serve) return undefined;
  const { startStatsServer } = await import('../observability/stats-server.js');
  const server = await startStatsServer(m.host, m.port, m.collectionMs, () => registry.snapshot());
  log.info({ host: m.host, port: server.port }, 'metrics listening (GET /__stats)');
  return server;
}

/** telemetry/opentelemetry's Prometheus exporters: as serveStats, one listener per exporter. */
async function servePrometheus(cfg: ServiceConfig, gateway: Gateway, log: Logger): Promise<PrometheusServer[]> {
  const text = gateway.telemetry?.prometheusText;
  if (!cfg.otel || !text) return [];
  const { answerPrometheusRequests, startPrometheusServer } = await import('../observability/otel/prometheus.js');
  if (cluster.isWorker) {
    answerPrometheusRequests(text);
    return [];
  }
  const out: PrometheusServer[] = [];
  for (const p of cfg.otel.prometheus.filter((x) => x.metrics)) {
    const server = await startPrometheusServer(p.host, p.port, text);
    log.info({ exporter: p.name, host: p.host, port: server.port }, 'prometheus exporter listening (GET /metrics)');
    out.push(server);
  }
  return out;
}

/** Serves `cfg` in this process: a single-process gateway, or one worker of a cluster (primary.ts). */
export async function run(cfg: ServiceConfig, opts: RunOptions): Promise<void> {
  await serveInThisProcess(cfg, createLogger(cfg.logging), opts);
}
