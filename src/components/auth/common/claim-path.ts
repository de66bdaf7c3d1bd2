// Reading a claim by name: a dotted name is a path into nested objects, except names that look
// like URLs (`http…`), which are one claim (krakend-jose: "http://example.com/roles" stays flat).

export function compilePath(name: string, nested: boolean): string[] {
  return nested && name.includes('.') && !name.startsWith('http') ? name.split('.') : [name];
}

export function readPath(claims: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = claims;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
