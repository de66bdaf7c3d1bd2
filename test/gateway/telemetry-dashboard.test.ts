// examples/telemetry.json and examples/grafana-dashboard.json (issue #15): the example config runs,
// and every panel's PromQL, run by a real Prometheus server scraping the gateway's exporter,
// parses and (for the traffic panels) returns data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend } from '../helpers/backend.js';
import { ROOT, startGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';
import { startPrometheus } from '../helpers/prometheus.js';

test('the example telemetry config serves metrics every dashboard panel can query', async () => {
  const be = await startBackend();
  const cfg = JSON.parse(readFileSync(join(ROOT, 'examples', 'telemetry.json'), 'utf8'));
  const promPort = await freePort();
  cfg.host = [be.origin];
  cfg.extra_config['telemetry/metrics'].listen_address = `127.0.0.1:${await freePort()}`;
  cfg.extra_config['telemetry/opentelemetry'].exporters.prometheus[0].port = promPort;
  cfg.extra_config['telemetry/opentelemetry'].exporters.otlp[0].port = await freePort();
  const gw = await startGateway(cfg);
  const prom = await startPrometheus([`127.0.0.1:${promPort}`]);
  try {
    const dash = JSON.parse(readFileSync(join(ROOT, 'examples', 'grafana-dashboard.json'), 'utf8'));
    // Prometheus is scraping the exporter before the traffic starts.
    await prom.waitFor('up', (r) => r.length === 1 && r[0].value[1] === '1');
    const deadline = Date.now() + 4000;
    while (Date.now() < deadline) {
      await http(gw.port, 'GET', '/demo');
      await http(gw.port, 'GET', '/users/1');
      await http(gw.port, 'GET', '/missing');
      await sleep(50);
    }
    const empty: string[] = [];
    for (const p of dash.panels) {
      const expr = String(p.targets[0].expr)
        .replace(/\$service/g, '.*')
        .replace(/\$__rate_interval/g, '30s');
      const r = await prom.query(expr); // throws when Prometheus refuses the expression
      if (r.length === 0) empty.push(p.title);
    }
    // Only the error panels may be empty (no backend failed).
    assert.deepEqual(
      empty.filter((t) => !/error/i.test(t)),
      [],
      `panels without data: ${empty.join(', ')}`,
    );
    const svc = await prom.query('count by (service_name) (http_server_duration_count)');
    assert.deepEqual(
      svc.map((s) => s.metric.service_name),
      ['rampart-demo'],
    );
  } finally {
    await prom.stop();
    await gw.stop();
    await be.close();
  }
});
