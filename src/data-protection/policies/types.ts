// Plain data of `security/policies` (EE field names, krakend-schema v2.13 security/policies.json).
import type { CompiledPhase } from '../cel/types.js';

export interface PolicyErrorConfig {
  readonly status?: number;
  readonly body?: string;
  readonly content_type?: string;
}

export interface PoliciesConfig {
  readonly req?: { readonly policies: readonly string[]; readonly error?: PolicyErrorConfig };
  readonly resp?: { readonly policies: readonly string[]; readonly error?: PolicyErrorConfig };
  readonly jwt?: { readonly policies: readonly string[] };
  readonly auto_join_policies?: boolean;
  readonly disable_macros?: boolean;
  readonly debug?: boolean;
}

export interface PoliciesCompileContext {
  readonly level: 'endpoint' | 'backend';
  /** The endpoint has auth/validator (required by `jwt`; KrakenD skips jwt policies silently). */
  readonly jwtValidator: boolean;
  /** Router flag that lets error bodies reach the client (EE return_detailed_errors; the adapter
   * may map it to router.return_error_msg). */
  readonly returnDetailedErrors: boolean;
}

export interface CompiledSection {
  readonly phase: CompiledPhase;
  readonly status: number;
  /** Configured error.body ('' = none). */
  readonly body: string;
  readonly contentType: string;
}

export interface CompiledPolicies {
  readonly req: CompiledSection | null;
  readonly resp: CompiledSection | null;
  /** 401 on failure, no body. */
  readonly jwt: CompiledSection | null;
  readonly debug: boolean;
  readonly returnDetailedErrors: boolean;
}

export type PolicyOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly status: number;
      /** What the client gets: '' unless returnDetailedErrors. */
      readonly body: string;
      readonly contentType: string;
      /** Index of the failing policy (0 with auto_join_policies). */
      readonly index: number;
      /** For the application log: error.body or `request aborted by policy #N`, plus the cause.
       * Never contains input values (headers, claims), so it is safe to log. */
      readonly log: string;
      /** With debug: the failing policy's text, for the log (config text, not request data). */
      readonly policy?: string;
    };
