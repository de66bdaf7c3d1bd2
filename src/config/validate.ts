// Schema validation of a parsed config: the core fields (config/schema.ts) and every extra_config
// namespace of a catalog (components/registry.ts passes its own, through components/load-config.ts:
// config sits below components in the layering and never imports them). Each schema's validator is loaded (or compiled) once per
// process, when a config first uses it.
import { NOT_IMPLEMENTED_HINTS } from './namespace-hints.js';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/package-root.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Scope } from '../core/request.js';
import { suggestion } from './did-you-mean.js';
import { pointerJoin, Problems } from '../core/config-error.js';
import { KRAKEND_NAMESPACES, LEGACY_NAMESPACES } from './krakend-namespaces.js';
import { NOT_YET_SUPPORTED_FIELDS, serviceSchema } from './schema.js';

/** A namespace and the schema of its value per scope where it may appear. */
export interface NamespaceSpec {
  readonly namespace: string;
  readonly schemas: Partial<Record<Scope, object>>;
  /** Why the namespace is refused at a scope KrakenD allows it at, and what to write instead. */
  readonly scopeHints?: Partial<Record<Scope, string>>;
}

/** The namespaces a config may use. */
export interface NamespaceCatalog {
  readonly list: readonly NamespaceSpec[];
  readonly byNamespace: ReadonlyMap<string, NamespaceSpec>;
}

/** Every schema Rampart validates with, by key ('service', 'scope:namespace'). */
export function schemaTable(catalog: NamespaceCatalog): [string, object][] {
  const out: [string, object][] = [['service', serviceSchema]];
  for (const c of catalog.list) for (const [scope, schema] of Object.entries(c.schemas)) out.push([`${scope}:${c.namespace}`, schema]);
  return out;
}

export const AJV_OPTIONS = { allErrors: true, strict: false } as const;

/** Where the build puts the standalone validator of a schema key (scripts/build-validators.ts). */
export function validatorFile(key: string): string {
  return `validators/${key.replace(/[:/]/g, '_')}.cjs`;
}

/** Detects a stale generated validator (its schema changed since the build). */
export function schemaHash(schema: object): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

// ajv's standalone output is CommonJS: require() it. import() would first scan the whole file
// for named exports (cjs-module-lexer), tens of milliseconds of every start.
const require = createRequire(import.meta.url);
const validators = new Map<string, ValidateFunction>();
type AjvClass = typeof import('ajv').default;
let ajv: InstanceType<AjvClass> | undefined;

/**
 * The validator of one schema key, made on first use: a config loads only the validators of the
 * namespaces it uses. Validators precompiled at build time start ~10x faster than compiling the
 * schema here (with ajv, loaded only then: without a build, or when the build is stale).
 */
function validatorFor(key: string, schema: object): ValidateFunction {
  let v = validators.get(key);
  if (v) return v;
  try {
    const mod = require(join(PACKAGE_ROOT, 'dist', 'config', validatorFile(key))) as { validate: ValidateFunction; SCHEMA_HASH: string };
    if (mod.SCHEMA_HASH === schemaHash(schema)) v = mod.validate;
  } catch {
    /* not built: compile below */
  }
  if (!v) {
    if (!ajv) {
      const Ajv = require('ajv') as AjvClass & { default?: AjvClass };
      ajv = new (Ajv.default ?? Ajv)(AJV_OPTIONS);
    }
    v = ajv.compile(schema);
  }
  validators.set(key, v);
  return v;
}

const suggestions = new WeakMap<NamespaceCatalog, Set<string>>();
function knownForSuggestion(catalog: NamespaceCatalog): Set<string> {
  let s = suggestions.get(catalog);
  if (!s) suggestions.set(catalog, (s = new Set([...KRAKEND_NAMESPACES, ...catalog.list.map((c) => c.namespace)])));
  return s;
}

/** The parts of a JSON Schema object that schemaPropertiesAt walks. */
type SchemaNode = { type?: unknown; items?: SchemaNode; properties?: Record<string, SchemaNode> };

