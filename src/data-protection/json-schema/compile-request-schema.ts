// `validation/json-schema` (endpoint): compiled once at startup; any failure stops startup.
import type { ValidateFunction } from 'ajv';
import { fail } from '../compile-error.js';
import { compileSchemaDocument } from './compile-ajv.js';
import type { Draft, RequestSchemaOptions } from './types.js';

export interface CompiledRequestSchema {
  readonly draft: Draft;
  readonly validate: ValidateFunction;
  readonly returnErrorMsg: boolean;
  readonly maxPayload: number;
}

export function compileRequestSchema(schema: unknown, pointer: string, opts: RequestSchemaOptions): CompiledRequestSchema {
  if (!Number.isSafeInteger(opts.maxPayload) || opts.maxPayload < 0) fail(pointer, 'max_payload must be a non-negative integer');
  const { validate, draft } = compileSchemaDocument(schema, pointer);
  return { draft, validate, returnErrorMsg: opts.returnErrorMsg, maxPayload: opts.maxPayload };
}
