// Flexible configuration (FC_*) and KRAKEND_* overrides through the real config loader
// (src/config/load.ts with the component catalog): rendering, FC_OUT, and where problems
// are reported (template file:line:col; pointer + rendered line + template line).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../src/config/load.js';
import { COMPONENT_CATALOG } from '../../src/components/load-config.js';
import { ConfigError } from '../../src/core/config-error.js';

interface Layout {
  dir: string;
  file: string;
  env: Record<string, string>;
}

function layout(main: string, files: Record<string, string> = {}): Layout {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-fc-'));
  for (const sub of ['settings', 'partials', 'templates']) mkdirSync(join(dir, sub));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const file = join(dir, 'krakend.tmpl');
  writeFileSync(file, main);
  return { dir, file, env: { FC_ENABLE: '1', FC_SETTINGS: join(dir, 'settings'), FC_PARTIALS: join(dir, 'partials'), FC_TEMPLATES: join(dir, 'templates') } };
}

function problemOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('no ConfigError');
}

const MAIN = `{
  "version": 3,
  "name": "{{ .service.name }}",
  "port": {{ .service.port }},
  "endpoints": [
    {{- range $i, $e := .endpoints.list }}
    {{- if $i }},{{ end }}
    {{ template "endpoint.tmpl" (dict "e" $e "host" $.service.backend) }}
    {{- end }}
  ]
}
`;
const ENDPOINT = `{
      "endpoint": "{{ .e.path }}",
      "method": "{{ .e.method | default "GET" }}",
      "backend": [{ "host": [{{ marshal .host }}], "url_pattern": "{{ .e.upstream }}" }],
      {{ include "timeout.json" }}
    }`;
const FILES = {
  'settings/service.json': JSON.stringify({ name: 'flex', port: 8081, backend: 'http://127.0.0.1:9' }),
  'settings/endpoints.json': JSON.stringify({
    list: [
      { path: '/a', upstream: '/x' },
      { path: '/b', method: 'POST', upstream: '/y' },
    ],
  }),
  'templates/endpoint.tmpl': ENDPOINT,
  'partials/timeout.json': '"timeout": "2s"',
};

describe('flexible configuration', () => {
  it('renders settings, sub-templates and partials, and writes FC_OUT (owner-only)', () => {
    const l = layout(MAIN, FILES);
    const out = join(l.dir, 'rendered.json');
    const { config } = loadConfigFile(l.file, COMPONENT_CATALOG, { ...l.env, FC_OUT: out });
    assert.equal(config.name, 'flex');
    assert.equal(config.port, 8081);
    assert.deepEqual(
      config.endpoints.map((e) => [e.path, e.method, e.timeoutMs]),
      [
        ['/a', 'GET', 2000],
        ['/b', 'POST', 2000],
      ],
    );
    const rendered = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(rendered.endpoints[1].backend[0].host[0], 'http://127.0.0.1:9');
    assert.equal(statSync(out).mode & 0o777, 0o600);
  });

  it('without FC_ENABLE the file is read as JSON, as KrakenD does', () => {
    const l = layout(MAIN, FILES);
    const e = problemOf(() => loadConfigFile(l.file, COMPONENT_CATALOG, {}));
    assert.match(e.message, /not valid JSON/);
  });

  it('a template error names the template file and line:column', () => {
    const l = layout(MAIN, { ...FILES, 'templates/endpoint.tmpl': '{\n  "endpoint": "{{ .e.path | nope }}"\n}' });
    const e = problemOf(() => loadConfigFile(l.file, COMPONENT_CATALOG, l.env));
    assert.match(e.message, /templates\/endpoint\.tmpl:2:29: template: function "nope" not defined/);
    const l2 = layout(MAIN, { ...FILES, 'templates/endpoint.tmpl': '{\n\n  "x": {{ upper .e }}\n}' });
    assert.match(
      problemOf(() => loadConfigFile(l2.file, COMPONENT_CATALOG, l2.env)).message,
      /endpoint\.tmpl:3:11: template: executing "endpoint\.tmpl" at <upper \.e>: error calling upper: wrong type for value; expected string; got map/,
    );
  });

  it('a problem in the rendered config: its pointer, its rendered line and the template line that wrote it', () => {
    const bad = {
      ...FILES,
      'settings/endpoints.json': JSON.stringify({
        list: [
          { path: '/a', upstream: '/x' },
          { path: '/b', method: 'BREW', upstream: '/y' },
        ],
      }),
    };
    const l = layout(MAIN, bad);
    const out = join(l.dir, 'out.json');
    const e = problemOf(() => loadConfigFile(l.file, COMPONENT_CATALOG, { ...l.env, FC_OUT: out }));
    const p = e.problems.find((x) => x.pointer === '/endpoints/1/method');
    assert.ok(p, e.message);
    const renderedLines = readFileSync(out, 'utf8').split('\n');
    const lineNo = renderedLines.findIndex((s) => s.includes('"BREW"')) + 1;
    assert.match(
      p.message,
      new RegExp(`\\(line ${lineNo} of the rendered config ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, written by .*templates/endpoint\\.tmpl:3\\)`),
    );
  });

  it('rendered text that is not JSON: the line in the rendered text and the template line', () => {
    const l = layout(MAIN, { ...FILES, 'partials/timeout.json': '"timeout": "2s",' });
    const e = problemOf(() => loadConfigFile(l.file, COMPONENT_CATALOG, l.env));
    // The stray comma comes from the partial; the parser trips on the "}" after it, line 6 of endpoint.tmpl.
    assert.match(
      e.message,
      /krakend\.tmpl: \/: not valid JSON: .*\(line \d+:\d+ of the rendered config \(FC_OUT writes it\), written by .*templates\/endpoint\.tmpl:6\)$/,
    );
  });

  it('include cannot leave FC_PARTIALS', () => {
    const l = layout(MAIN, { ...FILES, 'templates/endpoint.tmpl': '{{ include "../settings/service.json" }}' });
    assert.match(
      problemOf(() => loadConfigFile(l.file, COMPONENT_CATALOG, l.env)).message,
      /include "\.\.\/settings\/service\.json": the file must be inside FC_PARTIALS/,
    );
  });

  it('a settings file that is not JSON is reported with its line and column', () => {
    const l = layout(MAIN, { ...FILES, 'settings/service.json': '{\n  "name": "x",\n  "port": }' });
    assert.match(problemOf(() => loadConfigFile(l.file, COMPONENT_CATALOG, l.env)).message, /settings\/service\.json:3:11: settings file is not valid JSON/);
  });

  it('a missing folder names its variable', () => {
    const l = layout(MAIN, FILES);
    assert.match(
      problemOf(() => loadConfigFile(l.file, COMPONENT_CATALOG, { ...l.env, FC_SETTINGS: join(l.dir, 'nope') })).message,
      /FC_SETTINGS: cannot read the folder: ENOENT/,
    );
  });

  it('env inside templates reads the environment', () => {
    const l = layout('{ "version": 3, "name": "{{ env "SVC_NAME" }}" }');
    assert.equal(loadConfigFile(l.file, COMPONENT_CATALOG, { ...l.env, SVC_NAME: 'from-env' }).config.name, 'from-env');
  });
});

