// Argument checks with Go's messages: a function declared with a string or int parameter
// refuses other types ("wrong type for value; expected string; got float64"), as
// text/template does when it calls a Go function.
import { GoTime, isMap, TemplateError, typeName, type GoMap, type GoValue } from './values.js';

export function arity(name: string, args: GoValue[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? String(min) : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new TemplateError(`wrong number of args for ${name}: want ${want} got ${args.length}`);
  }
}

function wrong(expected: string, v: GoValue): never {
  if (v === undefined) throw new TemplateError(`invalid value; expected ${expected}`);
  throw new TemplateError(`wrong type for value; expected ${expected}; got ${typeName(v)}`);
}

export function str(v: GoValue): string {
  return typeof v === 'string' ? v : wrong('string', v);
}

/** A Go `int` parameter: template integers only (a float64 from JSON is refused, as in Go). */
export function int(v: GoValue): number {
  if (typeof v !== 'bigint') wrong('int', v);
  return Number(v);
}

export function bool(v: GoValue): boolean {
  return typeof v === 'boolean' ? v : wrong('bool', v);
}

export function map(v: GoValue): GoMap {
  return isMap(v) ? v : wrong('map[string]interface {}', v);
}

export function time(v: GoValue): GoTime {
  return v instanceof GoTime ? v : wrong('time.Time', v);
}

/** Sprig's list functions take any slice; anything else is an error naming the type. */
export function list(fn: string, v: GoValue): GoValue[] {
  if (Array.isArray(v)) return v;
  throw new TemplateError(`cannot ${fn} on type ${typeName(v)}`);
}

/** spf13/cast.ToInt64 as Sprig's arithmetic uses it: errors become 0. */
export function toInt64(v: GoValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const s = v.trim().replace(/\.0*$/, '');
    if (/^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)$/.test(s)) {
      const neg = s.startsWith('-');
      let body = s.replace(/^[+-]/, '');
      if (/^0[0-7]+$/.test(body)) body = '0o' + body.slice(1);
      const n = BigInt(body);
      return neg ? -n : n;
    }
    return 0n;
  }
  return 0n;
}

/** cast.ToFloat64: errors become 0. */
export function toFloat64(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const f = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(f) ? f : 0;
  }
  return 0;
}

/** int64 results stay in range: Go wraps, a template that overflows is a mistake worth an error. */
export function int64(n: bigint): bigint {
  if (n > 9223372036854775807n || n < -9223372036854775808n) throw new TemplateError('integer overflow');
  return n;
}
