// Turns a URL path (as received, percent-encoded) into path segments under a served folder, or
// refuses it. One decoding only; after it, anything that could still mean "elsewhere" is refused
// rather than interpreted: a remaining '%' (double encoding: %252e%252e), '\' (Windows
// separators), NUL and control characters, '.' and '..' segments, empty segments ('//', an
// absolute path after the prefix), hidden names ('.env', '.git'). Invalid UTF-8 — overlong
// encodings such as %c0%ae included — fails decodeURIComponent. Symlinks are checked after this,
// on the real path (serve-file.ts).

/** The decoded segments, `dir` true when the path ends with '/'; undefined: refused. */
export function safeSegments(rawRel: string): { segments: string[]; dir: boolean } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawRel);
  } catch {
    return undefined;
  }
  if (/[%\\\u0000-\u001f\u007f]/.test(decoded)) return undefined;
  const body = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const dir = body === '' || body.endsWith('/');
  const parts = body === '' ? [] : (dir ? body.slice(0, -1) : body).split('/');
  for (const p of parts) {
    if (p === '' || p.startsWith('.')) return undefined;
  }
  return { segments: parts, dir };
}
