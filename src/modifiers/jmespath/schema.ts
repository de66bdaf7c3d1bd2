// JSON Schema (draft 2019-09) for `modifier/jmespath`, written for Rampart. Not registered yet:
// the main engineer wires it after the pipeline refactor. compileJmespath also parses `expr`.

export const JMESPATH_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  $id: 'https://rampart.invalid/schema/modifier/jmespath.json',
  title: 'modifier/jmespath',
  description: "A JMESPath expression applied to the response data (endpoint: the merged data; backend: that backend's).",
  type: 'object',
  required: ['expr'],
  properties: { expr: { type: 'string', minLength: 1, maxLength: 8192 } },
  patternProperties: { '^[@$_#]': true },
  additionalProperties: false,
};
