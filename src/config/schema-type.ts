// The TypeScript type of a config value, derived from its JSON Schema (declared `as const`), so a
// component's config type cannot drift from the schema that validated it. Covers the subset the
// schemas use: string / boolean / integer / number, enum and const, arrays (lists and tuples),
// objects with properties and required, maps (additionalProperties), oneOf/anyOf as unions.
// A construct it does not know becomes `unknown`, which forces the component to narrow.

type Required<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

type ObjectOf<P, R> = {
  -readonly [K in keyof P as K extends R ? K : never]: FromSchema<P[K]>;
} & {
  -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K]>;
};

type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type FromSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly oneOf: readonly (infer O)[] }
      ? FromSchema<O>
      : S extends { readonly anyOf: readonly (infer O)[] }
        ? FromSchema<O>
        : S extends { readonly type: 'string' }
          ? string
          : S extends { readonly type: 'boolean' }
            ? boolean
            : S extends { readonly type: 'integer' | 'number' }
              ? number
              : S extends { readonly type: 'array'; readonly items: readonly [infer A, infer B] }
                ? [FromSchema<A>, FromSchema<B>]
                : S extends { readonly type: 'array'; readonly items: infer I }
                  ? FromSchema<I>[]
                  : S extends { readonly type: 'object'; readonly properties: infer P }
                    ? Simplify<ObjectOf<P, Required<S>>>
                    : S extends { readonly type: 'object'; readonly additionalProperties: infer A extends object }
                      ? Record<string, FromSchema<A>>
                      : unknown;
