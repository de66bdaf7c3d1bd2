// Public surface of the Martian engine (no pipeline dependency). The adapter:
//   startup:  const m = compileMartian(cfg['modifier/martian'], '/endpoints/0/backend/0/extra_config/modifier~1martian')
//   request:  const err = runMartianRequest(m, req)      -> err: GatewayError(500), no HTTP call
//             if (req.skipRoundTrip) res = skippedResponse() else res = <HTTP call with req>
//   response: const err2 = runMartianResponse(m, res, req) -> err2: backend error (500)
// which is krakend-martian's HTTPRequestExecutor.

import type { CompiledModifier, MutableRequest, MutableResponse, StepResult } from './types.js';

export { compileMartian, MARTIAN_NAMES } from './compile-martian.js';
export { MARTIAN_SCHEMA } from './schema.js';
export { toMutableRequest, requestToSend, toMutableResponse, responseHeaders } from './convert.js';
export * from './types.js';

/** Runs the request phase; a string is the (Go-worded) error that must fail the backend call. */
export function runMartianRequest(m: CompiledModifier, req: MutableRequest): StepResult {
  return m.request ? m.request(req) : undefined;
}

/** Runs the response phase. Status 0 becomes 200 first, as krakend-martian does. */
export function runMartianResponse(m: CompiledModifier, res: MutableResponse, req: MutableRequest): StepResult {
  if (res.status === 0) res.status = 200;
  return m.response ? m.response(res, req) : undefined;
}

/** What krakend-martian answers when skip.RoundTrip skipped the call: 200, no headers, empty body. */
export function skippedResponse(): MutableResponse {
  return { status: 200, headers: new Map(), body: Buffer.alloc(0) };
}
