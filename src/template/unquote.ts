// strconv.Unquote for the string, raw string and character literals of an action.
import { TemplateError } from './values.js';

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

export function unquote(lit: string): string {
  if (lit.startsWith('`')) return lit.slice(1, -1).replace(/\r/g, '');
  const body = lit.slice(1, -1);
  let out = '';
  const bytes: number[] = [];
  const flush = () => {
    if (bytes.length) out += Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      flush();
      out += c;
      continue;
    }
    const e = body[++i];
    if (e in SIMPLE) {
      flush();
      out += SIMPLE[e];
    } else if (e === 'x') {
      const h = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new TemplateError(`invalid syntax in ${lit}`);
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h) || parseInt(h, 16) > 0x10ffff) throw new TemplateError(`invalid syntax in ${lit}`);
      flush();
      out += String.fromCodePoint(parseInt(h, 16));
      i += n;
    } else if (/[0-7]/.test(e)) {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) throw new TemplateError(`invalid syntax in ${lit}`);
      bytes.push(parseInt(o, 8) & 0xff);
      i += 2;
    } else throw new TemplateError(`invalid syntax in ${lit}`);
  }
  flush();
  return out;
}
