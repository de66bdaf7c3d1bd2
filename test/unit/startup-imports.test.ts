// What a start loads before it listens: the static import graph of src/cli.ts, plus what a
// serving process imports next (the config loader, server/run.ts, the gateway and listener); and
// what a cluster primary loads before it forks (cli.ts and server/primary.ts only). Module loading is most of the
// start-up time, so the component runtimes and their heavy dependencies stay out of it, imported
// on first use (ComponentSpec.load).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPONENTS } from '../../src/components/registry.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Packages that only component runtimes (or build scripts) may load: each costs a start tens of
 * milliseconds, used or not. */
const HEAVY = [
  'jose',
  'ioredis',
  'bcryptjs',
  'maxmind',
  'lru-cache',
  'ajv',
  'ajv-formats',
  'ajv-draft-04',
  '@marcbachmann/cel-js',
  're2js',
  'typescript',
  'yaml',
  'fast-xml-parser',
];

/** True when an import clause binds types only (TypeScript drops the whole import). */
function typeOnly(clause: string): boolean {
  if (/^type\s/.test(clause)) return true;
  const named = /^\{([^}]*)\}$/s.exec(clause.trim());
  return named !== null && named[1].split(',').every((s) => s.trim() === '' || /^type\s/.test(s.trim()));
}

interface Graph {
  /** src-relative paths of every module reached through static imports. */
  modules: Set<string>;
  /** Bare package names imported (with a value) by those modules, with one importer each. */
  packages: Map<string, string>;
  /** src-relative targets of the dynamic import()s found in those modules. */
  lazy: Set<string>;
}

function staticGraph(entries: string[]): Graph {
  const g: Graph = { modules: new Set(), packages: new Map(), lazy: new Set() };
  const queue = entries.map((e) => resolve(SRC, e));
  const toTs = (from: string, spec: string) => resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
  while (queue.length > 0) {
    const file = queue.shift()!;
    const rel = relative(SRC, file);
    if (g.modules.has(rel)) continue;
    g.modules.add(rel);
    const src = readFileSync(file, 'utf8');
    // Top-level `import ... from`, `export ... from` and side-effect imports, one statement each.
    for (const m of src.matchAll(/^(?:import|export)\s+(?:([^;'"]*?)\s+from\s+)?['"]([^'"]+)['"]/gm)) {
      const [, clause, spec] = m;
      if (clause !== undefined && typeOnly(clause)) continue;
      if (spec.startsWith('.')) queue.push(toTs(file, spec));
      else if (!spec.startsWith('node:') && !g.packages.has(spec)) g.packages.set(spec, rel);
    }
    for (const m of src.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)) g.lazy.add(relative(SRC, toTs(file, m[1])));
  }
  return g;
}

describe('start-up imports', () => {
  const SERVE = ['components/load-config.ts', 'server/run.ts', 'server/gateway.ts', 'server/listen.ts'];
  // (cli.ts alone is covered by the primary's graph, which includes it.)
  const primary = staticGraph(['cli.ts', 'server/primary.ts']);
  const g = staticGraph(['cli.ts', ...SERVE]);

  it('the walk finds the registry, every component spec and the gateway', () => {
    for (const m of ['components/registry.ts', 'components/auth/validator/schema.ts', 'components/qos/redis/schema.ts', 'router/route-table.ts']) {
      assert.ok(g.modules.has(m), `${m} not reached: the import scan is broken`);
    }
    assert.ok(g.packages.has('pino') && g.packages.has('find-my-way'), 'pino or find-my-way not reached: the import scan is broken');
  });

  it('a cluster primary loads neither the config validators, the logger nor the gateway before it forks', () => {
    assert.deepEqual(
      SERVE.filter((m) => primary.modules.has(m)),
      [],
    );
    for (const p of ['undici', 'pino', 'find-my-way']) assert.equal(primary.packages.has(p), false, `${p} reached from cli.ts or server/primary.ts`);
    assert.ok(primary.lazy.has('observability/logger.ts'), 'the primary should import the logger after forking');
  });

  it('loads no heavy package before the config asks for it', () => {
    const found = HEAVY.filter((p) => g.packages.has(p)).map((p) => `${p} (imported by ${g.packages.get(p)})`);
    assert.deepEqual(found, []);
  });

  it('keeps every lazily imported module out of the static graph', () => {
    assert.ok(g.lazy.size > 10, 'no component runtime found: the import scan is broken');
    // The primary's own lazy imports are there for the primary (loaded after it forks), even
    // where a serving process imports the same module statically.
    const eager = [...g.lazy].filter((m) => g.modules.has(m) && !SERVE.includes(m) && !primary.lazy.has(m));
    assert.deepEqual(eager, [], 'imported statically, so loading it lazily saves nothing');
  });

  it('keeps component runtimes (component.ts) out of the registry', () => {
    const runtimes = [...g.modules].filter((m) => m.startsWith('components/') && m.endsWith('/component.ts'));
    assert.deepEqual(runtimes, []);
  });
});

describe('component runtimes', () => {
  it('every load() resolves a module with a build function', async () => {
    for (const c of COMPONENTS) {
      if (!c.load) continue;
      const runtime = await c.load();
      assert.equal(typeof runtime.build, 'function', `${c.namespace}: load() gave no build`);
    }
  });

  it('only config-only namespaces have no runtime', () => {
    const none = COMPONENTS.filter((c) => !c.load).map((c) => c.namespace);
    assert.deepEqual(none.sort(), [
      'backend/http',
      'documentation/openapi',
      'documentation/postman',
      'proxy',
      'qos/server-limits',
      'router',
      'telemetry/gelf',
      'telemetry/influx',
      'telemetry/logging',
      'telemetry/logstash',
      'telemetry/metrics',
      'telemetry/opencensus',
      'telemetry/opentelemetry',
      'telemetry/opentelemetry-security',
    ]);
  });
});
