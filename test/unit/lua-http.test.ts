// http_response.new against real loopback HTTP servers: only declared origins, no redirects
// followed, a timeout, a body cap; the script sees a plain response object.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeAll, compile, req } from './lua/helpers.js';

let allowed: Server, other: Server;
let A = '',
  B = '';
const hits: string[] = [];

function listen(s: Server): Promise<string> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}

before(async () => {
  allowed = createServer((rq, rs) => {
    hits.push(`${rq.method} ${rq.url} ${rq.headers['x-token'] ?? ''}`);
    if (rq.url === '/redirect') {
      rs.writeHead(302, { location: `${B}/secret` });
      rs.end();
      return;
    }
    if (rq.url === '/slow') {
      setTimeout(() => rs.end('late'), 1500).unref();
      return;
    }
    if (rq.url === '/big') {
      rs.end('x'.repeat(4096));
      return;
    }
    let body = '';
    rq.on('data', (c: Buffer) => {
      body += c.toString();
    });
    rq.on('end', () => {
      rs.writeHead(201, { 'x-answer': 'yes', 'content-type': 'text/plain' });
      rs.end(`echo:${body}`);
    });
  });
  other = createServer((rq, rs) => {
    hits.push(`OTHER ${rq.url}`);
    rs.end('leak');
  });
  A = await listen(allowed);
  B = await listen(other);
});
after(() => {
  closeAll();
  allowed.close();
  other.close();
  allowed.closeAllConnections();
  other.closeAllConnections();
});

async function run(code: string) {
  const c = await compile({ pre: `local r = request.load()\n${code}` }, { http: { allowedHosts: [A], timeoutMs: 300, maxBodyBytes: 1024 } });
  return c.runPre(req());
}

describe('http_response.new', () => {
  it('calls a declared origin and gives status, headers and body to the script', async () => {
    const r = await run(`local h = luaTable.new() h:set("X-Token", "t1")
      local res = http_response.new("${A}/echo", "POST", "hello", h)
      r:body(res:statusCode() .. "|" .. res:headers("x-answer") .. "|" .. res:body()) res:close()`);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.model.body, '201|yes|echo:hello');
    assert.ok(hits.includes('POST /echo t1'));
  });

  it('refuses an undeclared origin (another port of the same host, or a metadata IP) without a request', async () => {
    const before = hits.length;
    for (const url of [`${B}/x`, 'http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd']) {
      const r = await run(`http_response.new("${url}")`);
      assert.ok(!r.ok && r.kind === 'failure' && /host not allowed/.test(r.message), url);
    }
    assert.equal(hits.slice(before).filter((h) => h.startsWith('OTHER')).length, 0);
  });

  it('does not follow redirects: the 302 reaches the script, the other host is never called', async () => {
    const r = await run(`local res = http_response.new("${A}/redirect") r:body(res:statusCode() .. " " .. res:headers("Location"))`);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.model.body, `302 ${B}/secret`);
    assert.equal(hits.filter((h) => h.startsWith('OTHER')).length, 0);
  });

  it('times out, and caps the body', async () => {
    const t0 = Date.now();
    const slow = await run(`http_response.new("${A}/slow")`);
    assert.ok(!slow.ok && slow.kind === 'failure' && /timeout/.test(slow.message), JSON.stringify(slow));
    assert.ok(Date.now() - t0 < 1200);
    const big = await run(`http_response.new("${A}/big")`);
    assert.ok(!big.ok && big.kind === 'failure' && /too large/.test(big.message));
  });

  it('an allow-list entry that is not an http(s) URL stops startup', async () => {
    await assert.rejects(compile({ pre: 'x = 1' }, { http: { allowedHosts: ['not a url'] } }), /not an http\(s\) URL/);
  });
});
