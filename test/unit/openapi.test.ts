// `rampart openapi`: the document of a config with documentation/openapi metadata at both
// levels and every authentication component, checked against the OpenAPI 3.1 JSON Schema (the
// official schema, as @seriousme/openapi-schema-validator ships and applies it with ajv), and
// read back for what it must say: paths with {params}, methods, metadata, security schemes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { BIN, writeConfig } from '../helpers/gateway.js';
import { Pki } from '../transport/helpers/pki.js';
import { loadConfigText } from '../../src/components/load-config.js';
import { buildOpenapi } from '../../src/openapi-export/document.js';

const DIGEST = 'a'.repeat(64);
const config = {
  version: 3,
  name: 'Bookshop',
  extra_config: {
    'documentation/openapi': {
      description: 'The bookshop API',
      version: '2.1.0',
      contact_name: 'Ops',
      contact_email: 'ops@example.com',
      license_name: 'MIT',
      license_url: 'https://opensource.org/licenses/MIT',
      host: 'api.example.com',
      base_path: '/v1',
      schemes: ['https'],
      tag_definition: [{ name: 'books', description: 'Books' }],
      components_schemas: { Book: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } },
      jwt_key: 'BearerJWT',
    },
    'auth/api-keys': { keys: [{ key: DIGEST, roles: ['reader'] }], hash: 'sha256', strategy: 'header', identifier: 'X-Key' },
    'auth/basic': { users: { admin: '$2y$10$abcdefghijklmnopqrstuuJ5Zq1cZl5W2pXhHn1V0Y5j6o0bG0Y4y' } },
  },
  endpoints: [
    {
      endpoint: '/books/{id}',
      input_query_strings: ['fields'],
      backend: [{ url_pattern: '/books/{id}', host: ['http://127.0.0.1:9'] }],
      extra_config: {
        'documentation/openapi': {
          summary: 'One book',
          operation_id: 'getBook',
          tags: ['books'],
          audience: ['public'],
          param_definition: [{ name: 'id', type: 'integer', description: 'the book id', example: 7 }],
          query_definition: [{ name: 'lang', type: 'string', enum: ['en', 'fr'] }],
          header_definition: [
            { name: 'X-Trace', description: 'trace id' },
            { name: 'X-Hidden', hide: true },
          ],
          response_definition: { '200': { content_type: 'application/json', ref: 'Book', example: { id: 7 } }, '404': { description: 'No such book' } },
        },
        'auth/validator': { alg: 'RS256', jwk_url: 'https://idp.example.com/jwks.json', cache: true },
      },
    },
    {
      endpoint: '/books',
      method: 'POST',
      backend: [{ url_pattern: '/books', host: ['http://127.0.0.1:9'] }],
      extra_config: {
        'documentation/openapi': {
          request_definition: [{ content_type: 'application/json', example_schema: '{"type":"object"}', example: { title: 'x' } }],
          disable_default_response_definitions: true,
          response_definition: { '201': { description: 'Created' } },
        },
        'auth/api-keys': { roles: ['reader'] },
      },
    },
    { endpoint: '/admin', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }], extra_config: { 'auth/basic': {} } },
    { endpoint: '/open', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] },
  ],
};

type Json = Record<string, any>;

async function assertValid(doc: Json): Promise<void> {
  const v = new Validator();
  const r = await v.validate(doc);
  assert.equal(v.version, '3.1');
  assert.ok(r.valid, JSON.stringify(r.errors, null, 2));
}

