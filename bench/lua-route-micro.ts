import { compileLuaScripts } from '../src/scripting/lua/compile-lua-scripts.js';
import { originBody } from './lib/nginx.js';
const base = { baseDir: '/tmp', pointer: '/x', scope: 'backend' as const };
const req = {
  method: 'GET',
  url: 'http://127.0.0.1:8081/',
  path: '/',
  query: {},
  headers: { 'X-Forwarded-For': ['127.0.0.1'], 'User-Agent': ['undici'], Accept: ['*/*'] },
  body: '',
  params: {},
};
const data = JSON.parse(originBody());
const c = await compileLuaScripts(
  { pre: 'local r = request.load(); r:headers("X-Lua", "1")', post: 'local d = response.load():data(); d:set("lua", true)' },
  base,
);
async function measure(label: string, fn: () => unknown, n = 4000) {
  for (let i = 0; i < 500; i++) await fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const cu = process.cpuUsage(c0);
  console.log(`${label}: cpu ${((cu.user + cu.system) / n).toFixed(1)} µs/call`);
}
for (let r = 0; r < 3; r++) {
  await measure('pre', () => c.runPre(req));
  await measure('post', () => c.runPost({ status: 0, headers: { 'Content-Type': ['application/json'] }, body: '', data, isComplete: true }, req));
}
const o = await c.runPost({ status: 0, headers: {}, body: '', data, isComplete: true }, req);
console.log(JSON.stringify(o).slice(0, 200));
c.close();
