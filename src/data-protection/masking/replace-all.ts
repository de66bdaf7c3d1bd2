// Go's Regexp.ReplaceAllString on re2js (linear time): the same match positions, including
// Go's rule that an empty match right after a previous match is not replaced, and always
// advancing at least one character. Output is linear in the input: matches do not overlap and
// each one copies at most its own groups plus the template's literal text.
import type { LinearRegExp, TemplatePart } from './types.js';

export function goReplaceAll(re: LinearRegExp, src: string, parts: readonly TemplatePart[]): string {
  const m = re.matcher(src);
  let out = '';
  let lastEnd = 0;
  let pos = 0;
  while (pos <= src.length && m.find(pos)) {
    const start = m.start();
    const end = m.end();
    out += src.slice(lastEnd, start);
    if (end > lastEnd || start === 0) {
      for (const p of parts) out += typeof p === 'string' ? p : (m.group(p) ?? '');
    }
    lastEnd = end;
    const width = pos < src.length ? ((src.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1) : 1;
    pos = pos + width > end ? pos + width : end;
  }
  return out + src.slice(lastEnd);
}
