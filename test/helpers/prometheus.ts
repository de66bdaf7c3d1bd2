// A real Prometheus server (Debian's `prometheus`, installed by scripts/ci-deps.sh) for tests:
// scrapes the given targets every 500 ms; `query` asks its HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis.js';

export interface PrometheusServer {
  port: number;
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Polls `promql` until `ok` holds for its result (or throws after `ms`). */
  waitFor(
    promql: string,
    ok: (r: { metric: Record<string, string>; value: [number, string] }[]) => boolean,
    ms?: number,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  output(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: string[]): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-prom-'));
  const port = await freePort();
  const config = `global:\n  scrape_interval: 500ms\n  scrape_timeout: 400ms\nscrape_configs:\n  - job_name: rampart\n    static_configs:\n      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]\n`;
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const proc: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const query = async (promql: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const j = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (j.status !== 'success') throw new Error(`prometheus query failed: ${JSON.stringify(j)}`);
    return j.data.result;
  };
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/-/ready`);
      if (r.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (proc.exitCode !== null) throw new Error(`prometheus exited:\n${out}`);
    await sleep(100);
  }
  return {
    port,
    query,
    async waitFor(promql, ok, ms = 15_000) {
      const deadline = Date.now() + ms;
      let last: { metric: Record<string, string>; value: [number, string] }[] = [];
      while (Date.now() < deadline) {
        last = await query(promql);
        if (ok(last)) return last;
        await sleep(250);
      }
      throw new Error(`prometheus: ${promql} never satisfied the condition; last result ${JSON.stringify(last)}`);
    },
    output: () => out,
    stop: () => new Promise<void>((r) => (proc.exitCode !== null ? r() : (proc.once('exit', () => r()), proc.kill('SIGTERM')))),
  };
}