describe('rampart openapi', () => {
  const loaded = loadConfigText('t.json', JSON.stringify(config));
  const doc = buildOpenapi(loaded.config) as Json;

  it('is a valid OpenAPI 3.1 document', async () => {
    await assertValid(doc);
  });

  it('the validator is not a rubber stamp: a broken document fails', async () => {
    const broken = structuredClone(doc);
    broken.paths['/books/{id}'].get.responses = 'none';
    const r = await new Validator().validate(broken);
    assert.equal(r.valid, false);
  });

  it('carries the service metadata, paths with {params}, methods and endpoint metadata', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.info, {
      title: 'Bookshop',
      version: '2.1.0',
      description: 'The bookshop API',
      contact: { name: 'Ops', email: 'ops@example.com' },
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
    });
    assert.deepEqual(doc.servers, [{ url: 'https://api.example.com/v1' }]);
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/admin', '/books', '/books/{id}', '/open']);
    const get = doc.paths['/books/{id}'].get;
    assert.equal(get.operationId, 'getBook');
    assert.equal(get.summary, 'One book');
    assert.deepEqual(
      get.parameters.map((p: Json) => `${p.in}:${p.name}:${p.required}`),
      ['path:id:true', 'query:lang:false', 'query:fields:false', 'header:X-Trace:false'],
    );
    assert.deepEqual(get.parameters[0].schema, { type: 'integer' });
    assert.deepEqual(get.responses['200'].content['application/json'], { schema: { $ref: '#/components/schemas/Book' }, example: { id: 7 } });
    assert.equal(get.responses['404'].description, 'No such book');
    assert.ok(get.responses['500'], 'default 500 kept');
    const post = doc.paths['/books'].post;
    assert.deepEqual(Object.keys(post.responses), ['201']);
    assert.deepEqual(post.requestBody.content['application/json'].schema, { type: 'object' });
    assert.deepEqual(Object.keys(doc.paths['/open']), ['get']);
  });

  it('security schemes come from the auth components', () => {
    assert.deepEqual(doc.components.securitySchemes, {
      BearerJWT: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      'ApiKey-header-X-Key': { type: 'apiKey', in: 'header', name: 'X-Key' },
      BasicAuth: { type: 'http', scheme: 'basic' },
    });
    assert.deepEqual(doc.paths['/books/{id}'].get.security, [{ BearerJWT: [] }]);
    assert.deepEqual(doc.paths['/books'].post.security, [{ 'ApiKey-header-X-Key': [] }]);
    assert.deepEqual(doc.paths['/admin'].get.security, [{ BasicAuth: [] }]);
    assert.deepEqual(doc.paths['/open'].get.security, []);
  });

  it('query-string API keys, JWT in a cookie and mutual TLS', async () => {
    const pki = new Pki();
    const ca = pki.ca('ca');
    const leaf = pki.issue(ca, 'gw', { usage: 'server', dns: ['localhost'] });
    const c = structuredClone(config) as Json;
    c.extra_config['auth/api-keys'].strategy = 'query_string';
    c.extra_config['auth/api-keys'].identifier = 'api_key';
    c.endpoints[0].extra_config['auth/validator'].cookie_key = 'session';
    c.tls = { keys: [{ public_key: leaf.certFile, private_key: leaf.keyFile }], enable_mtls: true, ca_certs: [ca.certFile] };
    const d = buildOpenapi(loadConfigText('t.json', JSON.stringify(c)).config) as Json;
    await assertValid(d);
    assert.deepEqual(d.components.securitySchemes['ApiKey-query-api_key'], { type: 'apiKey', in: 'query', name: 'api_key' });
    assert.deepEqual(d.components.securitySchemes.SESSIONID, { type: 'apiKey', in: 'cookie', name: 'session', description: 'JWT in a cookie' });
    assert.equal(d.components.securitySchemes.MutualTLS.type, 'mutualTLS');
    assert.deepEqual(d.paths['/open'].get.security, [{ MutualTLS: [] }]);
    assert.deepEqual(d.paths['/books/{id}'].get.security, [{ SESSIONID: [], MutualTLS: [] }]);
  });

  it('-a keeps the endpoints of one audience', () => {
    const d = buildOpenapi(loaded.config, { audience: 'public' }) as Json;
    assert.deepEqual(Object.keys(d.paths), ['/books/{id}']);
  });

  it('the command writes the document to -o; a typo in the metadata stops it with a pointer', async () => {
    const file = writeConfig(config);
    const out = join(file, '..', 'openapi.json');
    const r = spawnSync(process.execPath, [BIN, 'openapi', '-c', file, '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(written, doc);
    const bad = structuredClone(config) as Json;
    bad.endpoints[0].extra_config['documentation/openapi'].sumary = 'x';
    const r2 = spawnSync(process.execPath, [BIN, 'openapi', '-c', writeConfig(bad)], { encoding: 'utf8' });
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /\/endpoints\/0\/extra_config\/documentation~1openapi\/sumary: unknown field "sumary" \(did you mean "summary"\?\)/);
  });
});

describe('rampart openapi on the shipped examples', () => {
  it('every example config that loads gives a valid OpenAPI 3.1 document', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'examples');
    let n = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      let loaded;
      try {
        loaded = loadConfigText(join(dir, f), readFileSync(join(dir, f), 'utf8'));
      } catch {
        continue; // needs files or settings that are not there; not this test's subject
      }
      await assertValid(buildOpenapi(loaded.config) as Json);
      n++;
    }
    assert.ok(n >= 2, `documents checked: ${n}`);
  });
});
