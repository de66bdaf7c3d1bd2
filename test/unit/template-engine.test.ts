// The Go text/template engine (src/template) against Go's documented semantics: each expected
// output is what Go 1.22's text/template with Sprig v3 prints for the same template and data
// (JSON numbers are float64 there, template literals int).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonValue, renderString, TemplateSet, createFuncs, DEFAULT_LIMITS } from '../../src/template/index.js';

const DATA = parseJsonValue(
  JSON.stringify({
    s: 'hi',
    n: 3,
    big: 1000000,
    frac: 0.5,
    nul: null,
    t: true,
    list: [1, 2, 3],
    strs: ['b', 'a', 'c'],
    m: { z: 1, a: 2, m: 'x' },
    nested: { a: { b: { c: 'deep' } } },
    endpoints: [{ path: '/a', host: 'h1' }, { path: '/b' }],
  }),
);

function r(text: string, data = DATA, env: Record<string, string> = {}): string {
  return renderString(text, data, env);
}

function err(text: string, data = DATA): string {
  try {
    r(text, data);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`no error for ${text}`);
}

describe('template engine: text, trimming, comments', () => {
  it('copies text and prints fields', () => {
    assert.equal(r('a {{ .s }} b'), 'a hi b');
    assert.equal(r('{{.s}}{{.n}}'), 'hi3');
  });
  it('trims white space beside {{- and -}} (spaces, tabs, newlines), and not without the space', () => {
    assert.equal(r('a  \n\t {{- .s -}} \n  b'), 'ahib');
    assert.equal(r('a {{- .s }} b'), 'ahi b');
    assert.equal(r('{{ 3 }} {{- -2 }}'), '3-2');
    assert.equal(r('{{-3}}'), '-3');
  });
  it('drops comments, with trim markers too', () => {
    assert.equal(r('a{{/* x */}}b'), 'ab');
    assert.equal(r('a \n{{- /* x\n y */ -}}\n b'), 'ab');
  });
});

