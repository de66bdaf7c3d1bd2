// Where a config's JSON text is broken, as FILE:LINE:COLUMN. V8's JSON.parse says "Unexpected end
// of JSON input" or quotes a snippet, with no line or column (Node 20), which is no help in a
// 500-line config. This scanner runs only after JSON.parse has failed; it accepts exactly the
// RFC 8259 grammar JSON.parse accepts and stops at the first byte that does not fit. Iterative
// (an explicit stack), so no input nests deep enough to overflow the call stack.

export interface JsonSyntaxError {
  /** Offset in UTF-16 code units into the text. */
  offset: number;
  line: number;
  /** 1-based, counted in characters (code points) from the start of the line. */
  column: number;
  message: string;
}

const ARRAY = 0;
const OBJECT = 1;
type Mode = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'after';

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Where `offset` sits: 1-based line and column (in code points). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  let column = 1;
  for (let i = lineStart; i < offset; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < offset) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    column++;
  }
  return { line, column };
}

function shown(text: string, i: number): string {
  if (i >= text.length) return 'end of input';
  const cp = text.codePointAt(i);
  if (cp === undefined) return 'end of input'; // only past the end, checked above
  if (cp < 0x20 || cp === 0x7f || cp === 0xfeff) return `character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(String.fromCodePoint(cp));
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  const stack: number[] = [];
  let i = 0;
  let mode: Mode = 'value';
  const fail = (at: number, message: string): JsonSyntaxError => ({ offset: at, ...lineColumn(text, at), message });
  const unexpected = (what: string) => fail(i, `unexpected ${shown(text, i)}, ${what}`);

  // Scans a string starting at text[i] === '"'; returns an error or moves i past the closing quote.
  const scanString = (): JsonSyntaxError | undefined => {
    const start = i;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail(i, `${shown(text, i)} inside a string (write it escaped, e.g. \\n)`);
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75 /* u */) {
          for (let k = 2; k < 6; k++) if (!isHex(text.charCodeAt(i + k))) return fail(i, 'invalid \\u escape: want four hex digits');
          i += 6;
          continue;
        }
        if ('"\\/bfnrt'.includes(text[i + 1] ?? 'x')) {
          i += 2;
          continue;
        }
        return fail(i, `invalid escape ${i + 1 < n ? JSON.stringify('\\' + text[i + 1]) : 'at end of input'}`);
      }
      i++;
    }
    return fail(start, 'unterminated string (no closing quote)');
  };

  const scanNumber = (): JsonSyntaxError | undefined => {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) i++;
    else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
    else return unexpected('a digit was expected');
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(text.charCodeAt(i))) return unexpected('a digit was expected after "."');
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      if (!isDigit(text.charCodeAt(i))) return unexpected('a digit was expected in the exponent');
      while (isDigit(text.charCodeAt(i))) i++;
    }
    return undefined;
  };

  for (;;) {
    while (i < n && isWs(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(i); // NaN at the end
    switch (mode) {
      case 'valueOrEnd':
        if (c === 0x5d /* ] */) {
          i++;
          stack.pop();
          mode = 'after';
          continue;
        }
        mode = 'value'; // not the end: the same character read as a value
        continue;
      case 'value': {
        if (c === 0x7b /* { */) {
          stack.push(OBJECT);
          i++;
          mode = 'keyOrEnd';
          continue;
        }
        if (c === 0x5b /* [ */) {
          stack.push(ARRAY);
          i++;
          mode = 'valueOrEnd';
          continue;
        }
        mode = 'after';
        if (c === 0x22) {
          const e = scanString();
          if (e) return e;
          continue;
        }
        if (c === 0x2d || isDigit(c)) {
          const e = scanNumber();
          if (e) return e;
          continue;
        }
        const lit = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
        if (lit) {
          i += lit.length;
          continue;
        }
        return unexpected(i >= n ? 'a value was expected (the file is cut short?)' : 'a value was expected');
      }
      case 'keyOrEnd':
        if (c === 0x7d /* } */) {
          i++;
          stack.pop();
          mode = 'after';
          continue;
        }
        mode = 'key';
        continue;
      case 'key': {
        if (c !== 0x22) return unexpected('a "quoted" property name was expected');
        const e = scanString();
        if (e) return e;
        while (i < n && isWs(text.charCodeAt(i))) i++;
        if (text.charCodeAt(i) !== 0x3a /* : */) return unexpected('":" was expected after the property name');
        i++;
        mode = 'value';
        continue;
      }
      case 'after': {
        if (stack.length === 0) return i < n ? unexpected('the JSON value has already ended') : undefined;
        const top = stack[stack.length - 1];
        if (c === 0x2c /* , */) {
          i++;
          mode = top === OBJECT ? 'key' : 'value';
          continue;
        }
        if ((top === ARRAY && c === 0x5d) || (top === OBJECT && c === 0x7d)) {
          i++;
          stack.pop();
          continue;
        }
        return unexpected(top === OBJECT ? '"," or "}" was expected' : '"," or "]" was expected');
      }
    }
  }
}
