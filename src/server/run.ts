// `rampart run` in the process that serves: a single process, or one of the N stateless workers
// of a node:cluster (primary.ts forks them; they share the port).
import cluster from 'node:cluster';
import type { ServiceConfig } from '../config/types.js';
import { createLogger, type Logger } from '../observability/logger.js';
import type { WorkerReport } from './primary.js';

export interface RunOptions {
  debug: boolean;
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
  if (cluster.isWorker) process.send?.({ rampart: 'ready', port: running.port } satisfies WorkerReport);
}

/** Serves `cfg` in this process: a single-process gateway, or one worker of a cluster (primary.ts). */
export async function run(cfg: ServiceConfig, opts: RunOptions): Promise<void> {
  await serveInThisProcess(cfg, createLogger(), opts);
}
