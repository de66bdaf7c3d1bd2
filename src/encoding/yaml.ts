// YAML output matching Go's gopkg.in/yaml.v2 Marshal (what gin's c.YAML
// used for KrakenD's `output_encoding: yaml`): block style, 2-space indent,
// sequences under a key not indented ("key:\n- a\n"), and map keys sorted.
//
// The `yaml` package does the layout. Scalars are written by our own tags so
// they follow yaml.v2 rather than the package's defaults:
//   - keys use yaml.v2's "natural" order: digit runs compare numerically
//     ("a2" < "a10") and non-letters sort before letters;
//   - a string that would read back as another type under yaml.v2's YAML 1.1
//     rules ("true", "yes", "1_000", "2024-01-02", "1:20", "", "~") is
//     double-quoted; one that merely cannot be plain ("- x", "a: b", " x")
//     is single-quoted; multi-line strings use a literal block ("|-");
//   - strings with characters libyaml treats as non-printable (tabs, C0/C1
//     controls, U+FEFF, and all characters above U+FFFF such as emoji) are
//     double-quoted with libyaml's escapes ("\t", "\x7F", "\U0001F600");
//   - integers print in decimal; other numbers use Go's %g-style shortest
//     form ("1.5", "1e-05", "1.2345675e+06"), as yaml.v2 does after turning
//     a json.Number into a float64.
// Known difference: yaml.v2 folds plain and quoted scalars that run past
// column 80 onto continuation lines; we never fold (lineWidth 0). The YAML
// reads back identically, but long sentences differ byte-wise.

import {
  Document,
  Scalar,
  type CreateNodeOptions,
  type DocumentOptions,
  type Pair,
  type ScalarTag,
  type SchemaOptions,
  type Tags,
  type ToStringOptions,
} from 'yaml';
import { stringifyString, type StringifyContext } from 'yaml/util';

/** Serializes data like yaml.v2's Marshal (ends with a newline). */
export function encodeYaml(data: unknown): string {
  try {
    return new Document(data, DOCUMENT_OPTIONS).toString(STRING_OPTIONS);
  } catch (err) {
    if (err instanceof RangeError) throw new TypeError('yaml: value nested too deeply (or cyclic)');
    throw err;
  }
}

// ------------------------------------------------------------- scalar tags

const stringTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:str',
  default: true,
  identify: (v) => typeof v === 'string',
  resolve: (s) => s,
  stringify: stringifyGoString,
};

// Replaces the package's int/float tags so every number goes through Go's
// formatting (and no "!!float" style tag is ever printed).
const numberTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  identify: (v) => typeof v === 'number' || typeof v === 'bigint',
  resolve: (s) => Number(s),
  stringify: (item) => formatGoNumber(item.value as number | bigint),
};

// Tags we replace, as tag URIs (tag objects) or short ids (TagId strings).
const REPLACED = new Set([
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:str',
  'int',
  'intHex',
  'intOct',
  'intTime',
  'float',
  'floatExp',
  'floatNaN',
  'floatTime',
]);

function replaceScalarTags(tags: Tags): Tags {
  const kept = tags.filter((t) => !REPLACED.has(typeof t === 'string' ? t : t.tag));
  return [numberTag, stringTag, ...kept];
}

// Built once: the YAML 1.1 schema gives yaml.v2's booleans/nulls, aliases are
// off (yaml.v2 repeats shared objects instead of emitting &anchors), and
// entries are sorted the way yaml.v2 sorts map keys.
const DOCUMENT_OPTIONS: DocumentOptions & SchemaOptions & CreateNodeOptions = {
  version: '1.1',
  customTags: replaceScalarTags,
  sortMapEntries: compareEntries,
  aliasDuplicateObjects: false,
};

const STRING_OPTIONS: ToStringOptions = {
  indent: 2,
  indentSeq: false,
  lineWidth: 0,
  blockQuote: 'literal',
};

// ------------------------------------------------------------------ strings

