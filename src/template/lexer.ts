// Go text/template's lexer: text, actions between {{ and }}, trim markers `{{- ` and ` -}}`
// (which eat the white space on that side), comments `{{/* */}}`, and the tokens of an action.
import { TemplateError } from './values.js';

export type TokKind =
  | 'text'
  | 'open'
  | 'close'
  | 'ident'
  | 'field'
  | 'var'
  | 'dot'
  | 'string'
  | 'number'
  | 'char'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'keyword'
  | 'eof';

export interface Token {
  kind: TokKind;
  value: string;
  line: number;
  col: number;
  /** Offset in the source, and the offset just past the token (fields chain only when adjacent). */
  at: number;
  end: number;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'block', 'template', 'break', 'continue']);
const SPACE = /[ \t\r\n]/;
const MAX_TOKENS = 2_000_000;

export function lex(file: string, src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (msg: string, at = i): never => {
    const before = src.slice(0, at);
    const l = before.split('\n').length;
    throw new TemplateError(`${file}:${l}:${at - before.lastIndexOf('\n')}: ${msg}`);
  };
  const push = (kind: TokKind, value: string, at: number) => {
    if (out.length >= MAX_TOKENS) fail('template too large');
    // Positions are found by counting from the last known line start (tokens come in order).
    while (true) {
      const nl = src.indexOf('\n', lineStart);
      if (nl === -1 || nl >= at) break;
      line++;
      lineStart = nl + 1;
    }
    out.push({ kind, value, line, col: at - lineStart + 1, at, end: at + (kind === 'field' ? value.length + 1 : value.length) });
  };
  let trimNext = false;
  while (i < src.length) {
    let open = src.indexOf('{{', i);
    if (open === -1) open = src.length;
    let text = src.slice(i, open);
    const textAt = i;
    let trimLeft = false;
    if (open < src.length && src[open + 2] === '-' && SPACE.test(src[open + 3] ?? '')) trimLeft = true;
    let lead = 0;
    if (trimNext) {
      const t = text.replace(/^[ \t\r\n]+/, '');
      lead = text.length - t.length;
      text = t;
    }
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text.length > 0) push('text', text, textAt + lead);
    trimNext = false;
    if (open >= src.length) break;
    i = open + 2 + (trimLeft ? 2 : 0);
    // Comment: {{/* ... */}}, alone in its action.
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end === -1) fail('unclosed comment', open);
      let j = end + 2;
      if (src[j] === ' ' && src[j + 1] === '-' && src.startsWith('}}', j + 2)) {
        trimNext = true;
        j += 2;
      }
      if (!src.startsWith('}}', j)) fail('comment ends before closing delimiter', end);
      i = j + 2;
      continue;
    }
    push('open', '{{', open);
    // The tokens of one action.
    for (;;) {
      if (i >= src.length) fail('unclosed action', open);
      const c = src[i];
      if (SPACE.test(c)) {
        if (src[i + 1] === '-' && src.startsWith('}}', i + 2)) {
          trimNext = true;
          push('close', '}}', i);
          i += 4;
          break;
        }
        i++;
        continue;
      }
      if (src.startsWith('}}', i)) {
        push('close', '}}', i);
        i += 2;
        break;
      }
      const start = i;
      if (c === '|') {
        push('pipe', c, i++);
      } else if (c === '(') {
        push('lparen', c, i++);
      } else if (c === ')') {
        push('rparen', c, i++);
      } else if (c === ',') {
        push('comma', c, i++);
      } else if (c === ':' && src[i + 1] === '=') {
        push('declare', ':=', i);
        i += 2;
      } else if (c === '=') {
        push('assign', '=', i++);
      } else if (c === '"') {
        i++;
        while (i < src.length && src[i] !== '"') {
          if (src[i] === '\n') fail('unterminated quoted string', start);
          i += src[i] === '\\' ? 2 : 1;
        }
        if (i >= src.length) fail('unterminated quoted string', start);
        i++;
        push('string', src.slice(start, i), start);
      } else if (c === '`') {
        const end = src.indexOf('`', i + 1);
        if (end === -1) fail('unterminated raw quoted string', start);
        i = end + 1;
        push('string', src.slice(start, i), start);
      } else if (c === "'") {
        i++;
        while (i < src.length && src[i] !== "'") {
          if (src[i] === '\n') fail('unterminated character constant', start);
          i += src[i] === '\\' ? 2 : 1;
        }
        i++;
        push('char', src.slice(start, i), start);
      } else if (c === '$') {
        i++;
        while (i < src.length && /[\p{L}\p{N}_]/u.test(src[i])) i++;
        push('var', src.slice(start, i), start);
      } else if (c === '.' && !/[0-9]/.test(src[i + 1] ?? '')) {
        i++;
        if (/[\p{L}_]/u.test(src[i] ?? '')) {
          while (i < src.length && /[\p{L}\p{N}_]/u.test(src[i])) i++;
          push('field', src.slice(start + 1, i), start);
        } else push('dot', '.', start);
      } else if (/[0-9.+-]/.test(c)) {
        const m =
          /^[+-]?(?:0[xX][0-9a-fA-F_]+(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?)i?/.exec(
            src.slice(i, i + 400),
          );
        const lit = m?.[0] ?? '';
        if (lit === '' || /^[+-]?\.?$/.test(lit)) fail(`bad character ${JSON.stringify(c)}`);
        i += lit.length;
        if (/[\p{L}\p{N}_]/u.test(src[i] ?? '')) fail(`bad number syntax: ${JSON.stringify(src.slice(start, i + 1))}`, start);
        push('number', lit, start);
      } else if (/[\p{L}_]/u.test(c)) {
        while (i < src.length && /[\p{L}\p{N}_]/u.test(src[i])) i++;
        const word = src.slice(start, i);
        if (KEYWORDS.has(word)) push('keyword', word, start);
        else if (word === 'true' || word === 'false') push('bool', word, start);
        else if (word === 'nil') push('nil', word, start);
        else push('ident', word, start);
      } else {
        fail(`unexpected ${JSON.stringify(c)} in action`);
      }
    }
  }
  push('eof', '', src.length);
  return out;
}
