// `rampart check`: every problem of every phase in one pass (issue #18). The load phases (JSON,
// schema, normalize and semantics) report everything they find; then, unless the document could
// not be read at all, every component is built as a dry run (no listener, no Redis, no fetch)
// from the parts the schema accepted, so the build-time refusals (CORS "*" with credentials,
// plain API keys, unreadable key files...) come in the same report. A namespace whose value the
// schema refused is not built (its build would only repeat or garble the schema's problem).
// `lint` (check --lint) reads no file named by the config: schema and semantics only.
import { ConfigError, type ConfigProblem } from '../core/config-error.js';
import { skipConfigFileReads } from '../core/config-files.js';
import { loadConfigReport } from '../config/load.js';
import type { ServiceConfig } from '../config/types.js';
import { COMPONENT_CATALOG } from '../components/load-config.js';
import { createLogger } from '../observability/logger.js';

export interface CheckReport {
  problems: ConfigProblem[];
  warnings: string[];
  /** Endpoints declared (for the "ok" line). */
  endpoints: number;
}

/** The namespace pointer a problem pointer is inside ("/endpoints/0/extra_config/x~1y"), if any. */
function namespaceOf(pointer: string): string | undefined {
  const m = /^((?:\/endpoints\/\d+(?:\/backend\/\d+)?)?\/extra_config\/[^/]+)/.exec(pointer);
  return m?.[1];
}

function extraAt(cfg: ServiceConfig, pointer: string): Record<string, unknown> | undefined {
  const m = /^(?:\/endpoints\/(\d+)(?:\/backend\/(\d+))?)?\/extra_config$/.exec(pointer);
  if (!m) return undefined;
  if (m[1] === undefined) return cfg.extra as Record<string, unknown>;
  const ep = cfg.endpoints.find((e) => e.pointer === `/endpoints/${m[1]}`);
  if (m[2] === undefined) return ep?.extra as Record<string, unknown> | undefined;
  return ep?.backends.find((b) => b.pointer === `/endpoints/${m[1]}/backend/${m[2]}`)?.extra as Record<string, unknown> | undefined;
}

/**
 * A copy of the config without what already has problems: a namespace whose value the schema
 * refused is not built (its build would repeat or garble the problem), nor a backend or an
 * endpoint whose own fields were refused (their compiled code assumes valid values). The rest
 * is built, so its problems join the report.
 */
function withoutRefused(cfg: ServiceConfig, problems: readonly ConfigProblem[]): ServiceConfig {
  const refused = new Set<string>();
  const parts = new Set<string>(); // "/endpoints/N" or "/endpoints/N/backend/M"
  for (const p of problems) {
    const ns = namespaceOf(p.pointer);
    if (ns) {
      refused.add(ns);
      continue;
    }
    const b = /^(\/endpoints\/\d+\/backend\/\d+)(\/|$)/.exec(p.pointer);
    if (b) {
      parts.add(b[1]);
      continue;
    }
    const e = /^(\/endpoints\/\d+)(\/|$)/.exec(p.pointer);
    if (e) parts.add(e[1]);
  }
  if (refused.size === 0 && parts.size === 0) return cfg;
  const copy: ServiceConfig = {
    ...cfg,
    extra: { ...cfg.extra },
    endpoints: cfg.endpoints
      .filter((e) => !parts.has(e.pointer))
      .map((e) => ({ ...e, extra: { ...e.extra }, backends: e.backends.filter((b) => !parts.has(b.pointer)).map((b) => ({ ...b, extra: { ...b.extra } })) }))
      .filter((e) => e.backends.length > 0),
  };
  for (const ns of refused) {
    const cut = ns.lastIndexOf('/');
    const extra = extraAt(copy, ns.slice(0, cut));
    if (extra)
      delete extra[
        ns
          .slice(cut + 1)
          .replace(/~1/g, '/')
          .replace(/~0/g, '~')
      ];
  }
  return copy;
}

function dedupe(list: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const k = `${p.pointer}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Checks a config text; throws ConfigError only when the text is no JSON document at all. */
export async function checkConfigText(file: string, text: string, opts: { lint?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CheckReport> {
  if (opts.lint) skipConfigFileReads();
  const r = loadConfigReport(file, text, COMPONENT_CATALOG, { lint: opts.lint, env: opts.env });
  const problems = [...r.problems];
  if (r.config) {
    const { buildGateway } = await import('./gateway.js');
    try {
      const gw = await buildGateway(withoutRefused(r.config, problems), createLogger('silent'), { dryRun: true });
      await gw.close();
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      // A throw that is not a ConfigError is a bug; it is still reported as a problem, at the
      // root, rather than crashing `check` (the fuzz tests look for these). After load problems
      // it is most likely their consequence (a value the schema refused), already reported.
      else if (r.problems.length === 0)
        problems.push({ pointer: '', message: `internal error while building the gateway: ${(err as Error)?.message ?? String(err)}` });
    }
  }
  return { problems: dedupe(problems), warnings: r.warnings, endpoints: r.config?.endpoints.length ?? 0 };
}

/** The same, read from a file (ConfigError when it cannot be read). */
export async function checkConfigFile(file: string, opts: { lint?: boolean } = {}): Promise<CheckReport> {
  const { readConfigSource, explainRendered } = await import('../config/load.js');
  const src = readConfigSource(file, process.env);
  const report = await checkConfigText(file, src.text, { ...opts, env: process.env });
  // With FC_ENABLE, a problem also names the template line that wrote it.
  return src.rendered ? { ...report, problems: explainRendered(report.problems, src.rendered) } : report;
}
