// The node:cluster primary of `rampart run --workers N`. It serves no traffic: it forks the
// workers, restarts one that dies, drains them on SIGTERM/SIGINT and forwards SIGHUP.
//
// It forks before doing anything else, config validation included: every worker loads and
// validates the config itself (it must build its own gateway from it anyway), so validating
// it here first only delayed the forks (~100 ms of a start). A worker that cannot start sends
// its report over IPC and exits; the primary prints the first report once (not once per
// worker) and exits with the worker's code (1 for a bad config).
import cluster from 'node:cluster';
import type { LogSettings } from '../config/normalize-logging.js';
import type { MetricsSettings } from '../config/normalize-metrics.js';
import type { OtelSettings } from '../config/normalize-otel.js';
import type { InfluxSettings } from '../config/normalize-influx.js';
import type { Logger } from '../observability/logger.js';
import { installLimitCoordinator } from '../ratelimit/cluster-coordinator.js';
import { installBreakerCoordinator } from '../components/qos/circuit-breaker/node-coordinator.js';
import { startLimitShards, type LimitShards } from '../ratelimit/shard-supervisor.js';

export interface PrimaryOptions {
  workers: number;
  /** The config file, read after the forks for its `telemetry/logging` only. */
  file?: string;
}

/** What a worker sends its primary (see cli.ts and run.ts). */
export type WorkerReport = { rampart: 'ready'; port: number } | { rampart: 'warnings'; text: string } | { rampart: 'failed'; text: string };

/** The longest the primary's own start waits for its workers (a worker stuck in its start must
 * not leave the node without its logger and node-wide listeners). */
const START_QUIET_MS = 3000;

