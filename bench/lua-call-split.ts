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
const small = { method: 'GET', url: '', path: '/', query: {}, headers: {}, body: '', params: {} };
const data = JSON.parse(originBody());
const e = await compileLuaScripts({ pre: '', post: '' }, base);
const d = await compileLuaScripts({ pre: '', post: 'local d = response.load():data()' }, base);
const c = await compileLuaScripts(
  { pre: 'local r = request.load(); r:headers("X-Lua", "1")', post: 'local d = response.load():data(); d:set("lua", true)' },
  base,
);
async function measure(label: string, fn: () => unknown, n = 3000) {
  for (let i = 0; i < 300; i++) await fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const cu = process.cpuUsage(c0);
  console.log(`${label}: cpu ${((cu.user + cu.system) / n).toFixed(1)} µs/call`);
}
const resp = { status: 0, headers: { 'Content-Type': ['application/json'] }, body: '', data, isComplete: true };
for (let r = 0; r < 2; r++) {
  await measure('empty pre small req', () => e.runPre(small));
  await measure('empty pre', () => e.runPre(req));
  await measure('empty post', () => e.runPost(resp));
  await measure('post data() only', () => d.runPost(resp));
  await measure('pre', () => c.runPre(req));
  await measure('post', () => c.runPost(resp));
}
process.exit(0);
