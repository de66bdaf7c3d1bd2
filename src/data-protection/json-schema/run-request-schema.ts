// Per request: max_payload, then parse (strict-json.ts), then validate. Whatever the
// Content-Type says (KrakenD does the same; conformance jsonschema_1 sends none), so a
// client cannot skip validation by mislabelling the body. The body is forwarded unchanged.
import type { CompiledRequestSchema } from './compile-request-schema.js';
import { formatSchemaErrors } from './format-errors.js';
import { parseStrictJson } from './strict-json.js';
import type { RequestBodyFailure, RequestBodyResult } from './types.js';

const TEXT = 'text/plain; charset=utf-8' as const;

function refuse(c: CompiledRequestSchema, kind: RequestBodyFailure, reason: string): RequestBodyResult {
  return { ok: false, kind, status: kind === 'too-large' ? 413 : 400, body: c.returnErrorMsg ? reason : '', contentType: TEXT };
}

export function runRequestSchema(c: CompiledRequestSchema, body: Buffer | null): RequestBodyResult {
  if (c.maxPayload > 0 && body && body.length > c.maxPayload) return refuse(c, 'too-large', 'request body too large');
  if (!body || body.length === 0) return refuse(c, 'empty', 'could not validate an empty body');
  const parsed = parseStrictJson(body);
  if (!parsed.ok) return refuse(c, 'malformed', parsed.reason);
  if (!c.validate(parsed.value)) return refuse(c, 'invalid', formatSchemaErrors(c.validate.errors));
  return { ok: true, value: parsed.value };
}
