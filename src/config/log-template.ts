// Log line templates (`custom_format`, `access_log_custom_format`): text with `%{name}` or
// `%{name:modifier}` variables, as go-logging and KrakenD EE write them. Parsed once at startup
// into parts; an unknown variable is a config error with its name (KrakenD prints it verbatim).
export type TemplatePart = string | { v: string; mod: string };

export function parseTemplate(text: string, allowed: readonly string[]): { parts: TemplatePart[] } | { error: string } {
  const parts: TemplatePart[] = [];
  const re = /%\{([A-Za-z_]+)(?::([^}]*))?\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    if (!allowed.includes(m[1])) return { error: `unknown variable %{${m[1]}} (known: ${allowed.join(', ')})` };
    parts.push({ v: m[1], mod: m[2] ?? '' });
    last = re.lastIndex;
  }
  if (last < text.length) parts.push(text.slice(last));
  // The line ends where the template ends; a trailing newline written in it is not doubled.
  const end = parts[parts.length - 1];
  if (typeof end === 'string' && end.endsWith('\n')) parts[parts.length - 1] = end.slice(0, -1);
  return { parts };
}

/** Application log variables (go-logging's, minus file and line, which Node cannot give cheaply). */
export const APP_VARS = ['time', 'level', 'message', 'module', 'pid', 'program', 'id', 'prefix', 'color'] as const;
/** Access log variables. No query string, cookie, authorization or referer: they carry secrets. */
export const ACCESS_VARS = ['prefix', 'time', 'statusCode', 'latency', 'latencyMs', 'clientIP', 'method', 'path', 'protocol', 'size', 'userAgent'] as const;
