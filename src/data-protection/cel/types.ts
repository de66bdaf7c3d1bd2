// Plain data of the CEL engine (validation/cel), shared with security/policies.
import type { ParseResult } from '@marcbachmann/cel-js';

/** Where an expression runs, decided from the variables its syntax tree references. */
export type CelPhase = 'request' | 'response' | 'jwt';

/** Endpoint or backend extra_config. */
export type CelLevel = 'endpoint' | 'backend';

/** `validation/cel` as configured: a non-empty list of `{check_expr}`. */
export type CelConfig = readonly { readonly check_expr: string }[];

export interface CelCompileContext {
  readonly level: CelLevel;
  /** The endpoint has auth/validator: required by any JWT-phase expression. */
  readonly jwtValidator: boolean;
}

/** One expression, compiled at startup. */
export interface CompiledExpression {
  /** The expression as configured (for logs and debug; the program may be a rewrite of it). */
  readonly source: string;
  readonly pointer: string;
  readonly phase: CelPhase;
  /** KrakenD variables it references (the activation binds only these). */
  readonly uses: ReadonlySet<string>;
  readonly program: ParseResult;
}

/** The expressions of one phase in config order; the abort index counts within the phase. */
export interface CompiledPhase {
  readonly checks: readonly CompiledExpression[];
  readonly uses: ReadonlySet<string>;
}

export interface CompiledCel {
  readonly level: CelLevel;
  readonly request: CompiledPhase;
  readonly response: CompiledPhase;
  /** Endpoint only; evaluated inside the JWT validator with only `JWT` and `now` bound. */
  readonly jwt: CompiledPhase;
}

export type CelOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly phase: CelPhase;
      /** Index within the phase's list, as KrakenD counts. */
      readonly index: number;
      /** `request aborted by evaluator #N`: the body only with return_error_msg. */
      readonly message: string;
      /** Why: `false`, `returned T, not bool` or `evaluation error (code)`; never input values. */
      readonly cause: string;
    };
