// Every way in which the KrakenD CE suite is adapted before it runs against Rampart lives in this
// file, as explicit tables. See test/conformance/README.md for the prose version.
//
//   NOT_YET_IMPLEMENTED    extra_config namespaces stripped from the config (any level)
//   REMOVED_ENDPOINTS      endpoints dropped from the config (they need the public Internet)
//   VENDOR_SUBSTITUTIONS   KrakenD-branded expectations rewritten to Rampart's
//   EXPECTED_FAILURES      specs that must fail until a capability exists
//
// Plus mechanical rewrites that change no behaviour (and telemetry/metrics' :8090 becomes an
// ephemeral loopback port):
//   - addresses: `localhost:8080`, `127.0.0.1:8080` (the gateway) and `127.0.0.1:8081` (the mock)
//     are rewritten to the ports actually used, in the config AND in the specs, and `port: 8080`
//     becomes the gateway port;
//   - backend-level `timeout` keys are deleted (KrakenD ignores them and the official schema does
//     not allow them; Rampart's loader refuses unknown fields).

export const KRAKEND_GATEWAY_PORT = 8080;
export const KRAKEND_BACKEND_PORT = 8081;

/** extra_config namespace -> why it is stripped. Applied at service, endpoint and backend level. */
export const NOT_YET_IMPLEMENTED: Readonly<Record<string, string>> = {};

/**
 * endpoint path -> why it is removed from the adapted config. `whileStripped`: removed only as long
 * as that namespace is in NOT_YET_IMPLEMENTED (the endpoint cannot load without it).
 */
export const REMOVED_ENDPOINTS: Readonly<Record<string, { reason: string; whileStripped?: string }>> = {
  '/show/{id}': { reason: 'backends use `encoding: rss` against http://showrss.info/ (public Internet; spec `rss`)' },
  '/lua/modify_response/fail': { reason: 'backend is http://www.mocky.io (public Internet); no spec calls it' },
  '/lua/modify_response/success': { reason: 'backend is http://www.mocky.io (public Internet); no spec calls it' },
};

function isRemoved(path: string): boolean {
  const entry = REMOVED_ENDPOINTS[path];
  if (entry === undefined) return false;
  return entry.whileStripped === undefined || entry.whileStripped in NOT_YET_IMPLEMENTED;
}

export type VendorSubstitution =
  | { kind: 'text'; from: string; to: string; why: string }
  | { kind: 'header-rename'; from: string; to: string; why: string }
  | { kind: 'header-absent'; name: string; why: string }
  | { kind: 'forbid-header-prefix'; prefix: string; why: string };

/** Applied to the `out` part of every spec (never to `in`). */
export function vendorSubstitutions(rampartVersion: string): readonly VendorSubstitution[] {
  return [
    {
      kind: 'text',
      from: 'KrakenD Version 2.13.8',
      to: `Rampart Version ${rampartVersion}`,
      why: "Rampart's backend User-Agent / X-Forwarded-Via value (in echoed bodies and header values)",
    },
    {
      kind: 'header-rename',
      from: 'X-Krakend-Completed',
      to: 'X-Rampart-Completed',
      why: 'Rampart names its completion header after itself',
    },
    {
      kind: 'header-absent',
      name: 'X-Krakend',
      why: 'Rampart deliberately sends no version header to clients',
    },
    {
      kind: 'forbid-header-prefix',
      prefix: 'X-Krakend',
      why: 'Rampart never claims to be KrakenD: no response may carry an X-Krakend* header (checked on every spec)',
    },
  ];
}

/** spec name -> why it is expected to fail. A listed spec that passes fails the run. */
export const EXPECTED_FAILURES: Readonly<Record<string, string>> = {
  rss: 'needs the public Internet (showrss.info); its endpoint is removed from the config (the rss decoder itself is tested against local feeds in test/gateway/compat-encodings.test.ts)',
};

// ---------------------------------------------------------------------------------------------
// Address rewriting
// ---------------------------------------------------------------------------------------------

export interface Ports {
  gateway: number;
  backend: number;
}

const ADDRESS_RE = /\b(localhost|127\.0\.0\.1):(8080|8081)\b/g;

