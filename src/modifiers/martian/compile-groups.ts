// fifo.Group, priority.Group (google/martian fifo/, priority/) and skip.RoundTrip (skip/).

import { applyScope, asObject, checkKeys, fail, optBool, ptr } from './compile-fields.js';
import type { CompiledModifier, ModifierFactory, RequestStep, ResponseStep, StepResult } from './types.js';

function members(cfg: Record<string, unknown>, at: string, name: string): unknown[] {
  const ms = cfg.modifiers;
  // Martian decodes the group into a struct and ranges over its list: no "modifiers" is an
  // empty group that passes every message through, and KrakenD starts with it (issue #18).
  if (ms === undefined) return [];
  if (!Array.isArray(ms)) fail(ptr(at, 'modifiers'), `${name}: "modifiers" must be an array`);
  return ms;
}

/** Runs steps in order: stop at the first error, or (aggregate) run all and join them as Go's MultiError. */
function sequence(reqs: RequestStep[], ress: ResponseStep[], aggregate: boolean): CompiledModifier {
  const request: RequestStep = aggregate
    ? (req) => {
        let errs: string[] | undefined;
        for (const s of reqs) {
          const e = s(req);
          if (e !== undefined) (errs ??= []).push(e);
        }
        return errs && errs.join('\n');
      }
    : (req) => {
        for (const s of reqs) {
          const e = s(req);
          if (e !== undefined) return e;
        }
        return undefined;
      };
  const response: ResponseStep = aggregate
    ? (res, req) => {
        let errs: string[] | undefined;
        for (const s of ress) {
          const e = s(res, req);
          if (e !== undefined) (errs ??= []).push(e);
        }
        return errs && errs.join('\n');
      }
    : (res, req): StepResult => {
        for (const s of ress) {
          const e = s(res, req);
          if (e !== undefined) return e;
        }
        return undefined;
      };
  return { request, response };
}

const fifo: ModifierFactory = (cfg, at, name, child) => {
  checkKeys(cfg, at, name, ['modifiers', 'scope', 'aggregateErrors']);
  const aggregate = optBool(cfg, 'aggregateErrors', at);
  const reqs: RequestStep[] = [];
  const ress: ResponseStep[] = [];
  members(cfg, at, name).forEach((m, i) => {
    const c = child(m, ptr(ptr(at, 'modifiers'), i));
    if (c.request) reqs.push(c.request);
    if (c.response) ress.push(c.response);
  });
  const seq = sequence(reqs, ress, aggregate);
  return applyScope({ request: seq.request ?? undefined, response: seq.response ?? undefined }, cfg, at, name);
};

/** Go's insertion: before the first member whose priority is <= the new one (ties: later first). */
function insert<T>(list: Array<[number, T]>, priority: number, v: T): void {
  const i = list.findIndex(([p]) => priority >= p);
  if (i < 0) list.push([priority, v]);
  else list.splice(i, 0, [priority, v]);
}

const priority: ModifierFactory = (cfg, at, name, child) => {
  checkKeys(cfg, at, name, ['modifiers', 'scope']);
  const reqs: Array<[number, RequestStep]> = [];
  const ress: Array<[number, ResponseStep]> = [];
  members(cfg, at, name).forEach((m, i) => {
    const here = ptr(ptr(at, 'modifiers'), i);
    const item = asObject(m, here, 'a priority.Group member ({"priority": N, "modifier": {...}})');
    checkKeys(item, here, 'a priority.Group member', ['priority', 'modifier']);
    const p = item.priority ?? 0;
    if (typeof p !== 'number' || !Number.isSafeInteger(p)) fail(ptr(here, 'priority'), '"priority" must be an integer');
    if (item.modifier === undefined) fail(here, 'a priority.Group member needs "modifier"');
    const c = child(item.modifier, ptr(here, 'modifier'));
    if (c.request) insert(reqs, p, c.request);
    if (c.response) insert(ress, p, c.response);
  });
  const seq = sequence(
    reqs.map(([, s]) => s),
    ress.map(([, s]) => s),
    false,
  );
  return applyScope({ request: seq.request ?? undefined, response: seq.response ?? undefined }, cfg, at, name);
};

const skipRoundTrip: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['scope']);
  return applyScope(
    {
      request: (req) => {
        req.skipRoundTrip = true;
        return undefined;
      },
    },
    cfg,
    at,
    name,
  );
};

export const GROUP_MODIFIERS: ReadonlyArray<[string, ModifierFactory]> = [
  ['fifo.Group', fifo],
  ['priority.Group', priority],
  ['skip.RoundTrip', skipRoundTrip],
];
