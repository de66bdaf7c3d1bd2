// Combining backend results into one endpoint result (lura's merger): parallel by default,
// sequential when configured. Data of later backends overwrites earlier top-level keys; the
// result is complete only when every backend answered completely.
import { GatewayError } from '../core/gateway-error.js';
import { dataResult, errorResult, type BackendHandler, type BackendResult, type CallInput, type Data } from '../core/backend-result.js';
import { discardBody, readUpstreamBody } from '../proxy/read-body.js';
import { safeSet } from '../shaping/util.js';

/** Largest no-op body kept for `respN` propagated params (sequential_propagated_params). */
const MAX_PROPAGATED_RAW = 1024 * 1024;

/** Later backends' top-level keys over earlier ones. Not Object.assign: its [[Set]] would make a
 * decoded `"__proto__"` key the merged object's prototype (the key lost from the answer, its
 * fields readable through the object) instead of a key like any other. */
function mergeInto(target: Data, source: Data): void {
  for (const k of Object.keys(source)) safeSet(target, k, source[k]);
}

/** The merged result of the backends' results, in declaration order. `owned`: the results'
 * data are the caller's alone (freshly decoded), so the first is merged into in place instead of
 * copied (a result from a wrapper, e.g. a cache, may be shared and is copied). */
export function combine(results: readonly BackendResult[], owned = false): BackendResult {
  let data: Data | undefined;
  let complete = true;
  const errors: GatewayError[] = [];
  for (const r of results) {
    if (r.kind === 'raw') {
      // A no-op answer among merged backends has no data to merge (its body is dropped).
      discardBody(r.raw.body);
      complete = false;
      continue;
    }
    if (r.error) errors.push(r.error);
    if (r.kind === 'error') {
      complete = false;
      continue;
    }
    if (!r.complete) complete = false;
    if (data === undefined) data = owned ? r.data : { ...r.data };
    else mergeInto(data, r.data);
  }
  if (!data)
    return errorResult(
      errors.length === 1 ? errors[0] : new GatewayError(errors[0]?.code ?? 'backend.failed', errors.map((e) => e.message).join('\n') || 'no data'),
    );
  return dataResult(data, complete && errors.length === 0, errors.length ? errors[0] : undefined);
}

export function parallelMerge(backends: BackendHandler[], shadows: BackendHandler[]): BackendHandler {
  if (backends.length === 1 && shadows.length === 0) return backends[0];
  return async (input) => {
    for (const s of shadows)
      s(input).then(
        (r) => r.kind === 'raw' && discardBody(r.raw.body),
        () => undefined,
      );
    return combine(await Promise.all(backends.map((b) => b(input))));
  };
}

/** Backends in declaration order; {respN_x} placeholders read earlier answers. The first backend
 * failing fails the request; a later one failing stops the chain with a partial answer.
 * `keepRaw`: no-op bodies are kept (bounded) for later backends (a propagated `respN` param). */
export function sequentialMerge(backends: BackendHandler[], keepRaw = false): BackendHandler {
  return async (input) => {
    const responses: (Data | undefined)[] = [];
    const results: BackendResult[] = [];
    const rawResponses: (string | undefined)[] | undefined = keepRaw ? [] : undefined;
    const call: CallInput = rawResponses ? { ...input, responses, rawResponses } : { ...input, responses };
    for (let i = 0; i < backends.length; i++) {
      const r = await backends[i](call);
      if (r.kind === 'raw') {
        // A no-op backend inside a chain has no data for later placeholders.
        if (rawResponses)
          rawResponses[i] = await readUpstreamBody(r.raw.body, MAX_PROPAGATED_RAW).then(
            (b) => b.toString('utf8'),
            () => undefined,
          );
        else discardBody(r.raw.body);
        responses.push(undefined);
        continue;
      }
      if (i === 0 && r.kind === 'error') return r;
      responses.push(r.kind === 'data' ? r.data : undefined);
      results.push(r);
      if (r.kind === 'error' || r.error || !r.complete) {
        const merged = combine(results);
        return merged.kind === 'data' ? dataResult(merged.data, false, merged.error) : merged;
      }
    }
    return combine(results);
  };
}
