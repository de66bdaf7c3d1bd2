// Key ordering shared by the Go-compatible encoders (JSON, XML).
//
// Go sorts map keys with a plain byte comparison of their UTF-8 encoding.
// JavaScript's default sort compares UTF-16 code units, which agrees with
// UTF-8 byte order everywhere except when a surrogate (U+D800-U+DFFF, i.e. a
// character above U+FFFF) is compared with a BMP character in U+E000-U+FFFF:
// UTF-16 puts the surrogate first, UTF-8 puts it last. So we sort by UTF-16
// (cheap) and only fall back to a code-point comparator when a key actually
// contains a surrogate.

const SURROGATE = /[\ud800-\udfff]/;

/** Compares two strings by Unicode code point, which equals UTF-8 byte order. */
export function compareCodePoints(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates encode code points >= U+10000, above every BMP character.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Sorts in place by UTF-16 code unit order (the `<` operator). Objects are
 * usually small, and a plain insertion sort beats Array.prototype.sort's
 * generic machinery there; large arrays use the native sort.
 */
export function sortUtf16(keys: string[]): string[] {
  const n = keys.length;
  if (n > 16) return keys.sort();
  for (let i = 1; i < n; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** True when the string contains a UTF-16 surrogate (a character >= U+10000). */
export function hasSurrogate(s: string): boolean {
  return SURROGATE.test(s);
}

/** Sorts keys in place in Go's map-key order and returns the same array. */
export function sortGoKeys(keys: string[]): string[] {
  if (keys.length < 2) return keys;
  sortUtf16(keys);
  for (let i = 0; i < keys.length; i++) {
    if (SURROGATE.test(keys[i])) return keys.sort(compareCodePoints);
  }
  return keys;
}