function schemaPropertiesAt(schema: unknown, pointer: string): string[] {
  // Walk the schema along the instance pointer to list the allowed keys for a suggestion.
  let s = schema as SchemaNode | undefined;
  for (const raw of pointer.split('/').slice(1)) {
    if (!s) return [];
    if (s.type === 'array') s = s.items;
    else s = s.properties?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return s?.properties ? Object.keys(s.properties) : [];
}

/** Whether the schema an error's schemaPath ("#/properties/timeout/type") points into is a duration. */
function durationAt(schema: object, schemaPath: string): boolean {
  let s: unknown = schema;
  for (const raw of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) {
    if (s === null || typeof s !== 'object') return false;
    s = (s as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return s !== null && typeof s === 'object' && String((s as { pattern?: unknown }).pattern ?? '').includes('ns|us');
}

const UNKNOWN_FIELD_TODO =
  'KrakenD ignores a field it does not know, Rampart refuses it so a typo never switches a setting off unnoticed: correct it or remove it';

// Fields KrakenD v2 had and v3 renamed (KrakenD's v3 migration guide); a v3 config that keeps
// the old name gets nothing from it in KrakenD.
const KRAKEND_V2_FIELDS: Readonly<Record<string, string>> = {
  headers_to_pass: 'input_headers',
  querystring_params: 'input_query_strings',
  whitelist: 'allow',
  blacklist: 'deny',
};

// A field whose only accepted value is `false` (a KrakenD feature Rampart does not build):
// what to write instead, by field name.
const CONST_FALSE_TODO: Readonly<Record<string, string>> = {
  disable_rest: 'Rampart routes RESTful paths only: remove the field and declare each path with {params} (`rampart migrate` removes it and says what follows)',
};

function describe(e: ErrorObject, schema: object): { pointer: string; message: string } {
  const at = e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const why = at === '' ? NOT_YET_SUPPORTED_FIELDS[key] : undefined;
      if (why) return { pointer: pointerJoin(at, key), message: `field "${key}" is not supported: ${why}` };
      if (key === 'timeout' && /^\/endpoints\/\d+\/backend\/\d+$/.test(at))
        return {
          pointer: pointerJoin(at, key),
          message:
            'a backend has no "timeout" (KrakenD applies the endpoint\'s): bound one backend with "extra_config": {"qos/backend-timeout": {"timeout": "…"}}; `rampart migrate` rewrites it',
        };
      const renamed = KRAKEND_V2_FIELDS[key];
      if (renamed && schemaPropertiesAt(schema, at).includes(renamed))
        return {
          pointer: pointerJoin(at, key),
          message: `unknown field "${key}": it is KrakenD v2's name, and KrakenD v3 ignores it (so it does nothing there); write "${renamed}", its v3 name`,
        };
      return {
        pointer: pointerJoin(at, key),
        message: `unknown field "${key}"${suggestion(key, [...schemaPropertiesAt(schema, at), ...(at === '' ? Object.keys(NOT_YET_SUPPORTED_FIELDS) : [])])}: ${UNKNOWN_FIELD_TODO}`,
      };
    }
    case 'type':
      if ((e.params as { type?: string }).type === 'string' && durationAt(schema, e.schemaPath))
        return {
          pointer: at,
          message: 'a duration is a string with a unit, e.g. "3s" (KrakenD reads a bare number as nanoseconds); `rampart migrate` rewrites it',
        };
      return { pointer: at, message: e.message ?? 'is invalid' };
    case 'pattern':
      if (String((e.params as { pattern: string }).pattern).includes('ns|us')) {
        return { pointer: at, message: 'invalid duration: write it as Go does, e.g. "500ms", "3s", "1m"' };
      }
      return { pointer: at, message: `must match ${(e.params as { pattern: string }).pattern}` };
    case 'enum':
      return { pointer: at, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const': {
      const allowed = (e.params as { allowedValue: unknown }).allowedValue;
      const todo = allowed === false ? CONST_FALSE_TODO[at.slice(at.lastIndexOf('/') + 1)] : undefined;
      return { pointer: at, message: `must be ${JSON.stringify(allowed)} (other values are not supported)${todo ? `: ${todo}` : ''}` };
    }
    default:
      return { pointer: at, message: e.message ?? 'is invalid' };
  }
}

/**
 * A settings block of a plugin namespace that Rampart has no plugin for ("url-rewrite", a
 * custom Go plugin's name): say which plugin is missing, not "unknown field" (issue #18).
 */
function pluginBlock(e: ErrorObject, ns: string | undefined, schema: object): { pointer: string; message: string } | undefined {
  if (ns?.startsWith('plugin/') && e.keyword === 'required' && e.instancePath === '' && (e.params as { missingProperty?: string }).missingProperty === 'name')
    return {
      pointer: '',
      message: `${ns} lists no plugin in "name", so KrakenD loads none and the block does nothing there; list the plugins to run in "name", or remove the block`,
    };
  if (!ns?.startsWith('plugin/') || e.keyword !== 'additionalProperties' || e.instancePath !== '') return undefined;
  const key = (e.params as { additionalProperty: string }).additionalProperty;
  const builtIn = schemaPropertiesAt(schema, '').filter((k) => k !== 'name');
  return {
    pointer: pointerJoin('', key),
    message: `plugin "${key}" is not available in Rampart: it is a Go plugin (KrakenD loads it from a .so file, or it ships with KrakenD Enterprise), and Rampart runs no Go code; port it to a Rampart component or put the logic in modifier/lua-* (built in here: ${builtIn.join(', ') || 'none'})`,
  };
}

function collect(errors: ErrorObject[] | null | undefined, base: string, schema: object, problems: Problems, ns?: string): void {
  for (const e of errors ?? []) {
    // oneOf/anyOf wrappers repeat their branches' errors; the branch errors are clearer.
    if (e.keyword === 'if') continue;
    const d = pluginBlock(e, ns, schema) ?? describe(e, schema);
    problems.add(base + d.pointer, d.message);
  }
}

/** Renames legacy long namespace names to their short form (in place), as KrakenD CE does. */
function renameLegacy(extra: Record<string, unknown>, pointer: string, warnings: string[]): void {
  for (const key of Object.keys(extra)) {
    const short = LEGACY_NAMESPACES[key];
    if (!short) continue;
    warnings.push(`${pointer}: legacy namespace "${key}" read as "${short}"`);
    if (!(short in extra)) extra[short] = extra[key];
    delete extra[key];
  }
}

/**
 * Removes "@comment" keys (KrakenD's documented comment convention, "@comment" or "@comment_x")
 * from a namespace's value wherever they sit, so a comment never fails a schema that has no
 * room for it (a masking rule, an OpenAPI definition...). Only that prefix: "$ref", "$schema"
 * and header or field names are data. So is everything under a namespace's data keys
 * (DATA_KEYS): there "@comment" may be a JSON property, a static answer's key or a GraphQL
 * variable, and removing it would change what the gateway checks or answers.
 */
function stripComments(v: unknown, dataKeys: ReadonlySet<string> = NO_KEYS, depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > 64) return;
  if (Array.isArray(v)) {
    for (const x of v) stripComments(x, dataKeys, depth + 1);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k.startsWith('@comment')) delete o[k];
    else if (dataKeys.has(k)) stripSchemaRoot(o[k], k);
    else stripComments(o[k], dataKeys, depth + 1);
  }
}

