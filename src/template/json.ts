// encoding/json's Marshal and MarshalIndent over the value model: map keys sorted, floats in
// Go's layout, and (unless raw) <, > and & escaped as \u003c, \u003e, \u0026 as Go does.
import { GoTime, isMap, sortedKeys, TemplateError, type GoValue } from './values.js';

const MAX_JSON_DEPTH = 1000;

function quote(s: string, html: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || (html && (ch === '<' || ch === '>' || ch === '&')) || c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

function encode(v: GoValue, html: boolean, indent: string | null, level: number): string {
  if (level > MAX_JSON_DEPTH) throw new TemplateError('json: value nested too deeply');
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return quote(v, html);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TemplateError(`json: unsupported value: ${v}`);
    return Object.is(v, -0) ? '-0' : String(v);
  }
  if (v instanceof GoTime) return quote(v.date.toISOString().replace('.000Z', 'Z'), html);
  const nl = indent === null ? '' : '\n' + indent.repeat(level + 1);
  const end = indent === null ? '' : '\n' + indent.repeat(level);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => nl + encode(x, html, indent, level + 1)).join(',') + end + ']';
  }
  if (isMap(v)) {
    const keys = sortedKeys(v);
    if (keys.length === 0) return '{}';
    const sep = indent === null ? ':' : ': ';
    return '{' + keys.map((k) => nl + quote(k, html) + sep + encode(v[k], html, indent, level + 1)).join(',') + end + '}';
  }
  throw new TemplateError('json: unsupported type');
}

/** json.Marshal (html = true) or a json.Encoder with SetEscapeHTML(false) minus its newline. */
export function marshal(v: GoValue, html = true): string {
  return encode(v, html, null, 0);
}

export function marshalIndent(v: GoValue, indent = '  '): string {
  return encode(v, true, indent, 0);
}

/** JSON text into the value model (maps without prototype, numbers as float64). */
export function parseJsonValue(text: string): GoValue {
  return fromJs(JSON.parse(text) as unknown, 0);
}

export function fromJs(v: unknown, level: number): GoValue {
  if (level > MAX_JSON_DEPTH) throw new TemplateError('value nested too deeply');
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x) => fromJs(x, level + 1));
  if (typeof v === 'object') {
    const m = Object.create(null) as Record<string, GoValue>;
    for (const [k, x] of Object.entries(v as object))
      Object.defineProperty(m, k, { value: fromJs(x, level + 1), writable: true, enumerable: true, configurable: true });
    return m;
  }
  return undefined;
}
