// JSON Schema (draft 2019-09) shared by `modifier/request-body-generator`,
// `modifier/body-generator` and `modifier/response-body-generator`, written for Rampart. Not
// registered yet: the main engineer wires it after the pipeline refactor.

export const BODY_GENERATOR_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  $id: 'https://rampart.invalid/schema/modifier/body-generator.json',
  title: 'Template body generator',
  type: 'object',
  oneOf: [{ required: ['template'] }, { required: ['path'] }],
  properties: {
    template: { type: 'string', contentEncoding: 'base64', description: 'Inline template, base64-encoded.' },
    path: { type: 'string', minLength: 1, description: 'Template file, read once at startup.' },
    content_type: { type: 'string', minLength: 1, default: 'application/json' },
    debug: { type: 'boolean', default: false, description: 'Accepted; Rampart never logs bodies.' },
    variables: { type: 'object' },
  },
  patternProperties: { '^[@$_#]': true },
  additionalProperties: false,
};