/** A JSON schema (a data key named "schema", or a whole validation/json-schema value) loses only
 * its root's "@comment" keys, a keyword position its validator ignores in KrakenD; below the
 * root "@comment" may name a property. Other data keys are left as they are. */
function stripSchemaRoot(v: unknown, key: string): void {
  if (key !== SCHEMA_ROOT || v === null || typeof v !== 'object' || Array.isArray(v)) return;
  for (const k of Object.keys(v)) if (k.startsWith('@comment')) delete (v as Record<string, unknown>)[k];
}

const NO_KEYS: ReadonlySet<string> = new Set();
const SCHEMA_ROOT = 'schema';
/** Per namespace, the keys whose values are user data, not config. */
const DATA_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  proxy: new Set(['data']), // static.data: the static answer
  'backend/graphql': new Set(['variables']),
  'validation/response-json-schema': new Set([SCHEMA_ROOT]),
};

/** KrakenD's legacy names with "github.com" and "github_com" swapped, to the short name. */
const MISSPELT_LEGACY: ReadonlyMap<string, { legacy: string; short: string }> = new Map(
  Object.entries(LEGACY_NAMESPACES).map(([legacy, short]) => {
    const swapped = legacy.startsWith('github.com/') ? legacy.replace('github.com/', 'github_com/') : legacy.replace('github_com/', 'github.com/');
    return [swapped, { legacy, short }];
  }),
);