export async function runPrimary(opts: PrimaryOptions): Promise<void> {
  let stopping = false;
  let exitCode = 0;
  let ready = 0;
  let warned = false;
  let failureText: string | null = null;
  let log: Logger | null = null;
  // Node-wide in-memory rate limits: coordinator shards hold the buckets (one, in this process,
  // up to 16 workers), workers lease from them over Unix sockets (ratelimit/shard-*.ts). Up and
  // listening before the forks, so that a worker's first lease finds its shard.
  let shards: LimitShards;
  try {
    shards = await startLimitShards(opts.workers, {
      exited: (e) => log?.error(e, 'rate-limit shard exited; starting a new one (its buckets start full)'),
      restarted: (e) => log?.info(e, 'rate-limit shard restarted'),
    });
  } catch (err) {
    process.stderr.write(`rampart: ${(err as Error).message}
`);
    process.exit(2);
  }
  const fork = () => cluster.fork(shards.env);
  // The IPC coordinator: only for cluster workers without shard sockets (none of ours; kept as
  // the fallback and the bench baseline). Installed before the forks, small: no dependencies.
  installLimitCoordinator();
  // Circuit breakers, likewise per node: the primary holds each breaker, workers mirror it.
  installBreakerCoordinator();
  for (let i = 0; i < opts.workers; i++) fork();

  // The primary's own start (below) waits until the workers are ready, or one of them failed,
  // or START_QUIET_MS went by: its logger and config cost ~50-100 ms of CPU, which on a machine
  // with as many cores as workers would be taken from the workers' boot.
  let startQuiet!: () => void;
  const workersStarted = new Promise<void>((resolve) => (startQuiet = resolve));
  let listeningPort: number | undefined;
  cluster.on('message', (_w, msg: WorkerReport) => {
    switch (msg?.rampart) {
      case 'ready':
        listeningPort = msg.port;
        if (++ready === opts.workers) {
          startQuiet();
          log?.info({ port: msg.port, workers: opts.workers }, 'rampart listening (cluster)');
        }
        return;
      case 'warnings':
        // Every worker finds the same warnings in the same file: say them once.
        if (!warned) process.stderr.write(msg.text);
        warned = true;
        return;
      case 'failed':
        failureText ??= msg.text;
        return;
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    startQuiet();
    if (!stopping && ready === 0) {
      // A worker that dies before any became ready (a bad config, a port in use) would only
      // die again: stop everything and report the failure once.
      stopping = true;
      shards.stopping();
      exitCode = code || 2;
      // Written straight to stderr: the logger may not be loaded yet this early, and a failed
      // start must never end in silence.
      process.stderr.write(failureText ?? `rampart: a worker failed during start-up (exit code ${code ?? '-'}, signal ${signal ?? '-'})\n`);
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      log?.flush();
      setTimeout(() => process.exit(exitCode), 2000).unref();
      return;
    }
    if (stopping) return exitOnceNoWorkerLeft();
    log?.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting a new one');
    // Not once the node is stopping: under a process-group kill (systemd's default) an idle
    // worker can finish its drain and exit before the primary sees the same signal; a worker
    // forked after that would never be told to stop.
    setTimeout(() => stopping || fork(), 200);
  });
  const exitOnceNoWorkerLeft = () => {
    if (Object.keys(cluster.workers ?? {}).length > 0) return;
    if (exitCode === 0) log?.info('stopped');
    log?.flush();
    setImmediate(() => process.exit(exitCode));
  };
  const stop = (signal: string) => {
    // Installed with on(), not once(): a repeated signal must not kill the primary (and orphan
    // draining workers) by Node's default action; see run.ts.
    if (stopping) return;
    stopping = true;
    shards.stopping();
    log?.info({ signal }, 'draining workers');
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    // Every worker may already be gone (each got the signal too, and drained first).
    exitOnceNoWorkerLeft();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Certificate reload (tls): each worker re-reads its files (server/listen.ts). Without this
  // handler SIGHUP would terminate the primary.
  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });

  // The logger (pino) is loaded once the workers have started, and logs as the config's
  // telemetry/logging says (each worker validates the config and reports problems; a config the
  // primary cannot read leaves it on the default JSON lines).
  const quietTimer = setTimeout(startQuiet, START_QUIET_MS);
  await workersStarted;
  clearTimeout(quietTimer);
  const { createLogger } = await import('../observability/logger.js');
  let settings: LogSettings | undefined;
  let metrics: MetricsSettings | undefined;
  let otel: OtelSettings | undefined;
  let influx: InfluxSettings | undefined;
  if (opts.file) {
    try {
      const { loadConfigFile } = await import('../components/load-config.js');
      ({ logging: settings, metrics, otel, influx } = loadConfigFile(opts.file).config);
    } catch {
      settings = undefined;
    }
  }
  try {
    log = settings ? createLogger(settings) : createLogger();
  } catch (err) {
    // Syslog unavailable: the workers fail their start with the same reason.
    process.stderr.write(`rampart: ${(err as Error).message}\n`);
    log = createLogger();
  }
  if (ready === opts.workers) log.info({ port: listeningPort, workers: opts.workers }, 'rampart listening (cluster)');
  if (shards.count > 1) log.info({ shards: shards.count, shard_pids: shards.pids() }, 'rate-limit shards listening');
  // telemetry/opentelemetry's Prometheus exporters: one listener each for the node, merging the
  // workers' text per scrape.
  for (const p of otel?.prometheus.filter((x) => x.metrics) ?? []) {
    const { startPrometheusServer, collectNodeText } = await import('../observability/otel/prometheus.js');
    try {
      const server = await startPrometheusServer(p.host, p.port, collectNodeText);
      log.info({ exporter: p.name, host: p.host, port: server.port }, 'prometheus exporter listening (GET /metrics, node-wide)');
    } catch (err) {
      process.stderr.write(`rampart: ${(err as Error).message}\n`);
      stop('SIGTERM');
      exitCode = 2;
    }
  }
  // telemetry/influx: the node's snapshot, pushed by the primary (the workers push nothing).
  if (influx && metrics) {
    const [{ startInfluxReporter }, { collectNodeStats }] = await Promise.all([
      import('../observability/influx-reporter.js'),
      import('../observability/stats-cluster.js'),
    ]);
    startInfluxReporter(influx, collectNodeStats, log);
  }
  // telemetry/metrics: one listener for the node; each refresh merges every worker's snapshot.
  if (metrics?.serve) {
    const [{ startStatsServer }, { collectNodeStats }] = await Promise.all([
      import('../observability/stats-server.js'),
      import('../observability/stats-cluster.js'),
    ]);
    try {
      const server = await startStatsServer(metrics.host, metrics.port, metrics.collectionMs, collectNodeStats);
      log.info({ host: metrics.host, port: server.port }, 'metrics listening (GET /__stats, node-wide)');
    } catch (err) {
      // As a worker failing to start: stop the node and say why.
      process.stderr.write(`rampart: ${(err as Error).message}\n`);
      stop('SIGTERM');
      exitCode = 2;
    }
  }
}
