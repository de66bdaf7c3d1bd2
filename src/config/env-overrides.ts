// KrakenD's environment overrides (krakend-koanf): every KRAKEND_<NAME> variable replaces the
// root-level service field <name> (lower-cased: KRAKEND_PORT -> port, KRAKEND_CACHE_TTL ->
// cache_ttl), decoded weakly as mapstructure does (text to integer or boolean, one string to a
// list of one). Here the value is then validated like the file's, and a problem names the
// variable. Variables naming no service field are ignored, as KrakenD ignores them, with a
// warning; objects and lists of objects cannot come from a variable.
import type { Problems } from '../core/config-error.js';
import { serviceSchema } from './schema.js';

const PREFIX = 'KRAKEND_';

type FieldSchema = { type?: string; const?: unknown; items?: { type?: string } };

/** Go's strconv.ParseBool. */
function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Sets the overridden fields on the parsed document; returns field -> variable. */
export function applyEnvOverrides(doc: unknown, env: Record<string, string | undefined>, problems: Problems, warnings: string[]): Map<string, string> {
  const applied = new Map<string, string>();
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return applied;
  const root = doc as Record<string, unknown>;
  const fields = serviceSchema.properties as Record<string, FieldSchema>;
  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith(PREFIX)) continue;
    const raw = env[variable];
    if (raw === undefined) continue;
    const key = variable.slice(PREFIX.length).toLowerCase();
    const schema = Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined;
    if (!schema) {
      warnings.push(`environment variable ${variable} names no service field ("${key}"); ignored, as KrakenD does`);
      continue;
    }
    const pointer = '/' + key;
    applied.set(key, variable);
    const type = schema.type ?? (typeof schema.const === 'number' ? 'integer' : typeof schema.const === 'boolean' ? 'boolean' : 'string');
    if (type === 'integer') {
      if (!/^[+-]?\d+$/.test(raw.trim())) {
        problems.add(pointer, `${variable}: not an integer`);
        continue;
      }
      root[key] = Number(raw.trim());
    } else if (type === 'boolean') {
      const b = parseBool(raw.trim());
      if (b === undefined) {
        problems.add(pointer, `${variable}: not a boolean (true, false, 1, 0, t, f)`);
        continue;
      }
      root[key] = b;
    } else if (type === 'string') {
      root[key] = raw;
    } else if (type === 'array' && schema.items?.type === 'string') {
      root[key] = [raw];
    } else {
      problems.add(pointer, `${variable}: "${key}" is ${type === 'array' ? 'a list' : 'an object'} and cannot be set from an environment variable`);
    }
  }
  return applied;
}

/** Appends "(set by KRAKEND_X)" to problems under an overridden field. */
export function blameEnv(message: string, pointer: string, applied: Map<string, string>): string {
  const key = pointer.split('/')[1] ?? '';
  const variable = applied.get(key.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (!variable || message.startsWith(variable + ':')) return message;
  return `${message} (set by the environment variable ${variable})`;
}
