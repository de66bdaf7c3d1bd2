// What a config change opens or closes (issue #15, `rampart surface --diff OLD`): endpoints added
// or removed, callers no longer (or newly) required, client headers, query strings and cookies
// that start (or stop) reaching backends, limits and filters dropped or added, CORS origins and
// backend hosts. Each change says whether it widens the surface ("opens") or narrows it.
import type { EndpointSurface, Surface } from './model.js';

export interface Change {
  endpoint: string;
  effect: 'opens' | 'closes';
  what: string;
}

const added = <T>(a: readonly T[], b: readonly T[]) => b.filter((x) => !a.includes(x));

function compare(old: EndpointSurface, now: EndpointSurface, out: Change[]): void {
  const key = now.key;
  const push = (effect: Change['effect'], what: string) => out.push({ endpoint: key, effect, what });
  const callers = (e: EndpointSurface) => e.callers.map((c) => `${c.kind}: ${c.detail}`);
  if (old.callers.length && !now.callers.length) push('opens', 'no authentication any more: anyone may call it');
  for (const c of added(callers(now), callers(old))) if (now.callers.length) push('opens', `caller rule dropped: ${c}`);
  for (const c of added(callers(old), callers(now))) push('closes', `caller rule added: ${c}`);
  for (const h of added(old.headers, now.headers))
    push('opens', h === '*' ? 'every client header reaches the backends' : `client header ${h} reaches the backends`);
  // Names dropped in favour of "*" still reach the backends.
  if (!now.headers.includes('*')) for (const h of added(now.headers, old.headers)) push('closes', `client header ${h} no longer forwarded`);
  for (const q of added(old.query, now.query)) push('opens', q === '*' ? 'every query string reaches the backends' : `query string ${q} reaches the backends`);
  if (!now.query.includes('*')) for (const q of added(now.query, old.query)) push('closes', `query string ${q} no longer forwarded`);
  if (old.cookies === 'none' && now.cookies !== 'none') push('opens', `cookies reach the backends (${now.cookies})`);
  if (old.cookies !== 'none' && now.cookies === 'none') push('closes', 'cookies no longer forwarded');
  for (const l of added(now.limits, old.limits)) push('opens', `limit removed: ${l}`);
  for (const l of added(old.limits, now.limits)) push('closes', `limit added: ${l}`);
  for (const f of added(now.filters, old.filters)) push('opens', `filter removed: ${f}`);
  for (const f of added(old.filters, now.filters)) push('closes', `filter added: ${f}`);
  for (const o of added(old.corsOrigins, now.corsOrigins)) push('opens', `CORS origin allowed: ${o}`);
  for (const o of added(now.corsOrigins, old.corsOrigins)) push('closes', `CORS origin no longer allowed: ${o}`);
  const hosts = (e: EndpointSurface) => [...new Set(e.backends.flatMap((b) => b.hosts.map((h) => `${h}${b.urlPattern}`)))];
  for (const h of added(hosts(old), hosts(now))) push('opens', `reaches backend ${h}`);
  for (const h of added(hosts(now), hosts(old))) push('closes', `no longer reaches ${h}`);
}

export function diffSurfaces(old: Surface, now: Surface): Change[] {
  const out: Change[] = [];
  const before = new Map(old.endpoints.map((e) => [e.key, e]));
  const after = new Map(now.endpoints.map((e) => [e.key, e]));
  for (const [k, e] of after) {
    const o = before.get(k);
    if (!o) out.push({ endpoint: k, effect: 'opens', what: `new endpoint${e.callers.length ? '' : ', open to anyone'}` });
    else compare(o, e, out);
  }
  for (const k of before.keys()) if (!after.has(k)) out.push({ endpoint: k, effect: 'closes', what: 'endpoint removed' });
  // A change every common endpoint shows (a service-level CORS origin, a service limit) is one
  // change of the service.
  const common = [...after.keys()].filter((k) => before.has(k));
  if (common.length > 1) {
    const groups = new Map<string, Change[]>();
    for (const c of out) groups.set(`${c.effect}\0${c.what}`, [...(groups.get(`${c.effect}\0${c.what}`) ?? []), c]);
    for (const [, g] of groups) {
      if (g.length !== common.length || !common.every((k) => g.some((c) => c.endpoint === k))) continue;
      for (const c of g) out.splice(out.indexOf(c), 1);
      out.push({ endpoint: '(every endpoint)', effect: g[0].effect, what: g[0].what });
    }
  }
  if (old.listener !== now.listener) out.push({ endpoint: '(listener)', effect: 'opens', what: `listener ${old.listener} → ${now.listener}` });
  if (old.tls !== now.tls) out.push({ endpoint: '(listener)', effect: now.tls === 'plain HTTP' ? 'opens' : 'closes', what: `${old.tls} → ${now.tls}` });
  return out;
}
