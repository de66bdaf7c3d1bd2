// Where a JSON pointer's value starts in a JSON text (line and column), for problems found in
// a rendered flexible configuration: the rendered text has no file a person edits, so the
// message names the line and, through the render's line map, the template line behind it.
// Called only on text JSON.parse accepted; stops at the deepest part of the pointer present.

const MAX_DEPTH = 200;

export function locatePointer(text: string, pointer: string): { line: number; column: number } {
  const keys =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const skipString = () => {
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const readString = (): string => {
    const start = i;
    skipString();
    return JSON.parse(text.slice(start, i)) as string;
  };
  // Skips one value (iteratively over brackets).
  const skipValue = () => {
    let depth = 0;
    do {
      ws();
      const c = text[i];
      if (c === '"') skipString();
      else if (c === '{' || c === '[') {
        depth++;
        i++;
      } else if (c === '}' || c === ']') {
        depth--;
        i++;
      } else if (c === ',' || c === ':') i++;
      else while (i < text.length && !' \t\r\n,:]}'.includes(text[i])) i++;
    } while (depth > 0 && i < text.length);
  };
  ws();
  let found = i;
  for (let d = 0; d < keys.length && d < MAX_DEPTH; d++) {
    const want = keys[d];
    const c = text[i];
    let hit = false;
    if (c === '{') {
      i++;
      for (;;) {
        ws();
        if (text[i] === '}' || i >= text.length) break;
        const k = readString();
        ws();
        i++; // ':'
        ws();
        if (k === want) {
          hit = true;
          break;
        }
        skipValue();
        ws();
        if (text[i] === ',') i++;
      }
    } else if (c === '[' && /^\d+$/.test(want)) {
      i++;
      for (let n = 0; ; n++) {
        ws();
        if (text[i] === ']' || i >= text.length) break;
        if (n === Number(want)) {
          hit = true;
          break;
        }
        skipValue();
        ws();
        if (text[i] === ',') i++;
      }
    }
    if (!hit) break;
    found = i;
  }
  const before = text.slice(0, found);
  const line = before.split('\n').length;
  return { line, column: found - before.lastIndexOf('\n') };
}
