// Sprig's environment, encoding, JSON, date, type, path and hash functions. `env` and
// `expandenv` read the environment given to the renderer (the process's, for a config).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { arity, int, str, time } from './args.js';
import type { TemplateFunc } from './exec.js';
import { formatGoTime } from './go-time.js';
import { marshal, marshalIndent, parseJsonValue } from './json.js';
import { deepEqual, GoTime, kindName, TemplateError, typeName, type GoValue } from './values.js';

export type EnvLookup = (name: string) => string | undefined;

function expandEnv(s: string, env: EnvLookup): string {
  // os.ExpandEnv: $NAME or ${NAME}; an unknown name is "".
  return s.replace(/\$(\{([^}]*)\}|([A-Za-z0-9_]+|[*#$@!?\-0-9]))/g, (_m, _x: string, braced?: string, bare?: string) => env(braced ?? bare ?? '') ?? '');
}

function toTime(v: GoValue): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === 'bigint') return new GoTime(new Date(Number(v) * 1000), true);
  return new GoTime(new Date(), true);
}

function json(name: string, f: (v: GoValue) => string, must: boolean): TemplateFunc {
  return (a) => {
    arity(name, a, 1);
    try {
      return f(a[0]);
    } catch (err) {
      if (must) throw err;
      return '';
    }
  };
}

function random(count: number, alphabet: string): string {
  if (count < 0 || count > 1_000_000) throw new TemplateError('random string length out of range');
  const bytes = randomBytes(count);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NUM = '0123456789';

export function sprigMisc(env: EnvLookup): Record<string, TemplateFunc> {
  return {
    env: (a) => (arity('env', a, 1), env(str(a[0])) ?? ''),
    expandenv: (a) => (arity('expandenv', a, 1), expandEnv(str(a[0]), env)),
    b64enc: (a) => (arity('b64enc', a, 1), Buffer.from(str(a[0]), 'utf8').toString('base64')),
    b64dec: (a) => {
      arity('b64dec', a, 1);
      const s = str(a[0]);
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return 'illegal base64 data at input byte 0';
      return Buffer.from(s, 'base64').toString('utf8');
    },
    toJson: json('toJson', (v) => marshal(v), false),
    mustToJson: json('mustToJson', (v) => marshal(v), true),
    toRawJson: json('toRawJson', (v) => marshal(v, false), false),
    mustToRawJson: json('mustToRawJson', (v) => marshal(v, false), true),
    toPrettyJson: json('toPrettyJson', (v) => marshalIndent(v), false),
    mustToPrettyJson: json('mustToPrettyJson', (v) => marshalIndent(v), true),
    fromJson: (a) => {
      arity('fromJson', a, 1);
      try {
        return parseJsonValue(str(a[0]));
      } catch {
        return null;
      }
    },
    mustFromJson: (a) => {
      arity('mustFromJson', a, 1);
      try {
        return parseJsonValue(str(a[0]));
      } catch (err) {
        throw new TemplateError((err as Error).message);
      }
    },
    now: (a) => (arity('now', a, 0), new GoTime(new Date(), true)),
    date: (a) => (arity('date', a, 2), formatGoTime(toTime(a[1]), str(a[0]))),
    dateInZone: (a) => {
      arity('dateInZone', a, 3);
      if (!/^(UTC|Etc\/UTC|GMT|)$/.test(str(a[2]))) throw new TemplateError(`dateInZone: only UTC is supported, not ${str(a[2])}`);
      return formatGoTime(toTime(a[1]), str(a[0]));
    },
    htmlDate: (a) => (arity('htmlDate', a, 1), formatGoTime(toTime(a[0]), '2006-01-02')),
    unixEpoch: (a) => (arity('unixEpoch', a, 1), String(Math.floor(time(a[0]).date.getTime() / 1000))),
    typeOf: (a) => (arity('typeOf', a, 1), typeName(a[0])),
    typeIs: (a) => (arity('typeIs', a, 2), str(a[0]) === typeName(a[1])),
    typeIsLike: (a) => (arity('typeIsLike', a, 2), str(a[0]) === typeName(a[1]) || str(a[0]) === '*' + typeName(a[1])),
    kindOf: (a) => (arity('kindOf', a, 1), kindName(a[0])),
    kindIs: (a) => (arity('kindIs', a, 2), str(a[0]) === kindName(a[1])),
    deepEqual: (a) => (arity('deepEqual', a, 2), deepEqual(a[0], a[1])),
    fail: (a) => {
      arity('fail', a, 1);
      throw new TemplateError(str(a[0]));
    },
    required: (a) => {
      arity('required', a, 2);
      if (a[1] === null || a[1] === undefined || a[1] === '') throw new TemplateError(str(a[0]));
      return a[1];
    },
    sha256sum: (a) => (arity('sha256sum', a, 1), createHash('sha256').update(str(a[0]), 'utf8').digest('hex')),
    sha1sum: (a) => (arity('sha1sum', a, 1), createHash('sha1').update(str(a[0]), 'utf8').digest('hex')),
    uuidv4: (a) => (arity('uuidv4', a, 0), randomUUID()),
    randAlphaNum: (a) => (arity('randAlphaNum', a, 1), random(int(a[0]), ALPHA + NUM)),
    randAlpha: (a) => (arity('randAlpha', a, 1), random(int(a[0]), ALPHA)),
    randNumeric: (a) => (arity('randNumeric', a, 1), random(int(a[0]), NUM)),
    base: (a) => (arity('base', a, 1), posix.basename(str(a[0])) || (str(a[0]) === '' ? '.' : '/')),
    dir: (a) => (arity('dir', a, 1), posix.dirname(str(a[0]))),
    ext: (a) => (arity('ext', a, 1), posix.extname(str(a[0]))),
    clean: (a) => (arity('clean', a, 1), str(a[0]) === '' ? '.' : posix.normalize(str(a[0])).replace(/(.)\/$/, '$1')),
    isAbs: (a) => (arity('isAbs', a, 1), posix.isAbsolute(str(a[0]))),
  };
}
