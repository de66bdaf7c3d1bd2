import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  compileBodyGenerator,
  requestTemplateData,
  responseTemplateData,
  TemplateRunError,
  BODY_GENERATOR_SCHEMA,
  type RequestTemplateInput,
} from '../../src/modifiers/body-generator/index.js';
import { MartianConfigError } from '../../src/modifiers/martian/index.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const base = '/endpoints/0/backend/0/extra_config/modifier~1request-body-generator';

const input = (over: Partial<RequestTemplateInput> = {}): RequestTemplateInput => ({
  body: {
    user: { id: 42, name: 'Ann' },
    items: [
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 3 },
    ],
  },
  headers: [
    ['x-tenant', ['acme']],
    ['user-agent', ['curl/8']],
  ],
  params: { Id: '7' },
  query: { page: ['2'] },
  path: '/orders/7',
  method: 'POST',
  ...over,
});

function render(tpl: string, data: Record<string, unknown> = requestTemplateData(input()), cfg: Record<string, unknown> = {}): string {
  return compileBodyGenerator({ template: b64(tpl), ...cfg }, base)
    .render(data)
    .toString();
}

function refused(cfg: unknown, pointer: string, re: RegExp): void {
  assert.throws(
    () => compileBodyGenerator(cfg, base),
    (e: unknown) => {
      assert.ok(e instanceof MartianConfigError, String(e));
      assert.equal(e.pointer, pointer);
      assert.match(e.reason, re);
      return true;
    },
  );
}

