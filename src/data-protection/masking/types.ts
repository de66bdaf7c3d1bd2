// Plain data of `modifier/response-body` (EE content replacer; endpoint and backend).
import type { LinearRegExp } from '../re2/linear-regexp.js';

export interface ModifierFields {
  /** Dot path through objects (not arrays); absent: every string value in the body. */
  readonly field?: string;
  readonly find?: string;
  readonly replace?: string;
}

/** One item of `modifiers`: exactly one operation. */
export type ModifierConfig =
  | { readonly literal: ModifierFields }
  | { readonly regexp: ModifierFields }
  | { readonly upper: ModifierFields }
  | { readonly lower: ModifierFields }
  | { readonly trim: ModifierFields };

export interface ResponseBodyConfig {
  readonly modifiers: readonly ModifierConfig[];
}

/** A Go replacement template, parsed at startup: literal text and group numbers. */
export type TemplatePart = string | number;

export interface CompiledModifier {
  readonly op: 'literal' | 'regexp' | 'upper' | 'lower' | 'trim';
  /** null: every string value. */
  readonly path: readonly string[] | null;
  readonly apply: (s: string) => string;
}

export interface CompiledMasking {
  readonly modifiers: readonly CompiledModifier[];
}

export type MaskingResult =
  | { readonly ok: true; readonly data: unknown }
  /** Fail closed: the answer must not be sent unmasked (the adapter answers 500). */
  | { readonly ok: false; readonly reason: string };

export type { LinearRegExp };
