// Compiles one endpoint into its frozen plan: guards (params, body limit) and response hooks,
// forwarding (headers, query), the backend merge, static data, flatmap and the encoder. The
// per-request code that runs a plan is run-endpoint.ts.
import type { SharedResources, Stage } from '../components/types.js';
import type { Problems } from '../core/config-error.js';
import type { Logger } from '../observability/logger.js';
import type { SecurityLog } from '../observability/security-events.js';
import type { StatsRegistry } from '../observability/stats.js';
import { proxyMeter } from './metrics-meters.js';
import { tapAround, type CallTap } from './call-tap.js';
import type { Telemetry } from '../observability/otel/telemetry.js';
import { backendFlags, proxyFlags, type RawOtelOverride } from '../config/normalize-otel.js';
import { buildStages, compilePhases, wrapAll, type GuardRunner } from './build-stages.js';
import type { EndpointConfig, RouterOptions, ServiceConfig, UpstreamClientOptions } from '../config/types.js';
import { compileHeaderFilter, type HeaderFilterInfo } from '../proxy/forward-headers.js';
import { compileQueryFilter, type QueryFilter } from '../proxy/forward-query.js';
import type { UpstreamPools } from '../proxy/upstream-pools.js';
import { compileFlatmap } from '../shaping/flatmap.js';
import { compileBackend, withConcurrentCalls, type DirectBackend } from './compile-backend.js';
import { parallelMerge, sequentialMerge } from './merge.js';
import { compileRenderer } from './render.js';
import { compileStatic } from './static-data.js';
import { withBackendHooks } from './backend-hooks.js';
import { withGoJsonHooks } from './go-json-hooks.js';
import type { BackendHandler, BackendResult } from '../core/backend-result.js';
import type { DirectExchange } from './direct-call.js';
import type { ProxyAnswerPlan } from './answer-of-result.js';
import type { HookList, ResponsePlan } from './respond.js';
import type { RequestContext } from '../core/request.js';

/** Answers one routed request; returns a promise only when part of the work is asynchronous in
 * JS (guards, body, merged backends); errors in that promise are the gateway's to report. */
export type EndpointHandler = (ctx: RequestContext) => void | Promise<void>;

export interface EndpointCompileEnv {
  pools: UpstreamPools;
  client: UpstreamClientOptions;
  router: RouterOptions;
  service: ServiceConfig;
  log: Logger;
  shared: SharedResources;
  problems: Problems;
  stages: Stage[];
  dryRun: boolean;
  security: SecurityLog;
  /** The service level's response hooks (they run after the endpoint's on every answer). */
  serviceHooks: HookList;
  /** telemetry/opentelemetry, when on. */
  telemetry: Telemetry | undefined;
  /** telemetry/metrics, when on: the registry and which layers it measures. */
  stats: { registry: StatsRegistry; proxy: boolean; backend: boolean } | undefined;
}

/** Everything one endpoint's requests need, computed once. */
export interface EndpointPlan extends ProxyAnswerPlan {
  /** The route pattern (security events, logs). */
  readonly route: string;
  /** Guards before the body is read (edge, authenticate, admit) and after (validate). */
  readonly preBody: GuardRunner | null;
  readonly postBody: GuardRunner | null;
  /** Number of guards in preBody (a 413 refuses the request between the two). */
  readonly preBodyGuards: number;
  readonly maxPayload: number;
  readonly timeoutMs: number;
  readonly disablePathDecoding: boolean;
  readonly headerFilter: HeaderFilterInfo;
  readonly queryFilter: QueryFilter | null;
  /** The merged backends with static data and the endpoint's wrappers. */
  readonly proxy: BackendHandler;
  /** Backends with nothing around them (and the endpoint adds nothing around them either):
   * called and answered from undici's callbacks, without the promise chain of `proxy`. */
  readonly direct: readonly DirectBackend[] | null;
  /** The direct path's endpoint taps (telemetry), outermost first: started in order, ended in
   * reverse. With one backend, that backend's taps follow them here. */
  readonly directTaps: readonly CallTap[];
  /** One direct backend whose data is its JSON object unchanged, answered as `json` with no
   * response hook to see the data: its answer is written as the bytes canonicalGoJson makes of
   * the body when it can (no decoding and encoding), else as `direct`'s. Endpoint hooks that all
   * have a Go JSON bytes form (CompiledPhases.goJson) do their work on those bytes; such bytes
   * are answered through `bytesResponse` (the hooks' work done), a result through `response`. */
  readonly directJson: (DirectExchange<Buffer | BackendResult> & { readonly bytesResponse: ResponsePlan }) | null;
  /** With several direct backends: each backend's own taps (empty lists otherwise). */
  readonly directBackendTaps: readonly (readonly CallTap[])[];
  /** A hook reads whole bodies: no-op answers are buffered (bounded) before the hooks. */
  readonly bufferNoop: boolean;
  readonly response: ResponsePlan;
  readonly log: Logger;
  readonly security: SecurityLog;
}