describe('template engine: values as Go prints them', () => {
  it('float64 from JSON with %v: shortest digits, exponent from 1e6', () => {
    assert.equal(r('{{ .n }} {{ .big }} {{ .frac }}'), '3 1e+06 0.5');
    assert.equal(r("{{ 1e6 }} {{ 3.0 }} {{ 1000000 }} {{ 0x10 }} {{ 0o17 }} {{ 1_000 }} {{ 'a' }}"), '1e+06 3 1000000 16 15 1000 97');
  });
  it('missing keys print <no value>, and fields of a missing key too; a JSON null as well', () => {
    assert.equal(r('{{ .nope }}|{{ .nope.deeper }}|{{ .nul }}'), '<no value>|<no value>|<no value>');
  });
  it('lists and maps print as Go prints them, maps in sorted key order', () => {
    assert.equal(r('{{ .list }} {{ .m }} {{ .strs }}'), '[1 2 3] map[a:2 m:x z:1] [b a c]');
    assert.equal(r('{{ list 1 nil "a" }}'), '[1 <nil> a]');
  });
  it('a field of nil is an error; a field of a string names the type', () => {
    assert.match(err('{{ .nul.x }}'), /nil pointer evaluating interface \{\}\.x/);
    assert.match(err('{{ .s.length }}'), /can't evaluate field length in type string/);
  });
  it('reads own keys only: no prototype properties', () => {
    assert.equal(r('{{ .constructor }}|{{ .m.toString }}|{{ .__proto__ }}|{{ .m.hasOwnProperty }}'), '<no value>|<no value>|<no value>|<no value>');
    const d = parseJsonValue('{"__proto__": {"x": 1}}');
    assert.equal(r('{{ .__proto__.x }}', d), '1');
    assert.equal(r('{{ $d := dict }}{{ $_ := set $d "__proto__" 5 }}{{ $d }} {{ toJson $d }}'), 'map[__proto__:5] {"__proto__":5}');
  });
});

describe('template engine: control structures', () => {
  it('if / else if / else on Go truth', () => {
    const t = '{{ if eq .n 1.0 }}one{{ else if eq .n 3 }}three{{ else }}other{{ end }}';
    assert.equal(r(t), 'three');
    assert.equal(r('{{ if .nope }}a{{ else }}b{{ end }}{{ if "" }}c{{ end }}{{ if .list }}d{{ end }}{{ if 0 }}e{{ end }}{{ if .m }}f{{ end }}'), 'bdf');
  });
  it('range over a list with $i, $v and a separator on $i', () => {
    assert.equal(r('{{ range $i, $e := .list }}{{ if $i }},{{ end }}{{ $e }}{{ end }}'), '1,2,3');
    assert.equal(r('{{ range .endpoints }}{{ .path }}{{ end }}'), '/a/b');
  });
  it('range over a map visits keys in sorted order', () => {
    assert.equal(r('{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}'), 'a=2;m=x;z=1;');
    assert.equal(r('{{ range .m }}{{ . }}{{ end }}'), '2x1');
  });
  it('range else, over nil and empty; range over an integer; break and continue', () => {
    assert.equal(r('{{ range .nope }}x{{ else }}none{{ end }}{{ range list }}x{{ else }}empty{{ end }}'), 'noneempty');
    assert.equal(r('{{ range 3 }}{{ . }}{{ end }}'), '012');
    assert.equal(r('{{ range .list }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ if eq . 3.0 }}{{ break }}{{ end }}{{ . }}{{ end }}'), '1');
    assert.match(err('{{ range .s }}{{ end }}'), /range can't iterate over hi/);
  });
  it('with sets dot; its else keeps the outer dot', () => {
    assert.equal(r('{{ with .nested.a.b }}{{ .c }}{{ end }}'), 'deep');
    assert.equal(r('{{ with .nope }}x{{ else }}{{ .s }}{{ end }}'), 'hi');
  });
  it('variables: declared, assigned in a nested scope, gone after end; $ is the root', () => {
    assert.equal(r('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}'), '2');
    assert.match(err('{{ if true }}{{ $y := 3 }}{{ end }}{{ $y }}'), /undefined variable "\$y"/);
    assert.equal(r('{{ range .endpoints }}{{ $.s }}{{ .path }} {{ end }}'), 'hi/a hi/b ');
    assert.equal(r('{{ $x := .s }}{{ $x }}{{ $x := 5 }}{{ $x }}'), 'hi5');
  });
  it('define, template with a pipeline, block with its default body', () => {
    assert.equal(r('{{ define "ep" }}[{{ .path }}]{{ end }}{{ range .endpoints }}{{ template "ep" . }}{{ end }}'), '[/a][/b]');
    assert.equal(r('{{ block "b" .s }}<{{ . }}>{{ end }}'), '<hi>');
    assert.equal(r('{{ define "x" }}{{ $ }}{{ end }}{{ template "x" 7 }}'), '7');
    assert.equal(r('{{ define "x" }}{{ . }}{{ end }}{{ template "x" }}'), '<no value>');
  });
});

describe('template engine: pipelines and builtins', () => {
  it('the previous result is the last argument', () => {
    assert.equal(r('{{ .s | upper | printf "%s!" }}'), 'HI!');
    assert.equal(r('{{ 2 | add 1 | mul 3 }}'), '9');
    assert.equal(r('{{ (add 1 2) }} {{ (dict "a" 1).a }}'), '3 1');
  });
  it('and/or return the deciding argument and do not evaluate the rest', () => {
    assert.equal(r('{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 "" "x" }} {{ or 0 "" }}|'), '0 2 x |');
    assert.equal(r('{{ or .s (fail "not evaluated") }}'), 'hi');
    assert.equal(r('{{ not .t }} {{ not 0 }}'), 'false true');
  });
  it('comparisons: eq with several values, numbers of both kinds, strings', () => {
    assert.equal(r('{{ eq .s "a" "hi" }} {{ ne .n 3 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge .frac 1 }}'), 'true false true true true false');
    assert.equal(r('{{ eq .nope "x" }}'), 'false');
    assert.match(err('{{ eq .s 1 }}'), /incompatible types for comparison/);
    assert.match(err('{{ lt .t 1 }}'), /invalid type for comparison/);
  });
  it('len counts bytes of strings, elements of lists and maps; index into lists and maps', () => {
    assert.equal(r('{{ len .s }} {{ len "é" }} {{ len .list }} {{ len .m }}'), '2 2 3 3');
    assert.equal(r('{{ index .list 1 }} {{ index .m "a" }} {{ index .endpoints 0 "path" }} {{ index .m "q" }}'), '2 2 /a <no value>');
    assert.match(err('{{ index .list 5 }}'), /index out of range: 5/);
  });
  it('print, println and printf as fmt does', () => {
    assert.equal(r('{{ print 1 2 "a" 3 "b" "c" }}'), '1 2a3bc');
    assert.equal(r('{{ println "a" 1 }}'), 'a 1\n');
    assert.equal(
      r('{{ printf "%s|%d|%v|%5.2f|%-4s|%03d|%q|%t|%x|%%" "a" 7 .list 3.14159 "ab" 5 "q\\"" true 255 }}'),
      'a|7|[1 2 3]| 3.14|ab  |005|"q\\""|true|ff|%',
    );
    assert.equal(r('{{ printf "%d %s" .n }}'), '%!d(float64=3) %!s(MISSING)');
    assert.equal(r('{{ printf "%v" .n }} {{ printf "%.1f" .n }} {{ printf "%T %T" .n 3 }}'), '3 3.0 float64 int');
  });
  it('html, js and urlquery escape', () => {
    assert.equal(r('{{ html "<a href=\'x\'>&" }}'), '&lt;a href=&#39;x&#39;&gt;&amp;');
    assert.equal(r('{{ urlquery "a b&c" }}'), 'a+b%26c');
  });
});

describe('template engine: marshal-like JSON output', () => {
  it('toJson sorts keys and escapes <, >, & as Go does; toRawJson does not', () => {
    assert.equal(r('{{ toJson .m }}'), '{"a":2,"m":"x","z":1}');
    assert.equal(r('{{ toJson "<a&b>" }} {{ toRawJson "<a&b>" }}'), '"\\u003ca\\u0026b\\u003e" "<a&b>"');
    assert.equal(r('{{ toJson .endpoints }}'), '[{"host":"h1","path":"/a"},{"path":"/b"}]');
    assert.equal(r('{{ toJson .nope }} {{ toJson .big }} {{ toJson 0.000001 }} {{ toJson 1e21 }}'), 'null 1000000 0.000001 1e+21');
  });
  it('toPrettyJson indents with two spaces', () => {
    assert.equal(r('{{ toPrettyJson (dict "b" (list 1 2) "a" (dict)) }}'), '{\n  "a": {},\n  "b": [\n    1,\n    2\n  ]\n}');
  });
});

describe('template engine: Sprig functions', () => {
  it('strings (the operand last)', () => {
    assert.equal(
      r('{{ upper "a" }} {{ lower "A" }} {{ title "hello wide world" }} {{ trim "  x " }} {{ trimPrefix "/" "/p" }} {{ trimSuffix ".json" "a.json" }}'),
      'A a Hello Wide World x p a',
    );
    assert.equal(
      r('{{ replace "-" "_" "a-b-c" }} {{ contains "ell" "hello" }} {{ hasPrefix "he" "hello" }} {{ hasSuffix "lo" "hello" }} {{ repeat 3 "ab" }}'),
      'a_b_c true true true ababab',
    );
    assert.equal(
      r('{{ split "," "a,b" }} {{ (split "," "a,b")._1 }} {{ splitList "," "a,,b" }} {{ join "," .strs }} {{ join "-" (list 1 nil 2) }}'),
      'map[_0:a _1:b] b [a  b] b,a,c 1-2',
    );
    assert.equal(
      r('{{ quote "a" 1 .nope }} {{ squote "a" }} {{ cat "a" 1 nil "b" }} {{ indent 2 "a\\nb" }} {{ nindent 2 "x" }}'),
      '"a" "1" \'a\' a 1 b   a\n  b \n  x',
    );
    assert.equal(
      r(
        '{{ substr 1 3 "hello" }} {{ trunc 2 "hello" }} {{ trunc -2 "hello" }} {{ nospace "a b c" }} {{ trimAll "$" "$5$" }} {{ snakecase "fooBar" }} {{ kebabcase "FooBar" }}',
      ),
      'el he lo abc 5 foo_bar foo-bar',
    );
  });
  it('defaults and empties', () => {
    assert.equal(r('{{ default "d" .nope }} {{ default "d" .s }} {{ default "d" "" }} {{ default 5 0 }} {{ .nope | default "p" }}'), 'd hi d 5 p');
    assert.equal(
      r('{{ empty .nope }} {{ empty 0 }} {{ empty .list }} {{ empty (list) }} {{ coalesce .nope "" "c" }} {{ ternary "y" "n" .t }}'),
      'true true false true c y',
    );
    assert.match(err('{{ required "the port is needed" .nope }}'), /the port is needed/);
    assert.match(err('{{ ternary "y" "n" 1 }}'), /expected bool; got int/);
  });
  it('lists', () => {
    assert.equal(
      r('{{ list 1 "a" }} {{ first .list }} {{ last .list }} {{ rest .list }} {{ initial .list }} {{ append .list 4 }} {{ prepend .list 0 }}'),
      '[1 a] 1 3 [2 3] [1 2] [1 2 3 4] [0 1 2 3]',
    );
    assert.equal(
      r(
        '{{ concat .list (list 9) }} {{ uniq (list 1 1 "a" "a") }} {{ has 2.0 .list }} {{ has 2 .list }} {{ without .list 2.0 }} {{ reverse .strs }} {{ sortAlpha .strs }} {{ compact (list 0 "" 1) }}',
      ),
      '[1 2 3 9] [1 a] true false [1 3] [c a b] [a b c] [1]',
    );
    assert.equal(
      r('{{ until 3 }} {{ until -2 }} {{ untilStep 1 10 3 }} {{ seq 3 }} {{ seq 2 0 }} {{ slice .list 1 }}'),
      '[0 1 2] [0 -1] [1 4 7] 1 2 3 2 1 0 [2 3]',
    );
    assert.match(err('{{ first "x" }}'), /cannot find first on type string/);
  });
  it('dicts', () => {
    assert.equal(
      r('{{ $d := dict "b" 1 "a" 2 }}{{ $d.a }} {{ get $d "b" }} {{ get $d "q" }}| {{ hasKey $d "a" }} {{ keys $d }} {{ values $d }}'),
      '2 1 | true [a b] [2 1]',
    );
    assert.equal(
      r('{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $_ := unset $d "a" }}{{ $d }} {{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }}'),
      'map[b:2] [1 3]',
    );
    assert.equal(
      r(
        '{{ pick .m "a" "z" }} {{ omit .m "a" }} {{ merge (dict "a" 1) (dict "a" 2 "b" 3) }} {{ mergeOverwrite (dict "a" 1) (dict "a" 2) }} {{ dig "nested" "a" "b" "c" "none" . }} {{ dig "x" "y" "none" . }}',
      ),
      'map[a:2 z:1] map[m:x z:1] map[a:1 b:3] map[a:2] deep none',
    );
  });
  it('arithmetic: int64 with truncation, float variants, conversions', () => {
    assert.equal(
      r('{{ add 1 2 3 }} {{ add1 .n }} {{ sub 5 .n }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod -7 3 }} {{ max 1 9 3 }} {{ min 4 2 }} {{ add 1.9 1 }}'),
      '6 4 2 24 3 -1 9 2 2',
    );
    assert.equal(r('{{ addf 1 0.5 }} {{ divf 1 4 }} {{ mulf 2 .frac }} {{ floor 1.7 }} {{ ceil 1.2 }} {{ round 1.25 1 }}'), '1.5 0.25 1 1 2 1.3');
    assert.equal(
      r('{{ atoi "42" }} {{ atoi "x" }} {{ int "7" }} {{ int .n }} {{ int64 2.9 }} {{ float64 "1.5" }} {{ toString 1.5 }} {{ toString .list }}'),
      '42 0 7 3 2 1.5 1.5 [1 2 3]',
    );
    assert.match(err('{{ div 1 0 }}'), /error calling div: runtime error: integer divide by zero/);
  });
  it('env, expandenv, base64, regex, hashes, types', () => {
    const env = { HOST: 'api.local', PORT: '8080' };
    assert.equal(r('{{ env "HOST" }}|{{ env "NOPE" }}|{{ expandenv "$HOST:${PORT}/$NOPE" }}', DATA, env), 'api.local||api.local:8080/');
    assert.equal(r('{{ b64enc "user:pass" }} {{ b64dec "dXNlcjpwYXNz" }}'), 'dXNlcjpwYXNz user:pass');
    assert.equal(
      r(
        '{{ regexMatch "^[a-z]+$" "abc" }} {{ regexMatch "^[a-z]+$" "ab1" }} {{ regexFind "[0-9]+" "a12b34" }} {{ regexFindAll "[0-9]+" "a12b34" -1 }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexSplit "," "a,b,c" 2 }}',
      ),
      'true false 12 [12 34] -W-xxW- [a b,c]',
    );
    assert.match(err('{{ regexMatch "(" "x" }}'), /error parsing regexp/);
    assert.equal(r('{{ sha256sum "abc" }}'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(
      r('{{ typeOf .n }} {{ typeOf 1 }} {{ typeOf .m }} {{ kindOf .list }} {{ kindIs "string" .s }}'),
      'float64 int map[string]interface {} slice true',
    );
  });
  it('dates format Go layouts (UTC)', () => {
    assert.equal(r('{{ date "2006-01-02T15:04:05Z07:00 Mon Jan _2" 0 }}'), '1970-01-01T00:00:00Z Thu Jan  1');
    assert.match(r('{{ now | date "2006" }}'), /^\d{4}$/);
    assert.match(r('{{ now | unixEpoch }}'), /^\d+$/);
  });
});

describe('template engine: errors name the place, functions by name', () => {
  it('parse errors: file:line:col', () => {
    assert.match(err('a\n\n  {{ .a'), /^template:3:3: unclosed action/);
    assert.match(err('{{ if 1 }}x'), /unexpected EOF/);
    assert.match(err('x{{ end }}'), /^template:1:5: unexpected \{\{end\}\}/);
    assert.match(err('{{ else }}'), /unexpected \{\{else\}\}/);
    assert.match(err('{{ $x }}'), /undefined variable "\$x"/);
    assert.match(err('{{ break }}'), /\{\{break\}\} outside \{\{range\}\}/);
    assert.match(err('{{ "unterminated }}'), /unterminated quoted string/);
  });
  it('an unknown function, and a Sprig function not implemented, are named', () => {
    assert.match(err('{{ nope 1 }}'), /^template:1:4: function "nope" not defined/);
    assert.match(err('{{ genPrivateKey "rsa" }}'), /function "genPrivateKey" is a Sprig function Rampart does not implement/);
  });
  it('execution errors: file:line:col and the command', () => {
    assert.match(
      err('line1\n  {{ upper .n }}'),
      /^template:2:6: executing "template" at <upper \.n>: error calling upper: wrong type for value; expected string; got float64/,
    );
    assert.match(err('{{ until .n }}'), /expected int; got float64/);
    assert.match(err('{{ template "nope" }}'), /no such template "nope"/);
  });
});

describe('template engine: bounds', () => {
  const set = (text: string) => new TemplateSet(createFuncs(() => undefined)).add({ file: 'f', name: 'f', text });
  it('output size', () => {
    assert.throws(
      () => set('{{ range until 100 }}0123456789{{ end }}').execute('f', null, { ...DEFAULT_LIMITS, maxOutput: 500 }),
      /rendered output larger than 500/,
    );
  });
  it('range iterations, all loops together', () => {
    assert.throws(
      () => set('{{ range until 1000 }}{{ range until 1000 }}{{ end }}{{ end }}').execute('f', null, { ...DEFAULT_LIMITS, maxIterations: 10_000 }),
      /more than 10000 iterations/,
    );
  });
  it('template recursion depth', () => {
    assert.throws(() => set('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" }}').execute('f', null), /exceeded maximum template depth \(100\)/);
  });
  it('evaluation steps', () => {
    assert.throws(
      () => set('{{ range until 1000 }}{{ add 1 1 }}{{ add 1 1 }}{{ end }}').execute('f', null, { ...DEFAULT_LIMITS, maxSteps: 500 }),
      /more than 500 evaluation steps/,
    );
  });
  it('list and string sizes', () => {
    assert.throws(() => r('{{ until 2000000 }}'), /list longer than 1000000/);
    assert.throws(() => r('{{ repeat 100000000 "ab" }}'), /result longer than/);
    assert.throws(() => r('{{ printf "%9999999d" 1 }}'), /width or precision too large/);
  });
  it('parse nesting', () => {
    assert.throws(() => r('{{ if 1 }}'.repeat(150) + '{{ end }}'.repeat(150)), /nesting deeper than 100/);
  });
});

describe('template engine: any input fails cleanly', () => {
  it('random templates from Go-template fragments either render or throw a TemplateError, bounded', async () => {
    const fc = await import('fast-check');
    const { TemplateError } = await import('../../src/template/index.js');
    const piece = fc.constantFrom(
      '{{',
      '}}',
      '{{-',
      '-}}',
      ' ',
      '\n',
      'x',
      '.',
      '.s',
      '.m',
      '.list',
      '$',
      '$x',
      ':=',
      '=',
      '|',
      '(',
      ')',
      '"a"',
      '`r`',
      "'c'",
      '1',
      '-2',
      '1e3',
      'if',
      'else',
      'end',
      'range',
      'with',
      'define',
      'template',
      'block',
      'break',
      'continue',
      'nil',
      'true',
      'len',
      'index',
      'printf',
      'eq',
      'and',
      'or',
      'not',
      'add',
      'until',
      'toJson',
      'dict',
      'list',
      'default',
      'upper',
      'regexMatch',
      '/*',
      '*/',
      ',',
    );
    const limits = { ...DEFAULT_LIMITS, maxOutput: 100_000, maxIterations: 10_000, maxSteps: 100_000 };
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.constantFrom(' ', ''), (parts, sep) => {
        const text = parts.join(sep);
        try {
          new TemplateSet(createFuncs(() => undefined)).add({ file: 'f', name: 'f', text }).execute('f', DATA, limits);
        } catch (e) {
          if (!(e instanceof TemplateError)) throw new Error(`${JSON.stringify(text)} threw ${(e as Error).stack}`);
        }
      }),
      { numRuns: 3000, seed: 18 },
    );
  });
});