// Characters libyaml's is_printable rejects (\n aside): C0/C1 controls, DEL,
// U+FEFF, U+FFFE/U+FFFF and every surrogate, i.e. anything above U+FFFF.
// U+0085, U+2028 and U+2029 are line breaks to libyaml; we double-quote them
// too rather than reproduce its line-break handling inside quoted scalars.
const SPECIAL = /[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const LONE_SURROGATES = /[\ud800-\udfff]/gu;

function stringifyGoString(item: Scalar, ctx: StringifyContext, onComment?: () => void, onChompKeep?: () => void): string {
  let s = String(item.value);
  // Go strings are UTF-8: an unpaired surrogate can only be U+FFFD there.
  if (LONE_SURROGATE.test(s)) s = s.replace(LONE_SURROGATES, '\ufffd');
  if (SPECIAL.test(s)) return doubleQuoted(s);
  if (s.includes('\n')) {
    // Literal blocks are impossible for keys and, in libyaml, for text with
    // trailing spaces or spaces before a line break.
    if (ctx.implicitKey || s.endsWith(' ') || s.includes(' \n')) return doubleQuoted(s);
    const block = new Scalar(s);
    block.type = Scalar.BLOCK_LITERAL;
    return stringifyString(block, ctx, onComment, onChompKeep);
  }
  if (resolvesAsNonString(s)) return doubleQuoted(s);
  if (!plainAllowed(s)) return "'" + s.replace(/'/g, "''") + "'";
  return s;
}

/** libyaml's analysis of whether a one-line, printable string may stay plain in block context. */
function plainAllowed(s: string): boolean {
  const n = s.length;
  if (s.charCodeAt(0) === 0x20 || s.charCodeAt(n - 1) === 0x20) return false;
  // Document markers.
  if (n >= 3 && (s.startsWith('---') || s.startsWith('...')) && (n === 3 || s.charCodeAt(3) === 0x20)) return false;
  const c0 = s[0];
  if ('#,[]{}&*!|>\'"%@`'.includes(c0)) return false;
  for (let i = 0; i < n; i++) {
    const c = s[i];
    const followedBySpace = i + 1 === n || s.charCodeAt(i + 1) === 0x20;
    if (i === 0) {
      if ((c === '?' || c === ':' || c === '-') && followedBySpace) return false;
    } else if (c === ':') {
      if (followedBySpace) return false;
    } else if (c === '#') {
      if (s.charCodeAt(i - 1) === 0x20) return false;
    }
  }
  return true;
}

/** libyaml's double-quoted style with its escape set (uppercase hex, no folding). */
function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const printable =
      (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff && cp !== 0x2028 && cp !== 0x2029) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
    if (printable && cp !== 0x22 && cp !== 0x5c) {
      out += ch;
      continue;
    }
    switch (cp) {
      case 0x00:
        out += '\\0';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0b:
        out += '\\v';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x1b:
        out += '\\e';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x85:
        out += '\\N';
        break;
      case 0x2028:
        out += '\\L';
        break;
      case 0x2029:
        out += '\\P';
        break;
      default: {
        const hex = cp.toString(16).toUpperCase();
        if (cp <= 0xff) out += '\\x' + hex.padStart(2, '0');
        else if (cp <= 0xffff) out += '\\u' + hex.padStart(4, '0');
        else out += '\\U' + hex.padStart(8, '0');
      }
    }
  }
  return out + '"';
}

// ---------------------------------------------------- yaml.v2 resolve rules

// Plain scalars yaml.v2 reads as bool, null, float or merge key.
const RESOLVE_MAP = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);

