// Lexer for the Go text/template subset the body generators accept. Runs once at startup.

export type Tok =
  | { t: 'text'; v: string }
  | { t: 'open'; trim: boolean }
  | { t: 'close'; trim: boolean }
  | { t: 'ident'; v: string }
  /** `chained`: written right after a field, variable or `)` (`.a.b`, `$x.a`, `(f).a`). */
  | { t: 'field'; v: string; chained: boolean }
  | { t: 'dot' }
  | { t: 'var'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'pipe' }
  | { t: 'lparen' }
  | { t: 'rparen' }
  | { t: 'declare' }
  | { t: 'assign' }
  | { t: 'comma' };

export class TemplateSyntaxError extends Error {}

function bad(line: number, msg: string): never {
  throw new TemplateSyntaxError(`line ${line}: ${msg}`);
}

const GO_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' };

function readString(src: string, i: number, line: number): [string, number] {
  let out = '';
  for (let j = i + 1; j < src.length; j++) {
    const c = src[j];
    if (c === '"') return [out, j + 1];
    if (c === '\n') bad(line, 'unterminated quoted string');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = src[++j];
    if (n in GO_ESCAPES) out += GO_ESCAPES[n];
    else if (n === 'u' || n === 'x') {
      const len = n === 'u' ? 4 : 2;
      const hex = src.slice(j + 1, j + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) bad(line, 'bad escape in string');
      out += String.fromCharCode(parseInt(hex, 16));
      j += len;
    } else bad(line, `unknown escape \\${n ?? ''}`);
  }
  return bad(line, 'unterminated quoted string');
}

/** Tokens of one action body (between the delimiters). */
function lexAction(src: string, line: number, out: Tok[]): void {
  let i = 0;
  let glued = false; // the previous token can take a `.field` right after it
  while (i < src.length) {
    const c = src[i];
    const chained = glued;
    glued = false;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '|') {
      out.push({ t: 'pipe' });
      i++;
      continue;
    }
    if (c === '(') {
      out.push({ t: 'lparen' });
      i++;
      continue;
    }
    if (c === ')') {
      out.push({ t: 'rparen' });
      i++;
      glued = true;
      continue;
    }
    if (c === ',') {
      out.push({ t: 'comma' });
      i++;
      continue;
    }
    if (c === ':' && src[i + 1] === '=') {
      out.push({ t: 'declare' });
      i += 2;
      continue;
    }
    if (c === '=') {
      out.push({ t: 'assign' });
      i++;
      continue;
    }
    if (c === '"') {
      const [v, j] = readString(src, i, line);
      out.push({ t: 'str', v });
      i = j;
      continue;
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) bad(line, 'unterminated raw string');
      out.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z0-9_]*/.exec(src.slice(i + 1))?.[0] ?? '';
    if (c === '.') {
      if (word === '' || /^[0-9]/.test(word)) {
        if (/^[0-9]/.test(word)) bad(line, 'numbers like .5 are not supported; write 0.5');
        out.push({ t: 'dot' });
      } else {
        out.push({ t: 'field', v: word, chained });
        glued = true;
      }
      i += 1 + word.length;
      continue;
    }
    if (c === '$') {
      out.push({ t: 'var', v: word });
      i += 1 + word.length;
      glued = true;
      continue;
    }
    const num = /^[+-]?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(src.slice(i));
    if (num && (/[0-9]/.test(c) || ((c === '-' || c === '+') && /[0-9]/.test(src[i + 1] ?? '')))) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: 'ident', v: id[0] });
      i += id[0].length;
      continue;
    }
    bad(line, `unexpected ${JSON.stringify(c)} in action`);
  }
}

/** Splits a template into text and action tokens, applying `{{-` / `-}}` trimming. */
export function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text) out.push({ t: 'text', v: text });
      break;
    }
    const line = src.slice(0, open).split('\n').length;
    const trimLeft = src.startsWith('{{- ', open) || src.startsWith('{{-\n', open) || src.startsWith('{{-\t', open);
    if (trimLeft) text = text.replace(/\s+$/, '');
    if (text) out.push({ t: 'text', v: text });
    const start = open + (trimLeft ? 3 : 2);
    // A comment: {{/* ... */}} (optionally trimmed).
    const body = src.slice(start).replace(/^\s*/, '');
    if (body.startsWith('/*')) {
      const end = src.indexOf('*/', start);
      if (end < 0) bad(line, 'unclosed comment');
      const close = /^\s*(-?)\s*\}\}/.exec(src.slice(end + 2));
      if (!close) bad(line, 'comment ends in "*/" followed by "}}"');
      trimNext = close[1] === '-';
      i = end + 2 + close[0].length;
      continue;
    }
    // Find the closing delimiter outside strings.
    let j = start;
    let quote = '';
    for (; j < src.length; j++) {
      const c = src[j];
      if (quote) {
        if (c === '\\' && quote === '"') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === '`') quote = c;
      else if (c === '}' && src[j + 1] === '}') break;
    }
    if (j >= src.length) bad(line, 'unclosed action');
    let end = j;
    const trimRight = /\s-$/.test(src.slice(start, end));
    if (trimRight) end -= 1;
    out.push({ t: 'open', trim: trimLeft });
    lexAction(src.slice(start, end), line, out);
    out.push({ t: 'close', trim: trimRight });
    trimNext = trimRight;
    i = j + 2;
  }
  return out;
}
