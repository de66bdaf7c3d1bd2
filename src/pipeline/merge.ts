// Combining backend results into one endpoint result (lura's merger): parallel by default,
// sequential when configured. Data of later backends overwrites earlier top-level keys; the
// result is complete only when every backend answered completely.
import { GatewayError } from '../errors/gateway-error.js';
import type { BackendHandler, CallInput, Data, ProxyResult } from './types.js';
import { discardBody } from '../proxy/read-body.js';

function combine(results: ProxyResult[]): ProxyResult {
  let data: Data | undefined;
  let complete = true;
  const errors: GatewayError[] = [];
  for (const r of results) {
    if (r.error) errors.push(r.error);
    if (!r.complete) complete = false;
    if (r.data) data = data ? Object.assign(data, r.data) : { ...r.data };
  }
  if (!data) {
    const error = errors.length === 1 ? errors[0] : new GatewayError(errors.map((e) => e.message).join('\n') || 'no data');
    return { data: undefined, complete: false, error, raw: undefined };
  }
  return { data, complete: complete && errors.length === 0, error: errors.length ? errors[0] : undefined, raw: undefined };
}

export function parallelMerge(backends: BackendHandler[], shadows: BackendHandler[]): BackendHandler {
  if (backends.length === 1 && shadows.length === 0) return backends[0];
  return async (input) => {
    for (const s of shadows) s(input).then((r) => r.raw && discardBody(r.raw.body), () => undefined);
    return combine(await Promise.all(backends.map((b) => b(input))));
  };
}

/** Backends in declaration order; {respN_x} placeholders read earlier answers. The first backend
 * failing fails the request; a later one failing stops the chain with a partial answer. */
export function sequentialMerge(backends: BackendHandler[]): BackendHandler {
  return async (input) => {
    const responses: (Data | undefined)[] = [];
    const results: ProxyResult[] = [];
    const call: CallInput = { ...input, responses };
    for (let i = 0; i < backends.length; i++) {
      const r = await backends[i](call);
      if (r.raw) {
        // A no-op backend inside a chain has no data for later placeholders.
        discardBody(r.raw.body);
        responses.push(undefined);
        continue;
      }
      if (i === 0 && r.error) return r;
      responses.push(r.data);
      results.push(r);
      if (r.error || !r.complete) {
        const merged = combine(results);
        return { ...merged, complete: false };
      }
    }
    return combine(results);
  };
}
