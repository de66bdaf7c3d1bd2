// Parses a request body so that the validator and the backend cannot disagree about it:
// - invalid UTF-8 and a byte-order mark are malformed (decoders differ on both);
// - a duplicate key in an object is refused (parsers differ on which one wins: JSON.parse keeps
//   the last, many Go/Java parsers the first, some reject);
// - a `__proto__` key is refused (JavaScript backends that merge objects may turn it into a
//   prototype change the schema never saw);
// - nesting deeper than MAX_JSON_DEPTH is refused.
// JSON.parse checks the syntax (native, linear). Then, on the fast path, the keys are counted
// twice: in the text (each string followed by ':' is a key; strings are skipped with the native
// indexOf, so the JavaScript loop runs per string, not per character) and in the parsed value
// (own keys of every object, where a `__proto__` key in any spelling, escaped or not, is an own
// property: JSON.parse defines it as data). A duplicate is the only way the value can hold fewer
// keys than the text, so equal counts prove there is none. Only when they differ, or a
// `__proto__` or the depth limit is met, the precise scan (checkKeys) runs to name the reason;
// it used to run on every body and was the larger half of a strict parse (a Set and a key
// string per object and key, a JavaScript step per character).

export const MAX_JSON_DEPTH = 128;

export type StrictJsonResult = { ok: true; value: unknown } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseStrictJson(body: Buffer): StrictJsonResult {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return { ok: false, reason: 'body starts with a byte-order mark' };
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, reason: 'body is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `invalid JSON: ${(e as Error).message}` };
  }
  const inValue = ownKeys(value, 0);
  if (inValue >= 0 && inValue === keysInText(text)) return { ok: true, value };
  const keys = checkKeys(text);
  return keys ? { ok: false, reason: keys } : { ok: true, value };
}

/** Own keys of every object in a parsed value; -1 when an object has a `__proto__` key or the
 * nesting goes deeper than MAX_JSON_DEPTH (the recursion stops there). */
function ownKeys(v: unknown, depth: number): number {
  if (typeof v !== 'object' || v === null) return 0;
  if (depth >= MAX_JSON_DEPTH) return -1;
  let n = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const k = ownKeys(v[i], depth + 1);
      if (k < 0) return -1;
      n += k;
    }
    return n;
  }
  if (Object.hasOwn(v, '__proto__')) return -1;
  const o = v as Record<string, unknown>;
  for (const key in o) {
    if (!Object.hasOwn(o, key)) continue; // never on a parsed object, unless Object.prototype was polluted
    const k = ownKeys(o[key], depth + 1);
    if (k < 0) return -1;
    n += k + 1;
  }
  return n;
}

/** Keys in syntactically valid JSON text: strings followed (after whitespace) by ':'. */
function keysInText(text: string): number {
  let n = 0;
  let i = text.indexOf('"');
  while (i >= 0) {
    // The closing quote: the next '"' not escaped (preceded by an even number of backslashes).
    let j = text.indexOf('"', i + 1);
    for (;;) {
      if (j < 0) return -1; // unreachable for text JSON.parse accepted; -1 sends it to checkKeys
      let b = 0;
      while (text.charCodeAt(j - 1 - b) === 0x5c /* \ */) b++;
      if ((b & 1) === 0) break;
      j = text.indexOf('"', j + 1);
    }
    let k = j + 1;
    let c = text.charCodeAt(k);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++k);
    if (c === 0x3a /* : */) n++;
    i = text.indexOf('"', k);
  }
  return n;
}

/** Scans syntactically valid JSON text; returns why its keys are refused, or ''. */
function checkKeys(text: string): string {
  const stack: (Set<string> | null)[] = []; // a Set per open object, null per open array
  let wantKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j++;
        } else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (wantKey && top) {
        const raw = text.slice(i, j + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (key === '__proto__') return 'key "__proto__" is not allowed';
        if (top.has(key)) return `duplicate key ${JSON.stringify(key)}`;
        top.add(key);
        wantKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
      stack.push(c === 0x7b ? new Set() : null);
      wantKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      wantKey = false;
    } else if (c === 0x2c /* , */) {
      wantKey = stack[stack.length - 1] != null;
    }
  }
  return '';
}
