// Whether an SPDX licence expression ("MIT", "(MIT OR Apache-2.0)", "(MIT AND Zlib)") can be met
// with allowed licences only: OR needs one allowed side, AND needs both, WITH needs the whole
// "id WITH exception" to be allowed. Anything unparsable is not allowed.
export function expressionAllowed(expression: string, allowed: ReadonlySet<string>): boolean {
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const fail = (): never => {
    throw new Error('unparsable');
  };
  const orExpr = (): boolean => {
    let ok = andExpr();
    while (tokens[i] === 'OR') {
      i++;
      ok = andExpr() || ok;
    }
    return ok;
  };
  const andExpr = (): boolean => {
    let ok = atom();
    while (tokens[i] === 'AND') {
      i++;
      ok = atom() && ok;
    }
    return ok;
  };
  const atom = (): boolean => {
    const t = tokens[i++];
    if (t === undefined || t === ')' || t === 'AND' || t === 'OR' || t === 'WITH') fail();
    if (t === '(') {
      const ok = orExpr();
      if (tokens[i++] !== ')') fail();
      return ok;
    }
    const id = t!.replace(/\+$/, '');
    if (tokens[i] === 'WITH') {
      const exception = tokens[i + 1] ?? fail();
      i += 2;
      return allowed.has(`${id} WITH ${exception}`);
    }
    return allowed.has(id);
  };
  try {
    const ok = orExpr();
    return i === tokens.length && ok;
  } catch {
    return false;
  }
}