// Why an unknown name stops the start, and what to do: the sentence every such refusal carries.
const UNKNOWN_NAMESPACE_TODO =
  'KrakenD ignores a namespace it does not know, so a misspelt security block would silently do nothing; Rampart refuses it: correct the name or remove the block';

function unknownNamespace(ns: string, catalog: NamespaceCatalog): string {
  const legacy = MISSPELT_LEGACY.get(ns);
  if (legacy)
    return `unknown namespace "${ns}": KrakenD's legacy name is "${legacy.legacy}" (with "${legacy.legacy.split('/')[0]}"), so KrakenD does not read this one either; write "${legacy.short}", its current name, or remove the block`;
  return `unknown namespace "${ns}"${suggestion(ns, knownForSuggestion(catalog))}: ${UNKNOWN_NAMESPACE_TODO}`;
}

function validateExtraConfig(catalog: NamespaceCatalog, extra: unknown, scope: Scope, pointer: string, problems: Problems, warnings: string[]): void {
  if (extra === undefined) return;
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) return; // core schema reports it
  const obj = extra as Record<string, unknown>;
  renameLegacy(obj, pointer, warnings);
  for (const [ns, value] of Object.entries(obj)) {
    if (/^[@$_#]/.test(ns)) continue;
    const at = pointerJoin(pointer, ns);
    const component = catalog.byNamespace.get(ns);
    if (!component) {
      if (KRAKEND_NAMESPACES.includes(ns)) {
        const hint = NOT_IMPLEMENTED_HINTS[ns];
        problems.add(at, `namespace "${ns}" is not implemented by Rampart; refusing to start rather than ignore it${hint ? `: ${hint}` : ''}`);
      } else problems.add(at, unknownNamespace(ns, catalog));
      continue;
    }
    const schema = component.schemas[scope];
    if (!schema) {
      const where = Object.keys(component.schemas).join(', ');
      const hint = component.scopeHints?.[scope];
      problems.add(
        at,
        `namespace "${ns}" is not allowed at ${scope} level (allowed: ${where})${hint ? `: ${hint}` : `: KrakenD does not read it here either; move it into the extra_config of the ${where.split(', ').join(' or ')} it is meant for`}`,
      );
      continue;
    }
    if (ns === 'validation/json-schema')
      stripSchemaRoot(value, SCHEMA_ROOT); // the value is the schema
    else stripComments(value, DATA_KEYS[ns]);
    const validate = validatorFor(`${scope}:${ns}`, schema);
    if (!validate(value)) collect(validate.errors, at, schema, problems, ns);
  }
}

/** Validates the whole document; returns problems (empty when valid) and load warnings. */
export function validateDocument(doc: unknown, problems: Problems, warnings: string[], catalog: NamespaceCatalog): void {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problems.add('', 'the config must be a JSON object');
    return;
  }
  const root = doc as Record<string, unknown>;
  if (root.version !== undefined && root.version !== 3) {
    problems.add('/version', `unsupported version: ${JSON.stringify(root.version)} (want: 3)`);
  }
  // Legacy names are renamed before the core schema runs so both spellings validate alike.
  validateExtraConfig(catalog, root.extra_config, 'service', '/extra_config', problems, warnings);
  if (Array.isArray(root.endpoints)) {
    root.endpoints.forEach((ep: unknown, i: number) => {
      if (!ep || typeof ep !== 'object') return;
      const e = ep as Record<string, unknown>;
      validateExtraConfig(catalog, e.extra_config, 'endpoint', `/endpoints/${i}/extra_config`, problems, warnings);
      if (Array.isArray(e.backend)) {
        e.backend.forEach((b: unknown, j: number) => {
          if (b && typeof b === 'object')
            validateExtraConfig(
              catalog,
              (b as Record<string, unknown>).extra_config,
              'backend',
              `/endpoints/${i}/backend/${j}/extra_config`,
              problems,
              warnings,
            );
        });
      }
    });
  }
  const validateService = validatorFor('service', serviceSchema);
  if (!validateService(root)) {
    collect(
      validateService.errors?.filter((e) => !(e.keyword === 'const' && e.instancePath === '/version')),
      '',
      serviceSchema,
      problems,
    );
  }
}
