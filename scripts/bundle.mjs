// Start-up bundle: dist/rampart.js (+ dist/chunk-*.js), made from the TypeScript sources with
// esbuild. Types are checked once, by `npm run typecheck` (tsc --noEmit); nothing else runs tsc.
//
// Why: a start loaded ~200 module files (Rampart's own and its dependencies'), and on Node 20
// resolving, reading and linking each ESM/CommonJS file costs 0.5-1 ms: about half of a start's
// CPU went to the module loader. One file for what every start needs, and code splitting at
// the dynamic import()s, keeps lazy parts lazy (component runtimes, XML/YAML, Redis, the TLS
// listener): a config loads only the chunks it uses.
//
// bin/rampart runs the bundle; tests that import src/ run under tsx and never see it.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const src = fileURLToPath(new URL('../src/', import.meta.url));
mkdirSync(dist, { recursive: true });
for (const f of readdirSync(dist)) if (/^(rampart|rl-shard|chunk-[\w-]+)\.js(\.map)?$/.test(f)) rmSync(dist + f);

await build({
  // rl-shard: a rate-limit coordinator shard process (src/ratelimit/shard-main.ts), forked by the
  // primary of a node with more than 16 workers (or RAMPART_LIMIT_SHARDS > 1).
  entryPoints: { rampart: `${src}cli.ts`, 'rl-shard': `${src}ratelimit/shard-main.ts` },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  // CommonJS dependencies bundled into ESM call require() for Node built-ins: give them one.
  banner: { js: "import { createRequire as __rampartCreateRequire } from 'node:module'; const require = __rampartCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  // Optional peers some dependencies probe for with require() and never need here; wasmoon's
  // emscripten glue finds its .wasm file from its own __filename, so it stays a package import
  // (loaded only by the Lua components' chunk).
  external: ['pino-pretty', 'bufferutil', 'utf-8-validate', 'wasmoon'],
});
process.stdout.write('bundled dist/rampart.js\n');
