// `validation/response-json-schema` (EE; endpoint and backend): schema plus the error answered
// when a response does not match (status 500, body '', content_type text/plain by default).
import type { ValidateFunction } from 'ajv';
import { fail, pointerJoin } from '../compile-error.js';
import { compileSchemaDocument } from './compile-ajv.js';
import type { Draft, ResponseSchemaConfig, ResponseSchemaOptions } from './types.js';

export interface CompiledResponseSchema {
  readonly draft: Draft;
  readonly validate: ValidateFunction;
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly returnErrorMsg: boolean;
}

export function compileResponseSchema(config: ResponseSchemaConfig, pointer: string, opts: ResponseSchemaOptions): CompiledResponseSchema {
  if (!config || typeof config !== 'object' || !('schema' in config)) fail(pointer, 'schema is required');
  const status = config.error?.status ?? 500;
  if (!Number.isInteger(status) || status < 100 || status > 599) fail(pointerJoin(pointer, 'error', 'status'), 'status must be an HTTP status (100-599)');
  const contentType = config.error?.content_type ?? 'text/plain';
  if (/[\r\n]/.test(contentType)) fail(pointerJoin(pointer, 'error', 'content_type'), 'content_type must be one line');
  const { validate, draft } = compileSchemaDocument(config.schema, pointerJoin(pointer, 'schema'));
  return { draft, validate, status, body: config.error?.body ?? '', contentType, returnErrorMsg: opts.returnErrorMsg };
}