const OTEL = 'telemetry/opentelemetry';

export async function compileEndpoint(ep: EndpointConfig, env: EndpointCompileEnv): Promise<EndpointPlan> {
  const base = { service: env.service, endpoint: ep, log: env.log, shared: env.shared, dryRun: env.dryRun };
  const endpointStages = await buildStages(ep.extra, { ...base, scope: 'endpoint', pointer: `${ep.pointer}/extra_config` }, env.problems);
  env.stages.push(...endpointStages.stages);
  // Telemetry taps, outermost first (OpenTelemetry's proxy layer, then the pipe meter): around
  // wrappers on the general path, callbacks on the direct path.
  const epTaps: CallTap[] = [];
  if (env.stats?.proxy) epTaps.push(proxyMeter(env.stats.registry, 'pipe', ep.path));
  // telemetry/opentelemetry: the endpoint's override of a layer replaces the service's settings.
  const epOtel = ep.extra[OTEL] as RawOtelOverride | undefined;
  const telemetry = env.telemetry && !env.telemetry.settings.skipPaths.has(ep.path) ? env.telemetry : undefined;
  if (epOtel && !env.telemetry)
    env.problems.add(
      `${ep.pointer}/extra_config/telemetry~1opentelemetry`,
      'an override without the service-level telemetry/opentelemetry does nothing: declare the service block (exporters) first',
    );
  refuseExportersOverride(epOtel, `${ep.pointer}/extra_config/telemetry~1opentelemetry`, env.problems);
  // Imported only by configs that use OpenTelemetry (the API and propagation are not free to load).
  const otelLayers = telemetry ? await import('./otel-layers.js') : undefined;
  if (telemetry && otelLayers) {
    const layer = otelLayers.otelProxyLayer(telemetry, ep, epOtel?.proxy ? proxyFlags(epOtel.proxy) : telemetry.settings.proxy);
    if (layer) epTaps.unshift(layer);
  }
  const phases = compilePhases(endpointStages.entries, [['edge', 'authenticate', 'admit'], ['validate']], 'endpointRefusedAt');
  // The gateway asks backends for gzip, as KrakenD (Go's transport) does, and undoes it. For a
  // no-op answer that undoing is bounded (see answer-of-result.ts): a client that accepts gzip
  // gets the bytes as the backend sent them, any other client gets them inflated.
  const disableCompression = env.client.disableCompression;
  const headerFilter = compileHeaderFilter(ep.inputHeaders, disableCompression);
  const addsGzip = !disableCompression && !(ep.inputHeaders.includes('*') || ep.inputHeaders.some((h) => h.toLowerCase() === 'accept-encoding'));
  const backendEnv = { pools: env.pools, client: env.client, addsGzip, chunkedBody: !headerFilter.forwardsContentLength };
  const compiled = [];
  for (const b of ep.backends) {
    const st = await buildStages(b.extra, { ...base, backend: b, scope: 'backend', pointer: `${b.pointer}/extra_config` }, env.problems);
    env.stages.push(...st.stages);
    // Backend-level response hooks run inside the backend handler, innermost (they see what the
    // backend answered before any wrapper counts or limits it).
    const hooked = withBackendHooks(st.entries, env.log);
    if (hooked) st.arounds.push(hooked);
    // The meter is the outermost backend wrapper: it sees what the endpoint gets from this backend.
    const bTaps: CallTap[] = [];
    if (env.stats?.backend) bTaps.push(proxyMeter(env.stats.registry, 'backend', b.urlPattern));
    const bOtel = (b.extra[OTEL] as RawOtelOverride | undefined)?.backend ?? epOtel?.backend;
    refuseExportersOverride(b.extra[OTEL], `${b.pointer}/extra_config/telemetry~1opentelemetry`, env.problems);
    if (b.extra[OTEL] && !env.telemetry)
      env.problems.add(
        `${b.pointer}/extra_config/telemetry~1opentelemetry`,
        'an override without the service-level telemetry/opentelemetry does nothing: declare the service block (exporters) first',
      );
    if (telemetry && otelLayers) {
      const layer = otelLayers.otelBackendLayer(telemetry, ep, b, bOtel ? backendFlags(bOtel) : telemetry.settings.backend);
      if (layer) bTaps.unshift(layer);
    }
    // websocket endpoints name ws:// or wss:// hosts (KrakenD); their HTTP handler is never
    // called (the websocket wrapper answers), but its pools want http(s).
    const http = ep.extra.websocket === undefined ? b : { ...b, hosts: b.hosts.map((h) => h.replace(/^ws(s?):/i, 'http$1:')) };
    const backend = await compileBackend(http, backendEnv, st.upstream);
    compiled.push({
      cfg: b,
      handler: withConcurrentCalls(wrapAll(backend.call, [...bTaps.map(tapAround), ...st.arounds]), ep.concurrentCalls),
      direct: st.arounds.length === 0 ? backend.direct : null,
      taps: bTaps,
    });
  }
  const main = compiled.filter((c) => !c.cfg.shadow).map((c) => c.handler);
  const shadows = compiled.filter((c) => c.cfg.shadow).map((c) => c.handler);
  // Static data belongs to the proxy (lura's static middleware), so endpoint `around`s and
  // response hooks (auth/signer) see it, as in KrakenD.
  const merged: BackendHandler = ep.sequential ? sequentialMerge(main, propagatesRaw(ep.extra)) : parallelMerge(main, shadows);
  const applyStatic = compileStatic(ep.staticData);
  const withStatic: BackendHandler = applyStatic ? async (input) => applyStatic(await merged(input)) : merged;
  const proxy: BackendHandler = wrapAll(withStatic, [...epTaps.map(tapAround), ...endpointStages.arounds]);
  const endpointHooks = phases.hooks;
  // The direct path: backends with nothing around them (no static data, no endpoint or backend
  // wrappers, no concurrent calls, no shadow, not sequential; a no-op backend also needs no
  // endpoint hook reading its body); taps (telemetry) do not count. Issue #20: the default JSON
  // route and merges take it too, which saves the general path's promise hops per backend.
  const directs = compiled.map((c) => c.direct);
  const direct =
    compiled.length > 0 &&
    directs.every((d) => d !== null) &&
    !compiled.some((c) => c.cfg.shadow) &&
    !ep.sequential &&
    ep.concurrentCalls <= 1 &&
    !applyStatic &&
    endpointStages.arounds.length === 0 &&
    !(phases.hooksNeedBody && directs.some((d) => d?.noop))
      ? (directs as DirectBackend[])
      : null;
  const one = direct !== null && direct.length === 1 ? direct[0] : null;
  const goJson = one?.finishGoJson;
  // Nothing between the backend's data and the json renderer: no response hook (it may read or
  // replace the data) unless every endpoint hook does its work on Go's bytes (masking), no
  // flatmap (several backends only), the default output encoding.
  const encode = await compileRenderer(ep.outputEncoding);
  const directJson =
    one !== null && goJson && ep.outputEncoding === 'json' && (endpointHooks === null || phases.goJson !== null) && env.serviceHooks === null
      ? {
          prepare: one.prepare,
          pools: one.pools,
          finish: phases.goJson !== null ? withGoJsonHooks(one, goJson, phases.goJson) : goJson,
          bytesResponse: Object.freeze({ endpointHooks: null, serviceHooks: null, encode }),
        }
      : null;
  const plan: EndpointPlan = {
    route: ep.path,
    preBody: phases.runners[0],
    postBody: phases.runners[1],
    preBodyGuards: phases.counts[0],
    maxPayload: ep.maxPayload,
    timeoutMs: ep.timeoutMs,
    disablePathDecoding: env.router.disablePathDecoding,
    returnErrorMsg: env.router.returnErrorMsg,
    addsGzip,
    headerFilter,
    queryFilter: compileQueryFilter(ep.inputQueryStrings),
    proxy,
    direct,
    directJson,
    directTaps: direct ? (direct.length === 1 ? [...epTaps, ...compiled[0].taps] : epTaps) : [],
    directBackendTaps: direct && direct.length > 1 ? compiled.map((c) => c.taps) : [],
    bufferNoop: phases.hooksNeedBody,
    flatmap: ep.flatmap && ep.flatmap.length > 0 && ep.backends.length > 1 ? compileFlatmap(ep.flatmap) : null,
    cacheControl: ep.cacheTtlS > 0 ? `public, max-age=${ep.cacheTtlS}` : undefined,
    response: Object.freeze({ endpointHooks, serviceHooks: env.serviceHooks, encode }),
    log: env.log,
    security: env.security,
  };
  return Object.freeze(plan);
}

/** KrakenD EE's exporters_override (another sample rate, reporting period or exporter subset
 * for one route) is refused: the server span starts before routing, so a per-route sample rate
 * could not apply to it, and Rampart encodes one batch for every exporter. */
function refuseExportersOverride(block: unknown, pointer: string, problems: Problems): void {
  if (block === null || typeof block !== 'object' || !('exporters_override' in block)) return;
  problems.add(
    `${pointer}/exporters_override`,
    'exporters_override (KrakenD EE) is not supported: every route uses the service-level exporters, trace_sample_rate and metric_reporting_period; remove it, or turn a layer off for this route with proxy/backend disable_metrics and disable_traces',
  );
}

/** A `respN` entry (a whole earlier answer) in proxy.sequential_propagated_params. */
function propagatesRaw(extra: Record<string, unknown>): boolean {
  const list = (extra.proxy as { sequential_propagated_params?: unknown } | undefined)?.sequential_propagated_params;
  return Array.isArray(list) && list.some((x) => typeof x === 'string' && /^resp\d+$/i.test(x));
}
