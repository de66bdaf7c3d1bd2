// The rewrites of `rampart migrate`, one per deliberate refusal of Rampart's (README "Deliberate
// differences", the refusals in the config checks). Each either writes what Rampart accepts with
// the same effect as in KrakenD, or writes the safe form and says what a person must decide.
// They work on the raw document (it does not load yet), in a fixed order.
import { createHash } from 'node:crypto';
import { serviceSchema } from '../config/schema.js';
import { LEGACY_NAMESPACES } from '../config/krakend-namespaces.js';
import { COMPONENTS_BY_NAMESPACE } from '../components/registry.js';
import type { Scope } from '../core/request.js';
import { durationOfNanos, fixDurations } from './durations.js';
import type { MigrationReport } from './report.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const esc = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

interface Place {
  readonly scope: Scope;
  readonly pointer: string;
  readonly holder: Json;
}

/** The service, every endpoint and every backend, with their pointers. */
function places(doc: Json): Place[] {
  const out: Place[] = [{ scope: 'service', pointer: '', holder: doc }];
  const eps = Array.isArray(doc.endpoints) ? doc.endpoints : [];
  eps.forEach((ep, i) => {
    if (!isObj(ep)) return;
    out.push({ scope: 'endpoint', pointer: `/endpoints/${i}`, holder: ep });
    const bs = Array.isArray(ep.backend) ? ep.backend : [];
    bs.forEach((b, j) => {
      if (isObj(b)) out.push({ scope: 'backend', pointer: `/endpoints/${i}/backend/${j}`, holder: b });
    });
  });
  return out;
}

const extraOf = (p: Place): Json | undefined => (isObj(p.holder.extra_config) ? p.holder.extra_config : undefined);

function legacyNames(doc: Json, r: MigrationReport): void {
  for (const p of places(doc)) {
    const x = extraOf(p);
    if (!x) continue;
    for (const key of Object.keys(x)) {
      const short = LEGACY_NAMESPACES[key];
      if (!short || short in x) continue;
      x[short] = x[key];
      delete x[key];
      r.change(`${p.pointer}/extra_config/${esc(key)}`, `legacy namespace name → "${short}" (KrakenD reads both)`);
    }
  }
}

/** Backend `timeout`: lura replaces it with the endpoint's; Rampart's per-backend bound is qos/backend-timeout. */
function backendTimeout(doc: Json, r: MigrationReport): void {
  for (const p of places(doc)) {
    if (p.scope !== 'backend' || !('timeout' in p.holder)) continue;
    const t = p.holder.timeout;
    delete p.holder.timeout;
    const x = (p.holder.extra_config = extraOf(p) ?? {});
    const at = `${p.pointer}/extra_config/qos~1backend-timeout`;
    if (x['qos/backend-timeout'] !== undefined) {
      r.change(`${p.pointer}/timeout`, 'removed: the backend already has qos/backend-timeout');
      continue;
    }
    x['qos/backend-timeout'] = { timeout: typeof t === 'number' ? t : String(t) };
    r.decide(
      `${p.pointer}/timeout`,
      `moved to ${at} (numbers are converted below)`,
      'KrakenD ignored a backend "timeout" (the endpoint timeout applies); in qos/backend-timeout it now bounds this backend: keep it only if it is shorter than the endpoint timeout and meant',
    );
  }
}

function namespaceDurations(doc: Json, r: MigrationReport): void {
  fixDurations(serviceSchema as never, doc, '', () => undefined, r);
  for (const p of places(doc)) {
    const x = extraOf(p);
    if (!x) continue;
    for (const [ns, value] of Object.entries(x)) {
      const schema = COMPONENTS_BY_NAMESPACE.get(ns)?.schemas[p.scope];
      if (schema) fixDurations(schema as never, value, `${p.pointer}/extra_config/${esc(ns)}`, (s) => (x[ns] = s), r);
    }
  }
}

/** Plain API keys → their SHA-256 digests (salt‖key, hex), as auth/api-keys `hash: "sha256"` reads them. */
function apiKeys(doc: Json, r: MigrationReport): void {
  const x = isObj(doc.extra_config) ? doc.extra_config : undefined;
  const cfg = x?.['auth/api-keys'];
  if (!isObj(cfg) || !Array.isArray(cfg.keys)) return;
  const at = '/extra_config/auth~1api-keys';
  const hash = typeof cfg.hash === 'string' ? cfg.hash : 'plain';
  if (hash === 'fnv128' || hash === 'sha1') {
    r.decide(
      `${at}/hash`,
      'left as it is',
      `"${hash}" digests cannot be turned into SHA-256 ones: recover or re-issue the keys, store sha256(salt+key) in hex with "hash": "sha256"`,
    );
    return;
  }
  if (hash !== 'plain' || cfg.allow_plain_keys === true) return;
  const salt = typeof cfg.salt === 'string' ? cfg.salt : '';
  let n = 0;
  for (const k of cfg.keys) {
    if (!isObj(k) || typeof k.key !== 'string') continue;
    k.key = createHash('sha256').update(salt).update(k.key).digest('hex');
    n++;
  }
  cfg.hash = 'sha256';
  r.change(at, `${n} plain key(s) replaced by their SHA-256 digests (salt kept); clients send the same keys as before, the config no longer holds them`);
}

