// A component owns one extra_config namespace: where it may appear and the schema of its value.
// Components are listed once, in components/registry.ts; a namespace nobody claims is a config
// error (never silently ignored, because an ignored security namespace is an open door).

export type Scope = 'service' | 'endpoint' | 'backend';

export interface ComponentSpec {
  readonly namespace: string;
  /** JSON Schema of the namespace value, per scope where it may appear. */
  readonly schemas: Partial<Record<Scope, object>>;
}