/** Rewrites `localhost:8080`, `127.0.0.1:8080` and `127.0.0.1:8081` (one pass, no chaining). */
export function rewriteAddresses(s: string, ports: Ports): string {
  return s.replace(ADDRESS_RE, (_m, host: string, port: string) => {
    const p = Number(port) === KRAKEND_GATEWAY_PORT ? ports.gateway : ports.backend;
    return `${host}:${p}`;
  });
}

/** Applies `fn` to every string value (not object keys) inside a JSON value. */
export function mapStrings(v: unknown, fn: (s: string) => string): unknown {
  if (typeof v === 'string') return fn(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, fn));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = mapStrings(x, fn);
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Config adaptation
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface ConfigAdaptation {
  config: Json;
  /** Human-readable log of what was changed. */
  notes: string[];
}

function stripNamespaces(node: unknown, where: string, notes: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((x, i) => {
      const label =
        isObject(x) && typeof x.endpoint === 'string' ? `endpoint ${typeof x.method === 'string' ? x.method : 'GET'} ${x.endpoint}` : `${where}[${i}]`;
      stripNamespaces(x, label, notes);
    });
    return;
  }
  if (!isObject(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'extra_config' && isObject(v)) {
      for (const ns of Object.keys(v)) {
        if (ns in NOT_YET_IMPLEMENTED) {
          delete v[ns];
          notes.push(`stripped ${ns} at ${where}`);
        }
      }
    }
    const child = k === 'endpoints' ? '' : k === 'backend' ? `${where} backend` : `${where}.${k}`;
    stripNamespaces(v, child, notes);
  }
}

function isLocalHost(host: string): boolean {
  return /^https?:\/\/(127\.0\.0\.1|localhost)(:[0-9]+)?\/?$/.test(host);
}

/** Produces the config Rampart runs. Throws if the fixture no longer matches the tables. */
export function adaptConfig(original: Json, ports: Ports): ConfigAdaptation {
  const notes: string[] = [];
  const config = mapStrings(original, (s) => rewriteAddresses(s, ports)) as Json;
  if (config.port !== KRAKEND_GATEWAY_PORT) throw new Error(`fixture config: expected port ${KRAKEND_GATEWAY_PORT}, got ${String(config.port)}`);
  config.port = ports.gateway;
  // telemetry/metrics listens on :8090 in the fixture: an ephemeral loopback port instead, so a
  // run never collides with anything on 8090 (no spec reads /__stats).
  const extra = isObject(config.extra_config) ? config.extra_config : undefined;
  const metrics = extra && isObject(extra['telemetry/metrics']) ? extra['telemetry/metrics'] : undefined;
  if (metrics) {
    metrics.listen_address = '127.0.0.1:0';
    notes.push('telemetry/metrics listen_address -> 127.0.0.1:0');
  }
  notes.push(`port ${KRAKEND_GATEWAY_PORT} -> ${ports.gateway}; backend 127.0.0.1:${KRAKEND_BACKEND_PORT} -> 127.0.0.1:${ports.backend}`);

  const endpoints = config.endpoints;
  if (!Array.isArray(endpoints)) throw new Error('fixture config: no endpoints array');
  const seen = new Set<string>();
  config.endpoints = endpoints.filter((e: unknown) => {
    const path = isObject(e) && typeof e.endpoint === 'string' ? e.endpoint : '';
    if (path in REMOVED_ENDPOINTS) seen.add(path);
    if (isRemoved(path)) {
      notes.push(`removed endpoint ${path}: ${REMOVED_ENDPOINTS[path].reason}`);
      return false;
    }
    return true;
  });
  for (const path of Object.keys(REMOVED_ENDPOINTS)) {
    if (!seen.has(path)) throw new Error(`REMOVED_ENDPOINTS lists ${path}, which the fixture config does not have`);
  }

  (config.endpoints as unknown[]).forEach((e, i) => {
    if (!isObject(e) || !Array.isArray(e.backend)) return;
    e.backend.forEach((b: unknown, j: number) => {
      if (!isObject(b)) return;
      if ('timeout' in b) {
        notes.push(`deleted backend timeout ${JSON.stringify(b.timeout)} at ${String(e.endpoint)} backend[${j}] (ignored by KrakenD)`);
        delete b.timeout;
      }
      const hosts = Array.isArray(b.host) ? b.host : [];
      for (const h of hosts) {
        if (typeof h !== 'string' || !isLocalHost(h)) {
          throw new Error(`endpoint #${i} ${String(e.endpoint)} still uses the non-local host ${String(h)}; add it to REMOVED_ENDPOINTS`);
        }
      }
      if (b.encoding === 'rss') throw new Error(`endpoint ${String(e.endpoint)} uses encoding rss; add it to REMOVED_ENDPOINTS`);
    });
  });

  stripNamespaces(config, 'service', notes);
  return { config, notes };
}