function cors(doc: Json, r: MigrationReport): void {
  for (const p of places(doc)) {
    const c = extraOf(p)?.['security/cors'];
    if (!isObj(c)) continue;
    const at = `${p.pointer}/extra_config/security~1cors`;
    if (Array.isArray(c.allow_origins) && c.allow_origins.includes('null')) {
      c.allow_origins = c.allow_origins.filter((o) => o !== 'null');
      r.decide(
        `${at}/allow_origins`,
        'the "null" origin removed',
        'any sandboxed page or file: document sends Origin "null"; there is no safe way to allow it',
      );
    }
    const origins = Array.isArray(c.allow_origins) ? c.allow_origins : [];
    if (c.allow_credentials === true && (origins.length === 0 || origins.includes('*'))) {
      c.allow_credentials = false;
      r.decide(
        `${at}/allow_credentials`,
        'true → false (every origin was allowed with credentials)',
        'list the origins that may send cookies or Authorization in allow_origins (e.g. "https://app.example.com") and set allow_credentials back to true, or keep credentials off',
      );
    }
  }
}

/** A limit with no rate: KrakenD runs none for it; removing it keeps that. */
function zeroLimits(doc: Json, r: MigrationReport): void {
  for (const p of places(doc)) {
    const x = extraOf(p);
    if (!x) continue;
    for (const ns of ['qos/ratelimit/router', 'qos/ratelimit/service', 'qos/ratelimit/proxy']) {
      const l = x[ns];
      if (!isObj(l)) continue;
      const rate = Number(l.max_rate ?? 0);
      const client = ns === 'qos/ratelimit/proxy' ? 0 : Number(l.client_max_rate ?? 0);
      if (rate > 0 || client > 0) continue;
      delete x[ns];
      r.change(`${p.pointer}/extra_config/${esc(ns)}`, 'removed: every rate is 0, so KrakenD applies no limit here (same behaviour)');
    }
  }
}

function wildcards(doc: Json, r: MigrationReport): void {
  if (!Array.isArray(doc.endpoints)) return;
  const kept: unknown[] = [];
  doc.endpoints.forEach((ep, i) => {
    if (isObj(ep) && typeof ep.endpoint === 'string' && ep.endpoint.includes('*')) {
      r.decide(
        `/endpoints/${i}`,
        `endpoint "${ep.endpoint}" removed (later endpoints move up one place)`,
        `Rampart declares every path: list the sub-paths "${ep.endpoint}" should serve as endpoints with {params} (e.g. "${ep.endpoint.replace(/\/?\*.*$/, '')}/{id}")`,
      );
    } else kept.push(ep);
  });
  doc.endpoints = kept;
}

function serviceFlags(doc: Json, r: MigrationReport): void {
  if (doc.disable_rest === true) {
    delete doc.disable_rest;
    r.decide('/disable_rest', 'removed', 'Rampart always checks endpoint and url_pattern syntax: `rampart check` names any path that needed disable_rest');
  }
  if (doc.use_h2c === true) {
    delete doc.use_h2c;
    r.decide('/use_h2c', 'removed', 'cleartext HTTP/2 is not served: clients use HTTP/1.1, or HTTP/2 over TLS (declare "tls")');
  }
  for (const block of ['tls', 'client_tls']) {
    const t = doc[block];
    if (!isObj(t)) continue;
    for (const f of ['min_version', 'max_version']) {
      if (t[f] === 'SSL3.0' || t[f] === 'TLS10' || t[f] === 'TLS11') {
        const was = String(t[f]);
        t[f] = 'TLS12';
        r.decide(`/${block}/${f}`, `"${was}" → "TLS12" (TLS before 1.2 is obsolete, RFC 8996)`, 'peers that only speak TLS 1.0/1.1 can no longer connect');
      }
    }
  }
}

export function migrateDocument(doc: Json, r: MigrationReport): Json {
  legacyNames(doc, r);
  backendTimeout(doc, r);
  namespaceDurations(doc, r);
  apiKeys(doc, r);
  cors(doc, r);
  zeroLimits(doc, r);
  wildcards(doc, r);
  serviceFlags(doc, r);
  return doc;
}

export { durationOfNanos };
