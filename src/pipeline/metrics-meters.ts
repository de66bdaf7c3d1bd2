// Where `telemetry/metrics` measures (KrakenD's krakend-metrics names):
//   router   krakend.router.response.<endpoint>.status.<code>.count, …<endpoint>.time (ms) and
//            …<endpoint>.size (bytes written, headers included), per route pattern; a request
//            that matched no route counts under one label, `__unrouted`, so a scan of undeclared
//            paths adds one series, not one per path;
//   proxy    krakend.proxy.requests.layer.pipe.name.<endpoint>.complete.<b>.error.<b> and
//            krakend.proxy.latency.layer.pipe.name.<endpoint>.complete.<b>.error.<b> (ms);
//   backend  the same with layer.backend and the backend's url_pattern as the name.
// Every name is built from the config (patterns, statuses), never from request data.
import type { Counter, Histogram, StatsRegistry } from '../observability/stats.js';
import { completeOf, failureOf } from '../core/backend-result.js';
import type { CallTap } from './call-tap.js';

export const UNROUTED = '__unrouted';

export class EndpointMeter {
  private readonly byStatus = new Map<number, Counter>();
  readonly time: Histogram;
  readonly size: Histogram;

  constructor(
    private readonly stats: StatsRegistry,
    private readonly label: string,
  ) {
    this.time = stats.histogram(`krakend.router.response.${label}.time`);
    this.size = stats.histogram(`krakend.router.response.${label}.size`);
  }

  status(code: number): Counter {
    let c = this.byStatus.get(code);
    if (!c) this.byStatus.set(code, (c = this.stats.counter(`krakend.router.response.${this.label}.status.${code}.count`)));
    return c;
  }
}

/** A tap counting and timing every call by its completeness and error. */
export function proxyMeter(stats: StatsRegistry, layer: 'pipe' | 'backend', name: string): CallTap<number> {
  const cells: { n: Counter; t: Histogram }[] = [];
  for (const complete of [false, true]) {
    for (const error of [false, true]) {
      const suffix = `layer.${layer}.name.${name}.complete.${complete}.error.${error}`;
      cells[(complete ? 2 : 0) + (error ? 1 : 0)] = {
        n: stats.counter(`krakend.proxy.requests.${suffix}`),
        t: stats.histogram(`krakend.proxy.latency.${suffix}`),
      };
    }
  }
  return {
    start: () => performance.now(),
    end(t0, _input, r) {
      const cell = cells[(completeOf(r) ? 2 : 0) + (failureOf(r) ? 1 : 0)];
      cell.n.n++;
      cell.t.record(performance.now() - t0);
    },
  };
}