// ---------------------------------------------------------------------------------------------
// Spec adaptation
// ---------------------------------------------------------------------------------------------

export interface SpecIn {
  method?: string;
  url: string;
  header?: Record<string, string>;
  body?: unknown;
}

export interface SpecOut {
  status_code?: number;
  header?: Record<string, string[]>;
  body?: unknown;
  schema?: Record<string, unknown>;
}

export interface Spec {
  name: string;
  in: SpecIn;
  out: SpecOut;
  error?: string;
  /** Response header prefixes that must not appear at all (vendor rule). */
  forbiddenHeaderPrefixes: string[];
}

/** Parses one spec file's JSON (name = file name without .json) and checks its shape. */
export function parseSpec(name: string, raw: unknown): Spec {
  if (!isObject(raw)) throw new Error(`${name}: spec is not an object`);
  const inp = raw.in;
  const out = raw.out;
  if (!isObject(inp) || typeof inp.url !== 'string') throw new Error(`${name}: missing in.url`);
  if (!isObject(out)) throw new Error(`${name}: missing out`);
  if (inp.header !== undefined && (!isObject(inp.header) || Object.values(inp.header).some((v) => typeof v !== 'string'))) {
    throw new Error(`${name}: in.header must map names to strings`);
  }
  if (
    out.header !== undefined &&
    (!isObject(out.header) || Object.values(out.header).some((v) => !Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string')))
  ) {
    throw new Error(`${name}: out.header must map names to non-empty arrays of strings`);
  }
  return {
    name,
    in: inp as unknown as SpecIn,
    out: out as unknown as SpecOut,
    error: typeof raw.error === 'string' ? raw.error : undefined,
    forbiddenHeaderPrefixes: [],
  };
}

/** Rewrites addresses in `in` and `out`, then applies the vendor substitutions to `out`. */
export function adaptSpec(spec: Spec, ports: Ports, subs: readonly VendorSubstitution[]): Spec {
  const addr = (s: string): string => rewriteAddresses(s, ports);
  const inp = mapStrings(spec.in, addr) as SpecIn;
  const out: SpecOut = { ...spec.out };
  if (out.body !== undefined) out.body = mapStrings(out.body, addr);
  let header: Record<string, string[]> | undefined = out.header === undefined ? undefined : (mapStrings(out.header, addr) as Record<string, string[]>);
  const forbidden: string[] = [];

  for (const sub of subs) {
    switch (sub.kind) {
      case 'text': {
        const f = (s: string): string => s.split(sub.from).join(sub.to);
        if (out.body !== undefined) out.body = mapStrings(out.body, f);
        if (header !== undefined) header = mapStrings(header, f) as Record<string, string[]>;
        break;
      }
      case 'header-rename':
        if (header !== undefined) {
          const next: Record<string, string[]> = {};
          for (const [k, v] of Object.entries(header)) next[k.toLowerCase() === sub.from.toLowerCase() ? sub.to : k] = v;
          header = next;
        }
        break;
      case 'header-absent':
        if (header !== undefined) {
          for (const k of Object.keys(header)) if (k.toLowerCase() === sub.name.toLowerCase()) header[k] = [''];
        }
        break;
      case 'forbid-header-prefix':
        forbidden.push(sub.prefix);
        break;
    }
  }
  if (header !== undefined) out.header = header;
  return { ...spec, in: inp, out, forbiddenHeaderPrefixes: forbidden };
}
