// Per answer: validates decoded (and shaped) data. A configured error.body is the author's
// text and is always sent; with none, the validation reason is sent only if return_error_msg
// allows (it describes the backend's answer, which the client was not meant to see).
import type { CompiledResponseSchema } from './compile-response-schema.js';
import { formatSchemaErrors } from './format-errors.js';
import type { ResponseSchemaResult } from './types.js';

export function runResponseSchema(c: CompiledResponseSchema, data: unknown): ResponseSchemaResult {
  if (c.validate(data)) return { ok: true };
  const body = c.body !== '' ? c.body : c.returnErrorMsg ? formatSchemaErrors(c.validate.errors) : '';
  return { ok: false, status: c.status, body, contentType: c.contentType };
}