describe('request body generator templates', () => {
  it('reads body, headers, params, query, method and variables', () => {
    const out = render(
      '{"uid": {{ .req_body.user.id }}, "tenant": {{ index .req_headers "X-Tenant" 0 | toJson }}, "id": "{{ .req_params.Id }}", "page": {{ index .req_querystring "page" 0 }}, "m": "{{ .req_method }}", "env": "{{ .variables.env }}"}',
      requestTemplateData(input()),
      { variables: { env: 'prod' } },
    );
    assert.deepEqual(JSON.parse(out), { uid: 42, tenant: 'acme', id: '7', page: 2, m: 'POST', env: 'prod' });
  });
  it('range with index and value, trim markers, if/else if/else, with', () => {
    const tpl =
      '[{{- range $i, $it := .req_body.items }}{{ if $i }},{{ end }}{"sku": {{ toJson $it.sku }}, "big": {{ if gt $it.qty 2 }}true{{ else if eq $it.qty 2 }}null{{ else }}false{{ end }}}{{- end -}}]{{ with .req_body.user }} {{ .name }}{{ end }}';
    assert.equal(render(tpl), '[{"sku": "a", "big": false},{"sku": "b", "big": true}] Ann');
  });
  it('variables and pipelines with Sprig functions', () => {
    assert.equal(
      render('{{ $n := .req_body.user.name }}{{ $n | upper | printf "%s!" }} {{ default "none" .req_body.missing }} {{ len .req_body.items }} {{ add 1 2 }}'),
      'ANN! none 2 3',
    );
  });
  it('`.a.b` is one chain, `.a .b` two arguments, `(f).a` a field of a result', () => {
    assert.equal(
      render('{{ printf "%v-%v" .req_body.user.id .req_path }} {{ (index .req_body.items 1).sku }} {{ $.req_body.user.name }}'),
      '42-/orders/7 b Ann',
    );
  });
  it('prints values the way Go does', () => {
    assert.equal(
      render('{{ .req_body.n }} {{ .req_body.f }} {{ .req_body.missing }} {{ .req_body.nil }} {{ .req_body.list }} {{ .req_body.m }}', {
        req_body: { n: 1000000, f: 0.5, nil: null, list: [1, 'a'], m: { b: 1, a: true } },
      }),
      '1e+06 0.5 <no value> <nil> [1 a] map[a:true b:1]',
    );
    assert.equal(render('{{ toJson .x }}', { x: { b: '<&>', a: [1] } }), '{"a":[1],"b":"\\u003c\\u0026\\u003e"}');
  });
  it('comments are dropped', () => {
    assert.equal(render('a{{/* note */}}b {{- /* trimmed */ -}} c'), 'abc');
  });
  it('data is read as data: prototype names are no value, never host objects', () => {
    assert.equal(render('{{ .req_body.constructor }}|{{ .req_body.__proto__ }}|{{ index .req_body "toString" }}'), '<no value>|<no value>|<no value>');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  it('runtime errors are TemplateRunError (the request fails, nothing leaks)', () => {
    assert.throws(() => render('{{ .req_body.nil.x }}', { req_body: { nil: null } }), TemplateRunError);
    assert.throws(() => render('{{ .req_body.user.name.first }}'), /can't evaluate field first/);
    assert.throws(() => render('{{ index .req_body.items 9 }}'), /out of range/);
    assert.throws(() => render('{{ $nope }}'), /undefined variable/);
  });
});

describe('template bounds', () => {
  it('output is capped', () => {
    const g = compileBodyGenerator({ template: b64('{{ range .a }}{{ range $.a }}xxxxxxxxxx{{ end }}{{ end }}') }, base, { maxBytes: 10_000 });
    assert.throws(() => g.render({ a: Array.from({ length: 100 }, (_, i) => i) }), /output exceeds 10000 bytes/);
  });
  it('steps are capped: nested ranges over a large list stop, they do not hang', () => {
    const g = compileBodyGenerator({ template: b64('{{ range .a }}{{ range $.a }}{{ range $.a }}{{ end }}{{ end }}{{ end }}') }, base);
    assert.throws(() => g.render({ a: Array.from({ length: 1000 }, (_, i) => i) }), /more than 200000 steps/);
  });
  it('one call cannot build a huge string', () => {
    assert.throws(() => render('{{ printf "%s%s" .s .s }}', { s: 'x'.repeat(600_000) }), /too long/);
  });
});

describe('body generator config', () => {
  it('content_type defaults to application/json; debug and comments accepted', () => {
    const g = compileBodyGenerator({ template: b64('{}'), debug: true, '@comment': 'x' }, base);
    assert.equal(g.contentType, 'application/json');
    assert.equal(compileBodyGenerator({ template: b64('<a/>'), content_type: 'text/xml' }, base).contentType, 'text/xml');
  });
  it('syntax errors stop startup with the pointer of the template', () => {
    refused({ template: b64('{{ if .a }}x') }, `${base}/template`, /missing \{\{end\}\}/);
    refused({ template: b64('{{ .a ') }, `${base}/template`, /unclosed action/);
    refused({ template: b64('{{ exec "ls" }}') }, `${base}/template`, /function "exec" not defined/);
    refused({ template: b64('{{ define "x" }}{{ template "x" }}{{ end }}') }, `${base}/template`, /not supported/);
    refused({ template: b64('{{ end }}') }, `${base}/template`, /unexpected \{\{end\}\}/);
  });
  it('exactly one of template and path; base64 required; unknown keys refused', () => {
    refused({}, base, /exactly one/);
    refused({ template: b64('x'), path: 'a.tmpl' }, base, /exactly one/);
    refused({ template: '{"not": "base64"}' }, `${base}/template`, /base64/);
    refused({ template: b64('x'), vars: {} }, `${base}/vars`, /unknown key/);
    refused({ template: b64('x'), variables: [] }, `${base}/variables`, /object/);
    refused({ path: '/nonexistent/rampart/x.tmpl' }, `${base}/path`, /cannot read template/);
  });
  it('a path template is read once at startup', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-bodygen-'));
    try {
      const file = join(dir, 'body.json.tmpl');
      writeFileSync(file, '{"name": {{ toJson .req_body.user.name }}}');
      const g = compileBodyGenerator({ path: file }, base);
      writeFileSync(file, 'changed');
      assert.equal(g.render(requestTemplateData(input())).toString(), '{"name": "Ann"}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('schema shape', () => {
    assert.equal((BODY_GENERATOR_SCHEMA.oneOf as unknown[]).length, 2);
  });
});

describe('response body generator', () => {
  it('KrakenD docs example: data, status and headers into a new body', () => {
    const tpl = '{\n  "data": {{ toJson .resp_body }},\n  "status_code": {{ toJson .resp_status }},\n  "headers": {{ toJson .resp_headers }}\n}';
    const data = responseTemplateData({ body: { a: 1 }, status: 201, headers: [['content-type', ['application/json']]] });
    assert.deepEqual(JSON.parse(render(tpl, data)), { data: { a: 1 }, status_code: 201, headers: { 'Content-Type': ['application/json'] } });
  });
  it('sees the request too when the adapter passes it', () => {
    const data = responseTemplateData({ body: {}, status: 200, headers: [] }, input());
    assert.equal(render('{{ .req_method }} {{ .resp_status }}', data), 'POST 200');
  });
});
