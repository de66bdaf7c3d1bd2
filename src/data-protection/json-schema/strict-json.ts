// Parses a request body so that the validator and the backend cannot disagree about it:
// - invalid UTF-8 and a byte-order mark are malformed (decoders differ on both);
// - a duplicate key in an object is refused (parsers differ on which one wins: JSON.parse keeps
//   the last, many Go/Java parsers the first, some reject);
// - a `__proto__` key is refused (JavaScript backends that merge objects may turn it into a
//   prototype change the schema never saw);
// - nesting deeper than MAX_JSON_DEPTH is refused.
// JSON.parse checks the syntax (native, linear); one linear scan then checks the keys.

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
  const keys = checkKeys(text);
  return keys ? { ok: false, reason: keys } : { ok: true, value };
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
