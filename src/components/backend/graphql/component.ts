// `backend/graphql` runtime: the backend call becomes a GraphQL operation, as lura's GraphQL
// middleware (proxy/graphql.go) does it.
// - The document (`query`, or the file `query_path`, read once at startup, relative to the
//   config file) and `operationName` come from the config only: a client can never send a
//   document of its own.
// - `type: query`: the variables are the configured ones, a string value that is exactly
//   "{name}" replaced by that URL parameter (first letter case-insensitive, "" when absent, as
//   lura); the client's body is dropped.
// - `type: mutation`: the variables are the client's JSON object body, the configured ones
//   filling in the names it lacks (no placeholders, as lura); a body that is not a JSON object is
//   refused with 400.
// - `method` POST (default): JSON body {query, operationName?, variables?}. GET: the same as
//   the query parameters query, operationName, variables (JSON); client query parameters of
//   those names are dropped first (lura appends, so a forwarded `query` would come first).
import { statSync } from 'node:fs';
import { assertMayRead, readFileSync } from '../../../core/config-files.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { GatewayError } from '../../../core/gateway-error.js';
import { errorResult, type CallInput, type UpstreamRequest } from '../../../core/backend-result.js';
import { backendEnv, type BuildEnv, type Stage } from '../../types.js';
import { withHeader } from '../../modifier/template-input.js';
import type { GraphqlConfig } from './schema.js';

/** The largest query_path file read. */
const MAX_QUERY_FILE = 1024 * 1024;
const BAD_BODY = new GatewayError('backend.bad_body', 'a GraphQL mutation needs a JSON object body', 400);
const RESERVED = new Set(['query', 'operationName', 'variables']);

interface Operation {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

function readQuery(cfg: GraphqlConfig, configFile: string): string {
  if (cfg.query !== undefined) return cfg.query;
  const file = cfg.query_path as string;
  const path = isAbsolute(file) ? file : resolve(dirname(configFile), file);
  assertMayRead(); // `check --lint` reads no file the config names
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new Error(`query_path: cannot read ${JSON.stringify(file)}`);
  }
  if (size > MAX_QUERY_FILE) throw new Error(`query_path: ${JSON.stringify(file)} is larger than 1 MiB`);
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') throw new Error(`query_path: ${JSON.stringify(file)} is empty`);
  return text;
}

/** "{id}" -> "Id": lura title-cases the first letter, as it does the endpoint's parameters. */
const titled = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function paramValue(params: Record<string, string>, name: string): string {
  const want = titled(name);
  for (const k in params) if (titled(k) === want) return params[k];
  return '';
}

/** What a JSON encoder of lura's GraphQLRequest writes: empty variables are omitted. */
function operation(query: string, operationName: string | undefined, variables: Record<string, unknown>): Operation {
  const op: Operation = { query };
  if (operationName) op.operationName = operationName;
  if (Object.keys(variables).length > 0) op.variables = variables;
  return op;
}

function asQueryString(op: Operation): string {
  const q = new URLSearchParams();
  q.set('query', op.query);
  if (op.operationName !== undefined) q.set('operationName', op.operationName);
  if (op.variables !== undefined) q.set('variables', JSON.stringify(op.variables));
  return q.toString();
}

/** The path with the client's query, less the names GraphQL reads, and the operation's. */
function withOperationQuery(path: string, op: Operation): string {
  const qi = path.indexOf('?');
  const base = qi < 0 ? path : path.slice(0, qi);
  const kept = new URLSearchParams(qi < 0 ? '' : path.slice(qi + 1));
  for (const name of RESERVED) kept.delete(name);
  const rest = kept.toString();
  return `${base}?${rest ? `${rest}&` : ''}${asQueryString(op)}`;
}

export function build(cfg: GraphqlConfig, env: BuildEnv): Stage {
  const { service } = backendEnv(env);
  const query = readQuery(cfg, service.file);
  const mutation = cfg.type.toLowerCase() === 'mutation';
  const get = (cfg.method ?? 'POST').toUpperCase() === 'GET';
  const defaults = cfg.variables ?? {};
  const placeholders: [string, string][] = [];
  for (const [k, v] of Object.entries(defaults)) {
    if (typeof v === 'string' && v.length > 1 && v.startsWith('{') && v.endsWith('}')) placeholders.push([k, v.slice(1, -1)]);
  }
  const fixed = !mutation && placeholders.length === 0 ? operation(query, cfg.operationName, defaults) : undefined;
  const fixedBody = fixed && Buffer.from(JSON.stringify(fixed));

  function variablesOf(up: UpstreamRequest, input: CallInput): Record<string, unknown> | undefined {
    if (!mutation) {
      const vars: Record<string, unknown> = { ...defaults };
      for (const [k, name] of placeholders) vars[k] = paramValue(input.params, name);
      return vars;
    }
    let body: unknown;
    try {
      body = JSON.parse(up.body === null ? '' : up.body.toString('utf8'));
    } catch {
      return undefined;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const vars = body as Record<string, unknown>;
    for (const [k, v] of Object.entries(defaults)) if (!Object.prototype.hasOwnProperty.call(vars, k)) vars[k] = v;
    return vars;
  }

  return {
    onUpstreamRequest(up, input) {
      let op = fixed;
      if (op === undefined) {
        const vars = variablesOf(up, input);
        if (vars === undefined) return errorResult(BAD_BODY);
        op = operation(query, cfg.operationName, vars);
      }
      const headers = withHeader(up.headers, 'content-type', 'application/json');
      if (get) return { ...up, method: 'GET', path: withOperationQuery(up.path, op), headers, body: null, chunked: false };
      const body = op === fixed && fixedBody ? fixedBody : Buffer.from(JSON.stringify(op));
      return { ...up, method: 'POST', headers, body, chunked: false };
    },
  };
}
