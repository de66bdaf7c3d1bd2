// `rampart audit -c FILE [-i IDS] [-I FILE] [-s SEVERITIES] [-f TEMPLATE] [--json]`: KrakenD's
// `krakend audit` (krakend-cobra audit.go) on any KrakenD v3 config, with Rampart's rules added.
// As KrakenD: recommendations go to stderr, one per line, `{{.Rule}}\t[{{.Severity}}]   \t{{.Message}}`;
// exit 1 when anything is reported (and on any error), 0 otherwise. `-f` takes the subset of Go
// template syntax that KrakenD's users write: `{{.Rule}}`, `{{.Severity}}`, `{{.Message}}`,
// `{{range .Recommendations}}…{{end}}` and `{{ marshal . }}`; anything else is refused by name.
import { readFileSync } from 'node:fs';
import { Doc, RULES, type Severity } from './rules.js';

const SEVERITIES: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const DEFAULT_FORMAT = '{{.Rule}}\t[{{.Severity}}]   \t{{.Message}}\n';

export interface Recommendation {
  rule: string;
  severity: Severity;
  message: string;
}

class AuditUsage extends Error {}

function parse(argv: string[]) {
  const a = {
    config: process.env.RAMPART_CONFIG as string | undefined,
    ignore: [] as string[],
    ignoreFile: undefined as string | undefined,
    severity: SEVERITIES as string[],
    format: DEFAULT_FORMAT,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new AuditUsage(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '-c':
      case '--config':
        a.config = value();
        break;
      case '-i':
      case '--ignore':
        a.ignore.push(
          ...value()
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
        break;
      case '-I':
      case '--ignore-file':
        a.ignoreFile = value();
        break;
      case '-s':
      case '--severity':
        a.severity = value()
          .split(',')
          .map((s) => s.trim().toUpperCase())
          .filter(Boolean);
        break;
      case '-f':
      case '--format':
        a.format = value().replace(/\\n/g, '\n').replace(/\\t/g, '\t');
        break;
      case '--json':
        a.json = true;
        break;
      default:
        throw new AuditUsage(`unknown option ${arg}`);
    }
  }
  if (!a.config) throw new AuditUsage('no config: pass -c FILE or set RAMPART_CONFIG');
  for (const s of a.severity) if (!SEVERITIES.includes(s as Severity)) throw new AuditUsage(`unknown severity "${s}" (use ${SEVERITIES.join(', ')})`);
  return { ...a, config: a.config }; // config narrowed to string by the check above
}

/** The recommendations for a parsed document, ignored ids and severities applied. */
export function audit(doc: unknown, ignore: readonly string[] = [], severities: readonly string[] = SEVERITIES): Recommendation[] {
  const d = new Doc(doc);
  const out: Recommendation[] = [];
  for (const r of RULES) {
    if (ignore.includes(r.id) || !severities.includes(r.severity)) continue;
    if (r.fires(d)) out.push({ rule: r.id, severity: r.severity, message: r.message });
  }
  return out;
}

function fill(text: string, r: Recommendation): string {
  return text.replace(/\{\{\s*\.(Rule|Severity|Message)\s*\}\}/g, (_m, k: string) => (k === 'Rule' ? r.rule : k === 'Severity' ? r.severity : r.message));
}

/** Renders the result with the subset of Go templates described above. */
export function render(format: string, recs: Recommendation[]): string {
  const whole = { recommendations: recs, stats: {} };
  let out = format.replace(/\{\{\s*range\s+\.Recommendations\s*\}\}([\s\S]*?)\{\{\s*end\s*\}\}/g, (_m, body: string) =>
    recs.map((r) => fill(body, r)).join(''),
  );
  out = out.replace(/\{\{\s*marshal\s+\.\s*\}\}/g, JSON.stringify(whole));
  const leftover = /\{\{[^}]*\}\}/.exec(out.replace(/\{\{\s*\.(Rule|Severity|Message)\s*\}\}/g, ''));
  if (leftover)
    throw new AuditUsage(
      `unsupported template action ${leftover[0]} (supported: {{.Rule}}, {{.Severity}}, {{.Message}}, {{range .Recommendations}}…{{end}}, {{ marshal . }})`,
    );
  // A template about one recommendation (the default) is applied to each.
  if (/\{\{\s*\.(Rule|Severity|Message)\s*\}\}/.test(out)) return recs.map((r) => fill(out, r)).join('');
  return out;
}

export function auditCommand(argv: string[]): number {
  try {
    const a = parse(argv);
    let text: string;
    try {
      text = readFileSync(a.config, 'utf8');
    } catch (err) {
      throw new AuditUsage(`${a.config}: cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new AuditUsage(`${a.config}: not valid JSON: ${(err as Error).message}`);
    }
    const ignore = [...a.ignore];
    if (a.ignoreFile) {
      try {
        ignore.push(
          ...readFileSync(a.ignoreFile, 'utf8')
            .split('\n')
            .map((l) => l.replace(/\s+/g, ''))
            .filter(Boolean),
        );
      } catch (err) {
        throw new AuditUsage(`${a.ignoreFile}: cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    const recs = audit(doc, ignore, a.severity);
    if (a.json) process.stdout.write(JSON.stringify({ recommendations: recs, stats: {} }, null, 2) + '\n');
    else process.stderr.write(render(a.format, recs));
    return recs.length > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`rampart audit: ${(err as Error).message}\n`);
    return 1;
  }
}
