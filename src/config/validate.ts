// Schema validation of a parsed config: the core fields (config/schema.ts) and every extra_config
// namespace (components/registry.ts). Schemas are compiled once per process.
import { createHash } from 'node:crypto';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { COMPONENTS, COMPONENTS_BY_NAMESPACE } from '../components/registry.js';
import type { Scope } from '../components/types.js';
import { suggestion } from './did-you-mean.js';
import { pointerJoin, Problems } from './errors.js';
import { KRAKEND_NAMESPACES, LEGACY_NAMESPACES } from './krakend-namespaces.js';
import { NOT_YET_SUPPORTED_FIELDS, serviceSchema } from './schema.js';

/** Every schema Rampart validates with, by key ('service', 'scope:namespace'). */
export function schemaTable(): [string, object][] {
  const out: [string, object][] = [['service', serviceSchema]];
  for (const c of COMPONENTS) for (const [scope, schema] of Object.entries(c.schemas)) out.push([`${scope}:${c.namespace}`, schema]);
  return out;
}

export const AJV_OPTIONS = { allErrors: true, strict: false } as const;

/** Validators precompiled at build time (scripts/build-validators.ts, ajv standalone) start
 * ~10x faster than compiling the schemas on every start; without them, compile here. */
async function loadValidators(): Promise<Map<string, ValidateFunction>> {
  const table = schemaTable();
  try {
    const imported = (await import(new URL('./validators.generated.cjs', import.meta.url).href)) as { default?: unknown };
    const mod = (imported.default ?? imported) as Record<string, ValidateFunction> & { SCHEMA_HASH?: string };
    if (mod.SCHEMA_HASH === schemaHash(table)) return new Map(table.map(([k]) => [k, mod[exportName(k)]]));
  } catch {
    /* not built: fall through */
  }
  type AjvClass = typeof import('ajv').default;
  const mod = (await import('ajv')) as unknown as { default: AjvClass & { default?: AjvClass } };
  const Ajv: AjvClass = mod.default.default ?? mod.default;
  const ajv = new Ajv(AJV_OPTIONS);
  return new Map(table.map(([k, schema]) => [k, ajv.compile(schema)]));
}

export function exportName(key: string): string {
  return 'v_' + key.replace(/[^A-Za-z0-9]/g, '_');
}

/** Detects a stale generated file (schemas changed since the build). */
export function schemaHash(table: [string, object][]): string {
  return createHash('sha256').update(JSON.stringify(table)).digest('hex');
}

const validators = await loadValidators();
const validateService = validators.get('service')!;
const namespaceValidators = validators;
const KNOWN_FOR_SUGGESTION = new Set([...KRAKEND_NAMESPACES, ...COMPONENTS.map((c) => c.namespace)]);

function schemaPropertiesAt(schema: unknown, pointer: string): string[] {
  // Walk the schema along the instance pointer to list the allowed keys for a suggestion.
  let s = schema as Record<string, any> | undefined;
  for (const raw of pointer.split('/').slice(1)) {
    if (!s) return [];
    if (s.type === 'array') s = s.items;
    else s = s.properties?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return s?.properties ? Object.keys(s.properties) : [];
}

function describe(e: ErrorObject, schema: object): { pointer: string; message: string } {
  const at = e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const why = at === '' ? NOT_YET_SUPPORTED_FIELDS[key] : undefined;
      if (why) return { pointer: pointerJoin(at, key), message: `field "${key}" is not supported: ${why}` };
      return {
        pointer: pointerJoin(at, key),
        message: `unknown field "${key}"${suggestion(key, [...schemaPropertiesAt(schema, at), ...(at === '' ? Object.keys(NOT_YET_SUPPORTED_FIELDS) : [])])}`,
      };
    }
    case 'pattern':
      if (String((e.params as { pattern: string }).pattern).includes('ns|us')) {
        return { pointer: at, message: 'invalid duration: write it as Go does, e.g. "500ms", "3s", "1m"' };
      }
      return { pointer: at, message: `must match ${(e.params as { pattern: string }).pattern}` };
    case 'enum':
      return { pointer: at, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { pointer: at, message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)} (other values are not supported)` };
    default:
      return { pointer: at, message: e.message ?? 'is invalid' };
  }
}

function collect(errors: ErrorObject[] | null | undefined, base: string, schema: object, problems: Problems): void {
  for (const e of errors ?? []) {
    // oneOf/anyOf wrappers repeat their branches' errors; the branch errors are clearer.
    if (e.keyword === 'if') continue;
    const d = describe(e, schema);
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

function validateExtraConfig(extra: unknown, scope: Scope, pointer: string, problems: Problems, warnings: string[]): void {
  if (extra === undefined) return;
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) return; // core schema reports it
  const obj = extra as Record<string, unknown>;
  renameLegacy(obj, pointer, warnings);
  for (const [ns, value] of Object.entries(obj)) {
    if (/^[@$_#]/.test(ns)) continue;
    const at = pointerJoin(pointer, ns);
    const component = COMPONENTS_BY_NAMESPACE.get(ns);
    if (!component) {
      if (KRAKEND_NAMESPACES.includes(ns)) problems.add(at, `namespace "${ns}" is not implemented by Rampart; refusing to start rather than ignore it`);
      else problems.add(at, `unknown namespace "${ns}"${suggestion(ns, KNOWN_FOR_SUGGESTION)}`);
      continue;
    }
    const validate = namespaceValidators.get(`${scope}:${ns}`);
    if (!validate) {
      const where = Object.keys(component.schemas).join(', ');
      problems.add(at, `namespace "${ns}" is not allowed at ${scope} level (allowed: ${where})`);
      continue;
    }
    if (!validate(value)) collect(validate.errors, at, component.schemas[scope]!, problems);
  }
}

/** Validates the whole document; returns problems (empty when valid) and load warnings. */
export function validateDocument(doc: unknown, problems: Problems, warnings: string[]): void {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problems.add('', 'the config must be a JSON object');
    return;
  }
  const root = doc as Record<string, any>;
  if (root.version !== undefined && root.version !== 3) {
    problems.add('/version', `unsupported version: ${JSON.stringify(root.version)} (want: 3)`);
  }
  // Legacy names are renamed before the core schema runs so both spellings validate alike.
  validateExtraConfig(root.extra_config, 'service', '/extra_config', problems, warnings);
  if (Array.isArray(root.endpoints)) {
    root.endpoints.forEach((ep: any, i: number) => {
      if (!ep || typeof ep !== 'object') return;
      validateExtraConfig(ep.extra_config, 'endpoint', `/endpoints/${i}/extra_config`, problems, warnings);
      if (Array.isArray(ep.backend)) {
        ep.backend.forEach((b: any, j: number) => {
          if (b && typeof b === 'object') validateExtraConfig(b.extra_config, 'backend', `/endpoints/${i}/backend/${j}/extra_config`, problems, warnings);
        });
      }
    });
  }
  if (!validateService(root)) {
    collect(
      validateService.errors?.filter((e) => !(e.keyword === 'const' && e.instancePath === '/version')),
      '',
      serviceSchema,
      problems,
    );
  }
}
