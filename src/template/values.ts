// The value model of the template engine and Go's rules over it. Values are what JSON gives
// (string, number = Go float64, boolean, null = nil, arrays, plain objects = maps) plus bigint
// for Go's integers (template literals, len, range indexes, Sprig arithmetic), so `1e6` from a
// settings file prints as Go prints a float64 ("1e+06") and `1000000` from `mul` as an int.
// `undefined` is Go's "no value" (a missing map key). Maps are read through own properties only.

export type GoMap = { [key: string]: GoValue };
export type GoValue = undefined | null | string | number | bigint | boolean | GoValue[] | GoMap | GoTime;

/** time.Time (Sprig's now/date): a JS Date plus the zone name Go would print. */
export class GoTime {
  constructor(
    readonly date: Date,
    readonly utc: boolean,
  ) {}
}

export class TemplateError extends Error {}

export function isMap(v: unknown): v is GoMap {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof GoTime) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A new map with no prototype: keys such as `__proto__` or `constructor` are plain keys. */
export function newMap(): GoMap {
  return Object.create(null) as GoMap;
}

/** Own property only: no prototype walk, so `.constructor` or `.__proto__` is just a missing key. */
export function mapGet(m: GoMap, key: string): GoValue {
  return Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;
}

export function mapHas(m: GoMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key);
}

export function mapSet(m: GoMap, key: string, value: GoValue): void {
  Object.defineProperty(m, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Go ranges over a map in sorted key order (byte order for strings). */
export function sortedKeys(m: GoMap): string[] {
  return Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Go's type name, for error messages and typeOf. */
export function typeName(v: GoValue): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoTime) return 'time.Time';
  return 'map[string]interface {}';
}

export function kindName(v: GoValue): string {
  if (v === undefined || v === null) return 'invalid';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof GoTime) return 'struct';
  if (typeof v === 'object') return 'map';
  return typeName(v);
}

/** text/template's truth: the zero value of a type is false. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoTime) return true;
  return Object.keys(v).length > 0;
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64), which fmt's %v uses for a float64: the shortest
 * digits (JS finds the same ones), in exponent form when the exponent is < -4 or >= 6. */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, e] = f.toExponential().split('e');
  const exp = Number(e);
  if (exp >= -4 && exp < 6) return String(f);
  const abs = Math.abs(exp);
  return `${mant}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

/** fmt.Sprint of one value (%v). */
export function formatValue(v: GoValue, top = true): string {
  if (v === undefined) return top ? '<no value>' : '<nil>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map((x) => formatValue(x, false)).join(' ') + ']';
  if (v instanceof GoTime) return formatGoTimeDefault(v);
  return (
    'map[' +
    sortedKeys(v)
      .map((k) => `${k}:${formatValue(v[k], false)}`)
      .join(' ') +
    ']'
  );
}

function formatGoTimeDefault(t: GoTime): string {
  const iso = t.date.toISOString(); // 2006-01-02T15:04:05.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000000 +0000 UTC`;
}

/** Sprig's strval: strings as they are, nil as "", the rest as %v. */
export function strval(v: GoValue): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return formatValue(v, false);
}

/** Go's reflect.DeepEqual over this value model (has, uniq, without, deepEqual). */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a instanceof GoTime) return b instanceof GoTime && a.date.getTime() === b.date.getTime();
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => mapHas(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