describe('KRAKEND_* environment overrides', () => {
  const plain = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-env-'));
    const file = join(dir, 'krakend.json');
    writeFileSync(file, JSON.stringify({ version: 3, name: 'file', port: 8080, timeout: '3s' }));
    return file;
  };
  it('override root fields, decoded as KrakenD decodes them', () => {
    const { config, warnings } = loadConfigFile(plain(), COMPONENT_CATALOG, {
      KRAKEND_PORT: '9090',
      KRAKEND_NAME: 'env',
      KRAKEND_TIMEOUT: '5s',
      KRAKEND_DEBUG_ENDPOINT: 'true',
      KRAKEND_UNRELATED: 'x',
    });
    assert.equal(config.port, 9090);
    assert.equal(config.name, 'env');
    assert.equal(config.timeoutMs, 5000);
    assert.ok(warnings.some((w) => /KRAKEND_UNRELATED names no service field/.test(w)));
  });
  it('a bad value is a problem at the field, naming the variable', () => {
    const e = problemOf(() => loadConfigFile(plain(), COMPONENT_CATALOG, { KRAKEND_PORT: 'eighty' }));
    assert.match(e.message, /: \/port: KRAKEND_PORT: not an integer/);
    const e2 = problemOf(() => loadConfigFile(plain(), COMPONENT_CATALOG, { KRAKEND_TIMEOUT: 'soon' }));
    assert.match(e2.message, /\/timeout: .*\(set by the environment variable KRAKEND_TIMEOUT\)/);
    const e3 = problemOf(() => loadConfigFile(plain(), COMPONENT_CATALOG, { KRAKEND_PORT: '70000' }));
    assert.match(e3.message, /\/port: .*\(set by the environment variable KRAKEND_PORT\)/);
    const e4 = problemOf(() => loadConfigFile(plain(), COMPONENT_CATALOG, { KRAKEND_ENDPOINTS: '[]' }));
    assert.match(e4.message, /\/endpoints: KRAKEND_ENDPOINTS: "endpoints" is a list and cannot be set from an environment variable/);
  });
  it('apply to a flexible configuration too', () => {
    const l = layout('{ "version": 3, "port": 1 }');
    assert.equal(loadConfigFile(l.file, COMPONENT_CATALOG, { ...l.env, KRAKEND_PORT: '7070' }).config.port, 7070);
  });
});
