// fmt.Sprintf for printf: the verbs configs use (%v %s %d %f %e %g %t %q %x %X %o %b %c %T %%)
// with flags, width and precision, and Go's %!verb(type=value) marks for mismatches.
import { formatFloat, formatValue, TemplateError, typeName, type GoValue } from './values.js';

const MAX_WIDTH = 1_000_000;

function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

export { goQuote };

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (width <= s.length) return s;
  if (left) return s + ' '.repeat(width - s.length);
  if (zero) {
    const sign = /^[+-]/.test(s) ? s[0] : '';
    return sign + '0'.repeat(width - s.length) + s.slice(sign.length);
  }
  return ' '.repeat(width - s.length) + s;
}

function bad(verb: string, v: GoValue): string {
  return `%!${verb}(${typeName(v)}=${formatValue(v, false)})`;
}

function fmtFloat(f: number, verb: string, prec: number | undefined): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  if (verb === 'f' || verb === 'F') return f.toFixed(prec ?? 6);
  if (verb === 'e' || verb === 'E') {
    const s = f.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
    return verb === 'E' ? s.toUpperCase() : s;
  }
  // %g / %v
  if (prec === undefined) return formatFloat(f);
  const s = f.toPrecision(prec || 1);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

function one(verb: string, v: GoValue, flags: string, prec: number | undefined): string {
  const plus = flags.includes('+');
  const withSign = (s: string, neg: boolean) => (neg ? s : plus ? '+' + s : flags.includes(' ') ? ' ' + s : s);
  switch (verb) {
    case 'v':
      if (typeof v === 'number') return withSign(fmtFloat(v, 'g', prec), v < 0);
      return v === undefined ? '<nil>' : formatValue(v, false);
    case 's':
      if (typeof v === 'string') return prec === undefined ? v : [...v].slice(0, prec).join('');
      if (Array.isArray(v) || (v !== null && typeof v === 'object') || v === undefined || v === null)
        return v === undefined || v === null ? '%!s(<nil>)' : formatValue(v, false);
      return bad(verb, v);
    case 'q':
      if (typeof v === 'string') return goQuote(v);
      if (typeof v === 'bigint') return "'" + String.fromCodePoint(Number(v)) + "'";
      return bad(verb, v);
    case 't':
      return typeof v === 'boolean' ? String(v) : bad(verb, v);
    case 'd':
      if (typeof v === 'bigint') return withSign(v.toString(), v < 0n);
      return bad(verb, v);
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const base = verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
      if (typeof v === 'bigint') {
        let s = (v < 0n ? -v : v).toString(base);
        if (flags.includes('#')) s = (verb === 'o' ? '0' : verb === 'b' ? '0b' : '0x') + s;
        if (verb === 'X') s = s.toUpperCase();
        return withSign(v < 0n ? '-' + s : s, v < 0n);
      }
      if (typeof v === 'string' && (verb === 'x' || verb === 'X')) {
        const h = Buffer.from(v, 'utf8').toString('hex');
        return verb === 'X' ? h.toUpperCase() : h;
      }
      return bad(verb, v);
    }
    case 'c':
      return typeof v === 'bigint' ? String.fromCodePoint(Number(v)) : bad(verb, v);
    case 'U':
      return typeof v === 'bigint' ? 'U+' + v.toString(16).toUpperCase().padStart(4, '0') : bad(verb, v);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      if (typeof v === 'number') return withSign(fmtFloat(v, verb, prec), v < 0);
      return bad(verb, v);
    case 'T':
      return v === undefined || v === null ? '<nil>' : typeName(v);
    default:
      return `%!${verb}(${typeName(v)}=${formatValue(v, false)})`;
  }
}

export function sprintf(format: string, args: GoValue[]): string {
  let out = '';
  let ai = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    let j = i + 1;
    let flags = '';
    while (j < format.length && '+-# 0'.includes(format[j])) flags += format[j++];
    const num = (): number | undefined => {
      if (format[j] === '*') {
        j++;
        const a = args[ai++];
        return typeof a === 'bigint' ? Number(a) : 0;
      }
      const m = /^\d+/.exec(format.slice(j));
      if (!m) return undefined;
      j += m[0].length;
      return Number(m[0]);
    };
    const width = num();
    let prec: number | undefined;
    if (format[j] === '.') {
      j++;
      prec = num() ?? 0;
    }
    if ((width ?? 0) > MAX_WIDTH || (prec ?? 0) > MAX_WIDTH) throw new TemplateError('printf: width or precision too large');
    const verb = format[j];
    i = j;
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const s = one(verb, args[ai++], flags, prec);
    out += pad(s, width ?? 0, flags.includes('-'), flags.includes('0') && !flags.includes('-') && verb !== 's' && verb !== 'v');
  }
  if (ai < args.length)
    out +=
      '%!(EXTRA ' +
      args
        .slice(ai)
        .map((a) => `${typeName(a)}=${formatValue(a, false)}`)
        .join(', ') +
      ')';
  return out;
}
