// The three formats of `rampart surface`: text (for a terminal or a pull-request comment), JSON
// (for tools, and as an OLD input to --diff), and one self-contained HTML page (inline CSS, no
// script, every value escaped) for review in a browser.
import type { Change } from './diff.js';
import type { EndpointSurface, Surface } from './model.js';

const who = (e: EndpointSurface) => (e.callers.length ? e.callers.map((c) => `${c.kind} (${c.detail})`).join(' + ') : 'ANYONE (no authentication)');

export function renderText(s: Surface, changes?: Change[]): string {
  const lines: string[] = [`${s.file}: ${s.endpoints.length} endpoints on ${s.listener}, ${s.tls}`, ''];
  for (const e of s.endpoints) {
    lines.push(`${e.key}`);
    lines.push(`  callers:  ${who(e)}`);
    if (e.filters.length) lines.push(`  filters:  ${e.filters.join('; ')}`);
    lines.push(`  headers:  ${e.headers.join(', ')}`);
    lines.push(`  query:    ${e.query.join(', ') || 'none'}`);
    lines.push(`  cookies:  ${e.cookies}`);
    lines.push(`  limits:   ${e.limits.join('; ')}`);
    if (e.corsOrigins.length) lines.push(`  cors:     ${e.corsOrigins.join(', ')}`);
    for (const b of e.backends)
      lines.push(`  → ${b.method} ${b.hosts.join(' | ')}${b.urlPattern} (headers ${b.headers.join(', ') || 'none'}; query ${b.query.join(', ') || 'none'})`);
    lines.push('');
  }
  if (changes) {
    lines.push(`changes: ${changes.filter((c) => c.effect === 'opens').length} open, ${changes.filter((c) => c.effect === 'closes').length} close`);
    for (const c of changes) lines.push(`  ${c.effect === 'opens' ? '+ OPENS ' : '- closes'}  ${c.endpoint}: ${c.what}`);
  }
  return lines.join('\n') + '\n';
}

export function renderJson(s: Surface, changes?: Change[]): string {
  return JSON.stringify(changes ? { ...s, changes } : s, null, 2) + '\n';
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (v: string) => v.replace(/[&<>"']/g, (c) => ENTITIES[c]);

export function renderHtml(s: Surface, changes?: Change[]): string {
  const rows = s.endpoints
    .map(
      (e) => `<tr class="${e.callers.length ? 'auth' : 'public'}" data-endpoint="${esc(e.key)}">
<td class="ep"><code>${esc(e.method)}</code> <code>${esc(e.path)}</code></td>
<td>${e.callers.length ? e.callers.map((c) => `<span class="badge">${esc(c.kind)}</span> ${esc(c.detail)}`).join('<br>') : '<span class="badge open">public</span>'}${e.filters.map((f) => `<br><span class="filter">${esc(f)}</span>`).join('')}</td>
<td>${esc(e.headers.join(', '))}<br><small>query: ${esc(e.query.join(', ') || 'none')}; cookies: ${esc(e.cookies)}</small></td>
<td>${e.limits.map(esc).join('<br>')}</td>
<td>${esc(e.corsOrigins.join(', ') || '—')}</td>
<td>${e.backends.map((b) => `<code>${esc(b.method)} ${esc(b.hosts.join(' | '))}${esc(b.urlPattern)}</code>`).join('<br>')}</td>
</tr>`,
    )
    .join('\n');
  const diff = changes
    ? `<h2>Changes</h2><ul class="changes">${changes.map((c) => `<li class="${c.effect}"><strong>${c.effect === 'opens' ? 'opens' : 'closes'}</strong> <code>${esc(c.endpoint)}</code>: ${esc(c.what)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Rampart attack surface: ${esc(s.file)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}tr.public td.ep{border-left:4px solid #c00}tr.auth td.ep{border-left:4px solid #080}
.badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#e6f0ff;font-size:12px}.badge.open{background:#fdd;color:#900;font-weight:bold}
.filter{color:#555;font-size:12px}.changes li.opens{color:#900}.changes li.closes{color:#060}code{font-size:12px}
</style></head><body>
<h1>Attack surface</h1>
<p id="summary">${esc(s.file)}: ${s.endpoints.length} endpoints on ${esc(s.listener)}, ${esc(s.tls)}; ${s.endpoints.filter((e) => !e.callers.length).length} without authentication.</p>
${diff}
<table id="endpoints"><thead><tr><th>Endpoint</th><th>Who may call</th><th>Client input forwarded</th><th>Limits</th><th>CORS origins</th><th>Backends reached</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
