// Builds the KrakenD-v3 config Rampart is benchmarked with, and the list of routes the harness drives.
// To benchmark a new feature (JWT, CORS, rate limit, ...), add one entry to `benchRoutes` below: the
// harness turns every route into its own row ("rampart <id> wN") in every scenario.

export interface KrakendBackend {
  host: string[];
  url_pattern: string;
  encoding?: string;
  method?: string;
  extra_config?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface KrakendEndpoint {
  endpoint: string;
  method?: string;
  output_encoding?: string;
  backend: KrakendBackend[];
  extra_config?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface BenchRoute {
  /** Short id used in the row name, e.g. "plain". */
  id: string;
  /** One-line description printed in BENCHMARKS.md. */
  description: string;
  /** Path the load generator requests on the gateway. */
  path: string;
  /** Extra request headers the load generator sends (e.g. Authorization for a JWT route). */
  headers?: Record<string, string>;
  /** Status the correctness check expects before the route is benchmarked (default 200). */
  expectStatus?: number;
  /** Whether the response body must equal the origin's (byte-identical or same JSON value; default true). */
  checkBody?: boolean;
  /** The KrakenD endpoint object for this route. */
  endpoint: KrakendEndpoint;
}

export interface RampartConfigInput {
  port: number;
  /** Origin base URL, e.g. http://127.0.0.1:9000 */
  origin: string;
}

/** Every route Rampart is benchmarked on. Add new ones here. */
export function benchRoutes(origin: string): BenchRoute[] {
  return [
    {
      id: 'plain',
      description: 'raw forwarding: `output_encoding: no-op` + backend `encoding: no-op` (peer of the minimal proxy)',
      path: '/plain',
      endpoint: {
        endpoint: '/plain',
        method: 'GET',
        output_encoding: 'no-op',
        backend: [{ host: [origin], url_pattern: '/', encoding: 'no-op' }],
      },
    },
    {
      id: 'json',
      description: 'default `json` encoding: the backend body is parsed and re-encoded',
      path: '/json',
      endpoint: {
        endpoint: '/json',
        method: 'GET',
        backend: [{ host: [origin], url_pattern: '/' }],
      },
    },
  ];
}

/** The whole Rampart (KrakenD v3) config for the benchmark. */
export function buildRampartConfig(input: RampartConfigInput): { config: Record<string, unknown>; routes: BenchRoute[] } {
  const routes = benchRoutes(input.origin);
  const config: Record<string, unknown> = {
    version: 3,
    name: 'rampart-bench',
    port: input.port,
    listen_ip: '127.0.0.1',
    timeout: '5s',
    endpoints: routes.map((r) => r.endpoint),
  };
  return { config, routes };
}
