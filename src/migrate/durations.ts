// Numbers where a duration is expected. KrakenD's Go decoder reads a bare JSON number as a
// time.Duration in nanoseconds (so `"timeout": 3000` is 3 µs); Rampart wants the string form.
// The rewrite keeps KrakenD's meaning exactly (3000 → "3us"), in the largest exact unit, and
// asks a person to look at values under a millisecond: those are almost always milliseconds or
// seconds someone meant. Fields are found by walking the schemas Rampart validates with (the
// root schema and every namespace's), so every duration field is covered and no other.
import { DURATION_PATTERN } from '../config/duration.js';
import type { MigrationReport } from './report.js';

type Json = Record<string, unknown>;
type Schema = {
  pattern?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  oneOf?: Schema[];
  anyOf?: Schema[];
};

const UNITS: [string, number][] = [
  ['h', 3_600_000_000_000],
  ['m', 60_000_000_000],
  ['s', 1_000_000_000],
  ['ms', 1_000_000],
  ['us', 1_000],
  ['ns', 1],
];

/** Nanoseconds as a Go duration string in the largest unit that divides them exactly. */
export function durationOfNanos(ns: number): string {
  if (ns === 0) return '0s';
  for (const [unit, size] of UNITS) if (ns % size === 0) return `${ns / size}${unit}`;
  return `${ns}ns`;
}

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export function fixDurations(schema: Schema, value: unknown, pointer: string, set: (v: string) => void, report: MigrationReport): void {
  if (schema.pattern === DURATION_PATTERN && typeof value === 'number') {
    const ns = Math.max(0, Math.round(value));
    const text = durationOfNanos(ns);
    set(text);
    const what = `${value} (a number) → "${text}": KrakenD reads a bare number as nanoseconds; this is the same duration written as a string`;
    if (ns > 0 && ns < 1_000_000)
      report.decide(pointer, what, `${value} ns is under a millisecond: if ${value} milliseconds were meant, write "${value}ms"; if seconds, "${value}s"`);
    else if (ns !== value) report.decide(pointer, what, `${value} is not a whole number of nanoseconds (KrakenD refuses it); rounded to ${ns} ns`);
    else report.change(pointer, what);
    return;
  }
  for (const alt of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) fixDurations(alt, value, pointer, set, report);
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    value.forEach((v, i) => fixDurations(items, v, `${pointer}/${i}`, (s) => (value[i] = s), report));
  } else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub) fixDurations(sub, v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, (s) => (value[k] = s), report);
    }
  }
}
