// @ts-nocheck
import autocannon from 'autocannon';
import { startBackend } from '../helpers/backend.js';
import { startGateway } from '../helpers/gateway.js';
import { mintBenchTokens } from './helpers/bench-tokens.js';
const be = await startBackend();
const { tokens, validator } = await mintBenchTokens(1000);
const gw = await startGateway({ version: 3, host: [be.origin], extra_config: { router: { disable_access_log: true } }, endpoints: [
  { endpoint: '/plain', backend: [{ url_pattern: '/x' }] },
  { endpoint: '/jwt', backend: [{ url_pattern: '/x' }], extra_config: { 'auth/validator': validator } },
] }, { env: { RAMPART_LOG_LEVEL: 'info' } });
async function run(path, auth) {
  let i = 0;
  return autocannon({ url: gw.url + path, connections: 32, duration: Number(process.env.D ?? 5),
    requests: [{ setupRequest: (req) => { req.headers = { ...req.headers, ...(auth ? { authorization: 'Bearer ' + tokens[i++ % tokens.length] } : { 'x-noop': 'x' }) }; return req; } }] });
}
await run('/jwt', true);
const rp = [], rj = [], rph = [];
for (let round = 0; round < Number(process.env.R ?? 4); round++) {
  const p = await run('/plain', false); const ph = await run('/plain', true); const j = await run('/jwt', true);
  rp.push(p.requests.average); rph.push(ph.requests.average); rj.push(j.requests.average);
  console.log(`round ${round}: plain ${p.requests.average} | plain+same header ${ph.requests.average} | jwt ${j.requests.average} | non2xx ${p.non2xx}/${ph.non2xx}/${j.non2xx}`);
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`median: plain ${med(rp)}, plain+header ${med(rph)}, jwt ${med(rj)}; jwt/plain ${(med(rj) / med(rp)).toFixed(3)}, jwt/plain+header ${(med(rj) / med(rph)).toFixed(3)}`);
await gw.stop(); await be.close();
