// `documentation/openapi` (KrakenD EE, service and endpoint level): metadata for the OpenAPI
// document `rampart openapi` writes (src/openapi-export). Validated like any namespace (a typo stops
// the start with its pointer); no effect on requests, so no runtime.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { FromSchema } from '../../../config/schema-type.js';
import type { ComponentSpec } from '../../types.js';

const text = { type: 'string' } as const;
const anyValue = { type: ['string', 'object', 'array', 'boolean', 'integer', 'null', 'number'] } as const;
const item = <P extends Record<string, object>, R extends readonly string[]>(properties: P, required: R) =>
  ({ type: 'object', additionalProperties: false, patternProperties: COMMENT_KEYS, required, properties }) as const;

const PARAM_TYPES = ['integer', 'number', 'string', 'boolean', 'object', 'array', 'float', 'date-time'] as const;
const FORMATS = ['int32', 'int64', 'float', 'double', 'date', 'date-time', 'byte', 'uuid', ''] as const;

const content = item(
  {
    description: text,
    content_type: text,
    example: anyValue,
    examples: { type: 'object', additionalProperties: anyValue },
    example_schema: { type: ['string', 'object'] },
    ref: text,
  },
  [] as const,
);

export const openapiSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: {
    description: text,
    summary: text,
    version: text,
    host: text,
    base_path: text,
    terms_of_service: text,
    contact_name: text,
    contact_email: text,
    contact_url: text,
    license_name: text,
    license_url: text,
    operation_id: text,
    jwt_key: text,
    cookie_name: text,
    tags: { type: 'array', items: text },
    audience: { type: 'array', items: text },
    schemes: { type: 'array', items: text },
    example: { type: ['object', 'string'] },
    disable_default_response_definitions: { type: 'boolean' },
    servers: {
      type: 'array',
      items: item(
        { url: { type: ['string', 'object'] }, description: text, variables: { type: 'object', additionalProperties: { type: ['string', 'object'] } } },
        ['url'] as const,
      ),
    },
    tag_definition: { type: 'array', items: item({ name: text, description: text }, ['name'] as const) },
    header_definition: {
      type: 'array',
      items: item(
        { name: text, description: text, type: { enum: PARAM_TYPES }, enum: { type: 'array' }, required: { type: 'boolean' }, hide: { type: 'boolean' } },
        ['name'] as const,
      ),
    },
    param_definition: {
      type: 'array',
      items: item(
        {
          name: text,
          description: text,
          type: { enum: PARAM_TYPES },
          format: { enum: FORMATS },
          enum: { type: 'array' },
          required: { type: 'boolean' },
          hide: { type: 'boolean' },
          example: { type: ['string', 'number', 'boolean', 'array', 'object'] },
          examples: { type: 'object' },
        },
        ['name'] as const,
      ),
    },
    query_definition: {
      type: 'array',
      items: item(
        {
          name: text,
          description: text,
          type: { enum: PARAM_TYPES },
          format: { enum: FORMATS },
          enum: { type: 'array' },
          required: { type: 'boolean' },
          hide: { type: 'boolean' },
          example: anyValue,
        },
        ['name'] as const,
      ),
    },
    request_definition: { type: 'array', items: { ...content, required: ['content_type'] as const } },
    // Keys: an HTTP status ("200") or "default".
    response_definition: { type: 'object', additionalProperties: false, patternProperties: { '^(default|[1-5][0-9][0-9])$': content } },
    components_schemas: { type: 'object', additionalProperties: { type: ['string', 'object'] } },
    custom_security_schemes: { type: 'object', additionalProperties: { type: 'object' } },
  },
} as const;

export type OpenapiConfig = FromSchema<typeof openapiSchema>;

export const openapiComponent: ComponentSpec<OpenapiConfig> = {
  namespace: 'documentation/openapi',
  schemas: { service: openapiSchema, endpoint: openapiSchema },
};
