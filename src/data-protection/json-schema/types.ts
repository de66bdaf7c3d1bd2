// Plain data in and out of the JSON-schema engine (validation/json-schema and
// validation/response-json-schema).

export type Draft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

/** A schema without `$schema` is read as this draft (santhosh-tekuri/jsonschema v6, which CE
 * 2.13 uses, also defaults to its latest draft). */
export const DEFAULT_DRAFT: Draft = '2020-12';

export interface RequestSchemaOptions {
  /** router.return_error_msg: write the reason into the 400 body (KrakenD: empty body otherwise). */
  readonly returnErrorMsg: boolean;
  /** Effective max_payload in bytes (router, then endpoint proxy.max_payload); 0 = no limit here. */
  readonly maxPayload: number;
}

export type RequestBodyFailure = 'too-large' | 'empty' | 'malformed' | 'invalid';

export type RequestBodyResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly kind: RequestBodyFailure;
      readonly status: 400 | 413;
      /** '' unless returnErrorMsg. */
      readonly body: string;
      readonly contentType: 'text/plain; charset=utf-8';
    };

/** `validation/response-json-schema` as configured (KrakenD EE field names). */
export interface ResponseSchemaConfig {
  readonly schema: object | boolean;
  readonly error?: { readonly status?: number; readonly body?: string; readonly content_type?: string };
}

export interface ResponseSchemaOptions {
  /** router.return_error_msg: with no error.body configured, write the validation reason. */
  readonly returnErrorMsg: boolean;
}

export type ResponseSchemaResult = { readonly ok: true } | { readonly ok: false; readonly status: number; readonly body: string; readonly contentType: string };
