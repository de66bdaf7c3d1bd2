// The function table a template sees: text/template's builtins, the Sprig functions
// (sprig.GenericFuncMap, which KrakenD's flexible configuration loads) that configs use, and
// the caller's own (KrakenD's marshal and include). A Sprig function not implemented here is
// refused at parse time by name, never silently rendered as something else.
import { BUILTINS } from './builtins.js';
import type { TemplateFunc } from './exec.js';
import { SPRIG_LISTS } from './sprig-lists.js';
import { SPRIG_MATH } from './sprig-math.js';
import { sprigMisc, type EnvLookup } from './sprig-misc.js';
import { SPRIG_REGEX } from './sprig-regex.js';
import { SPRIG_STRINGS } from './sprig-strings.js';

/** Sprig v3 names Rampart does not implement (crypto, certificates, network, semver...). */
const NOT_IMPLEMENTED = new Set(
  (
    'hello ago date_modify dateModify mustDateModify duration durationRound toDate mustToDate wrap wrapWith shuffle swapcase randAscii randBytes ' +
    'b32enc b32dec adler32sum htpasswd derivePassword genPrivateKey genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert ' +
    'genSignedCertWithKey encryptAES decryptAES semver semverCompare getHostByName osBase osClean osDir osExt osIsAbs toDecimal urlParse urlJoin ' +
    'bcrypt sha512sum buildCustomCert'
  ).split(' '),
);

const ALIASES: Record<string, string> = {
  date_in_zone: 'dateInZone',
  biggest: 'max',
  mustFirst: 'first',
  mustLast: 'last',
  mustRest: 'rest',
  mustInitial: 'initial',
  mustAppend: 'append',
  mustPush: 'push',
  mustPrepend: 'prepend',
  mustUniq: 'uniq',
  mustWithout: 'without',
  mustHas: 'has',
  mustReverse: 'reverse',
  mustCompact: 'compact',
  mustSlice: 'slice',
  mustChunk: 'chunk',
  mustDeepCopy: 'deepCopy',
  mustMerge: 'merge',
  mustMergeOverwrite: 'mergeOverwrite',
};

/** Built once: the functions that do not depend on the environment given to a render. */
let shared: Map<string, TemplateFunc> | null = null;

export function createFuncs(env: EnvLookup, own: Record<string, TemplateFunc> = {}): Map<string, TemplateFunc> {
  // Later entries win, as template.Funcs over the builtins (Sprig's slice replaces Go's).
  shared ??= new Map(Object.entries({ ...BUILTINS, ...SPRIG_STRINGS, ...SPRIG_LISTS, ...SPRIG_MATH, ...SPRIG_REGEX }));
  const all = new Map(shared);
  for (const [name, f] of Object.entries(sprigMisc(env))) all.set(name, f);
  for (const [alias, name] of Object.entries(ALIASES)) {
    const f = all.get(name);
    if (f) all.set(alias, f);
  }
  for (const [name, f] of Object.entries(own)) all.set(name, f);
  return all;
}

export function unknownFuncMessage(name: string): string {
  if (NOT_IMPLEMENTED.has(name))
    return `function "${name}" is a Sprig function Rampart does not implement (README "Flexible configuration" lists the ones it does)`;
  return `function "${name}" not defined`;
}
