// `rampart run`: one process, or a node:cluster primary with N stateless workers sharing the
// port. The primary never serves traffic; it starts, restarts and drains workers.
import cluster from 'node:cluster';
import type { ServiceConfig } from '../config/types.js';
import { createLogger, type Logger } from '../observability/logger.js';

export interface RunOptions {
  debug: boolean;
  workers: number;
  port?: number;
}

async function serveInThisProcess(cfg: ServiceConfig, log: Logger, opts: RunOptions): Promise<void> {
  // Imported here, not at the top: a cluster primary serves nothing, and the gateway's modules
  // (undici, the router, the pipeline) would only delay its forks.
  const [{ buildGateway }, { listen }] = await Promise.all([import('./gateway.js'), import('./listen.js')]);
  const gateway = await buildGateway(cfg, log, { debug: opts.debug });
  const running = await listen(cfg, gateway, log, opts.port);
  log.info({ port: running.port, endpoints: cfg.endpoints.length }, 'rampart listening');
  log.flush();
  const stop = async (signal: string) => {
    log.info({ signal }, 'draining in-flight requests');
    await running.shutdown();
    await gateway.close();
    log.info('stopped');
    log.flush();
    setImmediate(() => process.exit(0));
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  if (cluster.isWorker) process.send?.({ rampart: 'ready', port: running.port });
}

async function runPrimary(cfg: ServiceConfig, log: Logger, opts: RunOptions): Promise<void> {
  // Node-wide in-memory rate limits: the primary holds the buckets, workers lease from it.
  // Imported here, before any fork: a single process never needs it.
  const { installLimitCoordinator } = await import('../ratelimit/cluster-coordinator.js');
  installLimitCoordinator();
  let stopping = false;
  let exitCode = 0;
  const fork = () => cluster.fork();
  for (let i = 0; i < opts.workers; i++) fork();
  let ready = 0;
  cluster.on('message', (_w, msg: { rampart?: string; port?: number }) => {
    if (msg?.rampart === 'ready' && ++ready === opts.workers) log.info({ port: msg.port, workers: opts.workers }, 'rampart listening (cluster)');
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping && ready === 0) {
      // A worker that dies before any became ready (e.g. a config its build refused) would
      // only die again: stop everything and report failure.
      stopping = true;
      exitCode = code || 2;
      log.error({ code, signal }, 'worker failed during start-up');
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      log.flush();
      setTimeout(() => process.exit(exitCode), 2000).unref();
      return;
    }
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log.info('stopped');
        log.flush();
        setImmediate(() => process.exit(exitCode));
      }
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting a new one');
    setTimeout(fork, 200);
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining workers');
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Certificate reload (tls): each worker re-reads its files (server/listen.ts). Without this
  // handler SIGHUP would terminate the primary.
  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });
}

export async function run(cfg: ServiceConfig, opts: RunOptions): Promise<void> {
  const log = createLogger();
  if (opts.workers > 1 && cluster.isPrimary) return runPrimary(cfg, log, opts);
  await serveInThisProcess(cfg, log, opts);
}
