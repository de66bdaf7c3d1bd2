/**
 * Small, allocation-free helpers shared by the shaping modules.
 *
 * Prototype-pollution rules followed by every shaper:
 * - reads only follow OWN properties (`Object.hasOwn`), so `__proto__`, `constructor` or
 *   `prototype` in a path never reach `Object.prototype` or a constructor;
 * - writes go through {@link safeSet}, which turns a `__proto__` key into an own data property
 *   instead of invoking the `Object.prototype.__proto__` setter;
 * - deletes only ever hit own properties (`delete` never touches the prototype chain).
 */

export const hasOwn: (o: object, k: PropertyKey) => boolean = Object.hasOwn;

/** Path segments that configuration checks refuse (see validateFlatmap). */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A JSON object as produced by a JSON parser: a non-null, non-array object whose prototype is
 * `Object.prototype` or `null`. Class instances (e.g. lossless-number wrappers, Dates, Buffers)
 * are treated as opaque leaves.
 */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p: unknown = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Set an own enumerable data property, never invoking the `__proto__` accessor. */
export function safeSet(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') {
    Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  } else {
    o[k] = v;
  }
}
