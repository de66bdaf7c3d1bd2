// Sprig's arithmetic: the int64 family converts every argument with cast.ToInt64 (a float64
// is truncated, a bad string is 0), the *f family with cast.ToFloat64; plus the conversions.
import { arity, int, int64, str, toFloat64, toInt64 } from './args.js';
import type { TemplateFunc } from './exec.js';
import { TemplateError, type GoValue } from './values.js';

function divide(a: bigint, b: bigint, op: 'div' | 'mod'): bigint {
  if (b === 0n) throw new TemplateError('runtime error: integer divide by zero');
  return op === 'div' ? a / b : a % b;
}

const reduceInt = (name: string, min: number, f: (x: bigint, y: bigint) => bigint) => (a: GoValue[]) => {
  arity(name, a, min, Infinity);
  return a.map(toInt64).reduce((x, y) => int64(f(x, y)));
};

const reduceFloat = (name: string, f: (x: number, y: number) => number) => (a: GoValue[]) => {
  arity(name, a, 1, Infinity);
  return a.map(toFloat64).reduce(f);
};

export const SPRIG_MATH: Record<string, TemplateFunc> = {
  add: (a) => a.map(toInt64).reduce((x, y) => int64(x + y), 0n),
  add1: (a) => (arity('add1', a, 1), int64(toInt64(a[0]) + 1n)),
  sub: (a) => (arity('sub', a, 2), int64(toInt64(a[0]) - toInt64(a[1]))),
  mul: reduceInt('mul', 1, (x, y) => x * y),
  div: (a) => (arity('div', a, 2), divide(toInt64(a[0]), toInt64(a[1]), 'div')),
  mod: (a) => (arity('mod', a, 2), divide(toInt64(a[0]), toInt64(a[1]), 'mod')),
  max: reduceInt('max', 1, (x, y) => (y > x ? y : x)),
  min: reduceInt('min', 1, (x, y) => (y < x ? y : x)),
  addf: (a) => a.map(toFloat64).reduce((x, y) => x + y, 0),
  add1f: (a) => (arity('add1f', a, 1), toFloat64(a[0]) + 1),
  subf: reduceFloat('subf', (x, y) => x - y),
  mulf: reduceFloat('mulf', (x, y) => x * y),
  divf: reduceFloat('divf', (x, y) => x / y),
  maxf: reduceFloat('maxf', (x, y) => Math.max(x, y)),
  minf: reduceFloat('minf', (x, y) => Math.min(x, y)),
  floor: (a) => (arity('floor', a, 1), Math.floor(toFloat64(a[0]))),
  ceil: (a) => (arity('ceil', a, 1), Math.ceil(toFloat64(a[0]))),
  round: (a) => {
    arity('round', a, 2, 3);
    const on = a.length > 2 ? toFloat64(a[2]) : 0.5;
    const pow = 10 ** int(a[1]);
    const digit = toFloat64(a[0]) * pow;
    const frac = digit - Math.trunc(digit);
    return (frac >= on ? Math.ceil(digit) : Math.floor(digit)) / pow;
  },
  int: (a) => (arity('int', a, 1), toInt64(a[0])),
  int64: (a) => (arity('int64', a, 1), toInt64(a[0])),
  float64: (a) => (arity('float64', a, 1), toFloat64(a[0])),
  atoi: (a) => {
    arity('atoi', a, 1);
    const s = str(a[0]);
    return /^[+-]?\d+$/.test(s) ? int64(BigInt(s)) : 0n;
  },
};
