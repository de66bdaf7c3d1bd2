// The OpenAPI 3.1 document of a config's declared endpoints: one path per endpoint (its {params}
// as path parameters), one operation per method, the `documentation/openapi` metadata of the
// service (info, servers, tags, components) and of each endpoint (summary, description, tags,
// operation_id, parameter/query/header definitions, request and response definitions), and the
// security schemes of the components that authenticate each endpoint (security.ts).
import type { EndpointConfig, ServiceConfig } from '../config/types.js';
import { SecuritySchemes } from './security.js';

type Json = Record<string, unknown>;
const NS = 'documentation/openapi';
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** KrakenD's parameter types as JSON Schema (float and date-time are formats there). */
function schemaOf(d: Json): Json {
  const t = str(d.type) ?? 'string';
  const s: Json = t === 'float' ? { type: 'number', format: 'float' } : t === 'date-time' ? { type: 'string', format: 'date-time' } : { type: t };
  if (str(d.format)) s.format = d.format;
  if (Array.isArray(d.enum)) s.enum = d.enum;
  return s;
}

function parameter(d: Json, where: 'path' | 'query' | 'header', required: boolean): Json {
  const p: Json = { name: d.name, in: where, required: where === 'path' ? true : required, schema: schemaOf(d) };
  if (str(d.description)) p.description = d.description;
  if (d.example !== undefined) p.example = d.example;
  const ex = obj(d.examples);
  if (Object.keys(ex).length) p.examples = Object.fromEntries(Object.entries(ex).map(([k, v]) => [k, { value: v }]));
  return p;
}

/** A JSON Schema given inline, as JSON text, or by name among components_schemas. */
function mediaSchema(d: Json, what: string): Json | undefined {
  if (str(d.ref)) return { $ref: `#/components/schemas/${String(d.ref)}` };
  const s = d.example_schema;
  if (s === undefined) return undefined;
  if (typeof s !== 'string') return obj(s);
  try {
    return obj(JSON.parse(s));
  } catch {
    throw new Error(`${what}: example_schema is a string but not JSON`);
  }
}

function media(d: Json, what: string): Json {
  const m: Json = {};
  const schema = mediaSchema(d, what);
  if (schema) m.schema = schema;
  if (d.example !== undefined) m.example = d.example;
  const ex = obj(d.examples);
  if (Object.keys(ex).length) m.examples = Object.fromEntries(Object.entries(ex).map(([k, v]) => [k, { value: v }]));
  return m;
}

function operationId(ep: EndpointConfig): string {
  const path = ep.path
    .replace(/[{}]/g, '')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return `${ep.method.toLowerCase()}_${path || 'root'}`;
}

function operation(ep: EndpointConfig, security: SecuritySchemes, at: string): Json {
  const doc = obj(ep.extra[NS]);
  const op: Json = { operationId: str(doc.operation_id) ?? operationId(ep) };
  if (str(doc.summary)) op.summary = doc.summary;
  if (str(doc.description)) op.description = doc.description;
  if (Array.isArray(doc.tags) && doc.tags.length) op.tags = doc.tags;
  const params: Json[] = [];
  const declared = new Map(list(doc.param_definition).map((d) => [String(d.name), d]));
  for (const m of ep.path.matchAll(/\{([^{}]+)\}/g)) params.push(parameter(declared.get(m[1]) ?? { name: m[1] }, 'path', true));
  const queries = list(doc.query_definition);
  for (const d of queries) if (d.hide !== true) params.push(parameter(d, 'query', d.required === true));
  // Query strings the endpoint forwards but the metadata does not describe: listed, optional.
  const described = new Set(queries.map((d) => String(d.name)));
  for (const q of ep.inputQueryStrings) if (q !== '*' && !described.has(q)) params.push(parameter({ name: q }, 'query', false));
  for (const d of list(doc.header_definition)) if (d.hide !== true) params.push(parameter(d, 'header', d.required === true));
  if (params.length) op.parameters = params;
  const requests = list(doc.request_definition);
  if (requests.length)
    op.requestBody = { content: Object.fromEntries(requests.map((d, i) => [String(d.content_type), media(d, `${at}/request_definition/${i}`)])) };
  const responses: Json = {};
  if (doc.disable_default_response_definitions !== true) {
    responses['200'] = { description: 'Success' };
    responses['500'] = { description: 'Internal error' };
  }
  for (const [status, d0] of Object.entries(obj(doc.response_definition))) {
    if (/^[@$_#]/.test(status)) continue;
    const d = obj(d0);
    const r: Json = { description: str(d.description) ?? 'Response' };
    const m = media(d, `${at}/response_definition/${status}`);
    if (Object.keys(m).length || str(d.content_type)) r.content = { [str(d.content_type) ?? 'application/json']: m };
    responses[status] = r;
  }
  if (Object.keys(responses).length === 0) responses.default = { description: 'Response' };
  op.responses = responses;
  const keys = security.of(ep);
  op.security = keys.length ? [Object.fromEntries(keys.map((k) => [k, []]))] : [];
  return op;
}

/** Server URLs: `servers`, else `schemes` × `host` + `base_path`, else the base path alone. */
function servers(doc: Json): Json[] {
  const declared = list(doc.servers).filter((s) => typeof s.url === 'string');
  if (declared.length)
    return declared.map((s) => {
      const out: Json = { url: s.url };
      if (str(s.description)) out.description = s.description;
      const vars = obj(s.variables);
      if (Object.keys(vars).length)
        out.variables = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? { default: v } : { default: '', ...obj(v) }]));
      return out;
    });
  const base = str(doc.base_path) ?? '';
  const host = str(doc.host);
  if (!host) return base ? [{ url: base }] : [];
  const schemes = Array.isArray(doc.schemes) && doc.schemes.length ? doc.schemes.map(String) : ['http'];
  return schemes.map((s) => ({ url: `${s}://${host}${base}` }));
}

