// The common martian block, request-scope header and query modifiers in a fifo.Group, compiled
// into one synchronous rewrite of the flat upstream request (Stage.rewriteUpstream), so the route
// keeps the direct path and no request is converted to martian's model and back (no URL parse,
// no header map). Same effect as the engine's steps (header.Modifier = Header.Set, header.Append
// = Header.Add, header.Blacklist = Header.Del, querystring.Modifier = Query().Set then Encode(),
// which sorts the keys); anything else (other modifiers, response scope, the Host header,
// priority groups) returns null and the component uses the engine as before. Called after
// compileMartian accepted the config, so names and values are already checked.
import type { UpstreamRequest } from '../../../core/backend-result.js';
import { encodeQuery, parseQuery } from '../../../modifiers/martian/go-url.js';

type HeaderOp = { kind: 'set' | 'add'; name: string; value: string } | { kind: 'del'; names: string[] };
interface Plan {
  headers: HeaderOp[];
  query: [string, string][];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a node runs on requests: no scope is both; an explicit one must name "request". */
function onRequest(p: Record<string, unknown>): boolean {
  return p.scope === undefined || (Array.isArray(p.scope) && p.scope.includes('request'));
}

/** Adds the node's request effects to the plan; false when it cannot be flattened. */
function walk(node: unknown, plan: Plan, depth: number): boolean {
  if (!isObject(node) || depth > 8) return false;
  const keys = Object.keys(node);
  if (keys.length !== 1) return false;
  const name = keys[0];
  const p = node[name];
  if (!isObject(p)) return false;
  // Response effects mean response hooks: not a plain request rewrite.
  if (p.scope === undefined || (Array.isArray(p.scope) && p.scope.includes('response'))) return false;
  if (!onRequest(p)) return true;
  switch (name) {
    case 'fifo.Group':
      return Array.isArray(p.modifiers) && p.modifiers.every((m) => walk(m, plan, depth + 1));
    case 'header.Modifier':
    case 'header.Append': {
      if (typeof p.name !== 'string') return false;
      const n = p.name.toLowerCase();
      if (n === 'host') return false;
      plan.headers.push({ kind: name === 'header.Append' ? 'add' : 'set', name: n, value: typeof p.value === 'string' ? p.value : '' });
      return true;
    }
    case 'header.Blacklist': {
      if (!Array.isArray(p.names) || !p.names.every((x) => typeof x === 'string')) return false;
      const names = (p.names as string[]).map((x) => x.toLowerCase());
      if (names.includes('host')) return false;
      plan.headers.push({ kind: 'del', names });
      return true;
    }
    case 'querystring.Modifier':
      if (typeof p.name !== 'string') return false;
      plan.query.push([p.name, typeof p.value === 'string' ? p.value : '']);
      return true;
    default:
      return false;
  }
}

function applyHeaders(flat: readonly string[], ops: readonly HeaderOp[]): string[] {
  let h = flat.slice();
  for (const op of ops) {
    if (op.kind === 'add') {
      h.push(op.name, op.value);
      continue;
    }
    const drop = op.kind === 'del' ? op.names : [op.name];
    const kept: string[] = [];
    for (let i = 0; i < h.length; i += 2) if (!drop.includes(h[i])) kept.push(h[i], h[i + 1]);
    if (op.kind === 'set') kept.push(op.name, op.value);
    h = kept;
  }
  return h;
}

/** The rewrite for a martian config, or null when it is not only request header/query edits. */
export function compileFlatRewrite(config: unknown): ((up: UpstreamRequest) => UpstreamRequest) | null {
  const plan: Plan = { headers: [], query: [] };
  if (!walk(config, plan, 0)) return null;
  const { headers: ops, query } = plan;
  return (up) => {
    let path = up.path;
    if (query.length > 0) {
      const at = path.indexOf('?');
      const q = parseQuery(at < 0 ? '' : path.slice(at + 1));
      for (const [k, v] of query) q.set(k, [v]);
      path = (at < 0 ? path : path.slice(0, at)) + '?' + encodeQuery(q);
    }
    return { ...up, path, headers: ops.length > 0 ? applyHeaders(up.headers, ops) : up.headers };
  };
}
