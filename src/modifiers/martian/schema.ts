// JSON Schema (draft 2019-09) for `modifier/martian`, written for Rampart (not KrakenD's file).
// Not registered yet: the main engineer wires it after the pipeline refactor. compileMartian is
// stricter still (header names and values, base64, regex syntax, scope per modifier).

const scope = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { enum: ['request', 'response'] },
};
const str = { type: 'string' };
const bool = { type: 'boolean' };
const int = { type: 'integer' };
const nested = { $ref: '#' };
const comments = { '^[@$_#]': true };

function mod(props: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return {
    type: 'object',
    properties: { scope, ...props },
    required,
    patternProperties: comments,
    additionalProperties: false,
  };
}

const filter = (props: Record<string, unknown>, required: string[], hasElse = true): Record<string, unknown> =>
  mod({ ...props, modifier: nested, ...(hasElse ? { else: nested } : {}) }, ['modifier', ...required]);

const url = { scheme: { enum: ['http', 'https'] }, host: str, path: str, query: str };

const MODIFIERS: Record<string, unknown> = {
  'header.Modifier': mod({ name: str, value: str }, ['name']),
  'header.Append': mod({ name: str, value: str }, ['name']),
  'header.Blacklist': mod({ names: { type: 'array', items: str } }, ['names']),
  'header.Copy': mod({ from: str, to: str }, ['from', 'to']),
  'header.Id': mod({ header: str }),
  'header.Filter': filter({ name: str, value: str }, ['name']),
  'header.RegexFilter': filter({ header: str, regex: str }, ['header', 'regex'], false),
  'header.Verifier': mod({ name: str, value: str }, ['name']),
  'stash.Modifier': mod({ headerName: str }, ['headerName']),
  'querystring.Modifier': mod({ name: str, value: str }, ['name']),
  'querystring.Filter': filter({ name: str, value: str }, ['name']),
  'querystring.Verifier': mod({ name: { type: 'string', minLength: 1 }, value: str }, ['name']),
  'url.Modifier': mod(url),
  'url.Filter': filter(url, []),
  'url.RegexFilter': filter({ regex: str }, ['regex']),
  'url.Verifier': mod(url),
  'port.Modifier': {
    ...mod({ port: { type: 'integer', minimum: 1, maximum: 65535 }, defaultForScheme: bool, remove: bool }),
    oneOf: [
      {
        required: ['port'],
        not: {
          anyOf: [
            { required: ['defaultForScheme'], properties: { defaultForScheme: { const: true } } },
            { required: ['remove'], properties: { remove: { const: true } } },
          ],
        },
      },
      {
        required: ['defaultForScheme'],
        properties: { defaultForScheme: { const: true } },
        not: { anyOf: [{ required: ['port'] }, { required: ['remove'], properties: { remove: { const: true } } }] },
      },
      {
        required: ['remove'],
        properties: { remove: { const: true } },
        not: { anyOf: [{ required: ['port'] }, { required: ['defaultForScheme'], properties: { defaultForScheme: { const: true } } }] },
      },
    ],
  },
  'port.Filter': filter({ port: { type: 'integer', minimum: 0, maximum: 65535 } }, [], false),
  'method.Filter': filter({ method: str }, ['method']),
  'body.Modifier': mod({ body: { type: 'string', contentEncoding: 'base64' }, contentType: str }),
  'cookie.Modifier': mod(
    {
      name: str,
      value: str,
      path: str,
      domain: str,
      expires: { type: 'string', format: 'date-time' },
      secure: bool,
      httpOnly: bool,
      maxAge: int,
    },
    ['name'],
  ),
  'cookie.Filter': filter({ name: str, value: str }, ['name']),
  'status.Modifier': mod({ statusCode: { type: 'integer', minimum: 100, maximum: 599 } }, ['statusCode']),
  'status.Verifier': mod({ statusCode: { type: 'integer', minimum: 100, maximum: 599 } }, ['statusCode']),
  'fifo.Group': mod({ modifiers: { type: 'array', items: nested }, aggregateErrors: bool }, ['modifiers']),
  'priority.Group': mod(
    {
      modifiers: {
        type: 'array',
        items: {
          type: 'object',
          properties: { priority: int, modifier: nested },
          required: ['modifier'],
          patternProperties: comments,
          additionalProperties: false,
        },
      },
    },
    ['modifiers'],
  ),
  'skip.RoundTrip': mod({}),
};

export const MARTIAN_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  $id: 'https://rampart.invalid/schema/modifier/martian.json',
  title: 'modifier/martian',
  description: 'Exactly one martian modifier, filter or group ("package.Type": {...}).',
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  properties: MODIFIERS,
  additionalProperties: false,
};