export interface OpenapiOptions {
  /** Keep only endpoints whose `audience` lists this value or `*` (KrakenD's `-a`). */
  readonly audience?: string;
}

export function buildOpenapi(cfg: ServiceConfig, opts: OpenapiOptions = {}): Json {
  const doc = obj(cfg.extra[NS]);
  const info: Json = { title: str(cfg.name) ?? 'API', version: str(doc.version) ?? '1.0.0' };
  if (str(doc.summary)) info.summary = doc.summary;
  if (str(doc.description)) info.description = doc.description;
  if (str(doc.terms_of_service)) info.termsOfService = doc.terms_of_service;
  const contact: Json = {};
  if (str(doc.contact_name)) contact.name = doc.contact_name;
  if (str(doc.contact_email)) contact.email = doc.contact_email;
  if (str(doc.contact_url)) contact.url = doc.contact_url;
  if (Object.keys(contact).length) info.contact = contact;
  if (str(doc.license_name)) info.license = { name: doc.license_name, ...(str(doc.license_url) ? { url: doc.license_url } : {}) };
  const security = new SecuritySchemes(cfg, { jwtKey: str(doc.jwt_key) ?? 'KrakenD-JWT', cookieKey: str(doc.cookie_name) ?? 'SESSIONID' });
  const paths: Record<string, Json> = {};
  for (const ep of cfg.endpoints) {
    const audience = obj(ep.extra[NS]).audience;
    if (opts.audience !== undefined && !(Array.isArray(audience) && (audience.includes(opts.audience) || audience.includes('*')))) continue;
    paths[ep.path] ??= {};
    paths[ep.path][ep.method.toLowerCase()] = operation(ep, security, `${ep.pointer}/extra_config/documentation~1openapi`);
  }
  const out: Json = { openapi: '3.1.0', info };
  const srv = servers(doc);
  if (srv.length) out.servers = srv;
  const tags = list(doc.tag_definition).map((t) => (str(t.description) ? { name: t.name, description: t.description } : { name: t.name }));
  if (tags.length) out.tags = tags;
  out.paths = paths;
  const components: Json = {};
  const schemas = Object.entries(obj(doc.components_schemas)).filter(([k]) => !/^[@$_#]/.test(k));
  if (schemas.length)
    components.schemas = Object.fromEntries(
      schemas.map(([k, v]) => [k, mediaSchema({ example_schema: v }, `/extra_config/documentation~1openapi/components_schemas/${k}`)]),
    );
  const custom = obj(doc.custom_security_schemes);
  const allSchemes = { ...security.schemes, ...custom };
  if (Object.keys(allSchemes).length) components.securitySchemes = allSchemes;
  if (Object.keys(components).length) out.components = components;
  return out;
}
