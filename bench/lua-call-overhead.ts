// Per-call overhead of the Lua engine (issue #17): sequential calls on one compiled script set,
// wall and CPU time per call. Run: node --import tsx bench/lua-call-overhead.ts
import { fileURLToPath } from 'node:url';
import { compileLuaScripts } from '../src/scripting/lua/compile-lua-scripts.js';
const base = { baseDir: '/tmp', pointer: '/x', scope: 'backend' as const };
const req = {
  method: 'GET',
  url: 'http://127.0.0.1:8081/p/',
  path: '/p/',
  query: { a: ['1'] },
  headers: { 'X-A': ['1'], Authorization: ['bearer x.y.z'], 'User-Agent': ['bench'] },
  body: '',
  params: { Id: '42' },
};
const data: Record<string, unknown> = {};
for (let i = 0; i < 20; i++) data['k' + i] = { id: i, name: 'n' + i, tags: ['a', 'b'] };
async function measure(label: string, fn: () => unknown, n = 5000) {
  for (let i = 0; i < 500; i++) await fn();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / n;
  console.log(`${label}: wall ${us.toFixed(1)} µs/call, cpu ${cpu.toFixed(1)} µs/call`);
}
const empty = await compileLuaScripts({ pre: '' }, base);
await measure('empty pre', () => empty.runPre(req));
const seq = await compileLuaScripts({ pre: 'local r = request.load(); r:url(r:url() .. r:params("Id"))' }, base);
await measure('sequential_3 pre', () => seq.runPre(req));
const post = await compileLuaScripts({ post: 'local d = response.load():data(); d:set("total", d:len())' }, { ...base, scope: 'proxy' });
await measure('post over 20-object data', () => post.runPost({ status: 0, headers: {}, body: '', data: data as never, isComplete: true }));
const col = await compileLuaScripts(
  { sources: ['lua/json.lua', 'lua/base64.lua', 'lua/collection.lua'], pre: 'pre_backend(request.load())', allow_open_libs: true },
  { ...base, baseDir: fileURLToPath(new URL('../test/fixtures/', import.meta.url)), openLibs: 'safe-set' },
);
const jwt =
  'bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWQiOjEsImlhdCI6MTUxNjIzOTAyMn0.X_M6O0tdAGnnqqYoV_Q4xQZeG58gth-PG7KSW96tsic';
await measure('lua_1 backend pre (3 sources, JWT decode)', () => col.runPre({ ...req, headers: { Authorization: [jwt] } }), 2000);
const t0 = performance.now();
const x = await compileLuaScripts({ pre: 'x = 1' }, base);
console.log(`compile + first VM: ${(performance.now() - t0).toFixed(1)} ms`);
for (const c of [empty, seq, post, col, x]) c.close();