const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const DATE = /^(\d{4})-(\d\d?)-(\d\d?)$/;
const DATE_TIME_T = /^(\d{4})-(\d\d?)-(\d\d?)[Tt](\d\d?):(\d\d?):(\d\d?)(?:\.\d+)?(?:Z|[-+]\d\d:\d\d)$/;
const DATE_TIME_SPACE = /^(\d{4})-(\d\d?)-(\d\d?) (\d\d?):(\d\d?):(\d\d?)(?:\.\d+)?$/;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Mirrors yaml.v2's resolve(): would this plain text read back as something other than a string? */
function resolvesAsNonString(s: string): boolean {
  if (RESOLVE_MAP.has(s)) return true;
  const c = s.charCodeAt(0);
  if (c === 0x2e /* . */) return DOT_FLOAT.test(s);
  const digit = c >= 0x30 && c <= 0x39;
  if (!digit && c !== 0x2b && c !== 0x2d) return false;
  if (digit && isTimestamp(s)) return true;
  if (BASE60_FLOAT.test(s)) return true; // yaml.v2 quotes these for other parsers' sake
  const plain = s.replace(/_/g, '');
  if (GO_INT.test(plain) && fitsInt64(plain)) return true;
  return YAML_FLOAT.test(plain) && Number.isFinite(Number(plain));
}

/** strconv.ParseInt(s, 0, 64) succeeds, or ParseUint does for unsigned text. */
function fitsInt64(s: string): boolean {
  const neg = s[0] === '-';
  let body = s[0] === '-' || s[0] === '+' ? s.slice(1) : s;
  // BigInt reads 0x/0o/0b; Go's bare leading-zero octal needs the 0o prefix.
  if (body.length > 1 && body[0] === '0' && /^[0-7]+$/.test(body)) body = '0o' + body.slice(1);
  let v = BigInt(body);
  if (neg) v = -v;
  if (v >= INT64_MIN && v <= INT64_MAX) return true;
  return s[0] !== '-' && s[0] !== '+' && v <= UINT64_MAX;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** yaml.v2 reads "2006-1-2" style dates (optionally with a time) as timestamps. */
function isTimestamp(s: string): boolean {
  if (s.length < 8 || s.charCodeAt(4) !== 0x2d) return false;
  const m = DATE.exec(s) ?? DATE_TIME_T.exec(s) ?? DATE_TIME_SPACE.exec(s);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1])) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) return false;
  return true;
}

// ------------------------------------------------------------------ numbers

/** yaml.v2 output for a number: decimal integers, otherwise strconv.FormatFloat(f, 'g', -1, 64). */
export function formatGoNumber(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isNaN(v)) return '.nan';
  if (v === Infinity) return '.inf';
  if (v === -Infinity) return '-.inf';
  // json.Number values that fit an int64 are written as integers.
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return v === 0 ? '0' : String(v);
  // %g with shortest precision: exponent form when exp < -4 or exp >= 6
  // (Go fixes the threshold at 6 for shortest formatting).
  const [mantissa, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return mantissa + 'e' + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' : '') + abs;
  }
  return String(v); // fixed notation, same shortest digits
}

// ---------------------------------------------------------------- key order

function compareEntries(a: Pair, b: Pair): number {
  const ka = keyText(a.key);
  const kb = keyText(b.key);
  if (ka === kb) return 0;
  return yamlKeyLess(ka, kb) ? -1 : yamlKeyLess(kb, ka) ? 1 : 0;
}

function keyText(key: unknown): string {
  const v = key instanceof Scalar ? key.value : key;
  return typeof v === 'string' ? v : String(v);
}

/** yaml.v2's keyList.Less for two string keys, rune by rune. */
function yamlKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a, codePoint);
  const br = Array.from(b, codePoint);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    // Neither is a letter: compare the digit runs starting here as numbers.
    let an = 0n;
    let bn = 0n;
    if (ar[i] === 0x30 || br[i] === 0x30) {
      // A zero continuing a non-zero digit run keeps its weight.
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== 0x30) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = BigInt.asIntN(64, an * 10n + BigInt(ar[ai] - 0x30));
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt(br[bi] - 0x30));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.length < br.length;
}

function codePoint(ch: string): number {
  return ch.codePointAt(0) as number;
}

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return LETTER.test(String.fromCodePoint(cp));
}

function isDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return DIGIT.test(String.fromCodePoint(cp));
}
