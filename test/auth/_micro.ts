import { validatorComponent } from '../../src/components/auth/validator/component.js';
import { mintBenchTokens } from './helpers/bench-tokens.js';
import pino from 'pino';
const { tokens, validator } = await mintBenchTokens(1000);
const shared = new Map();
const env: any = { scope: 'endpoint', pointer: '/x', service: { extra: {} }, endpoint: { method: 'GET', path: '/jwt' }, log: pino({ level: 'info' }), shared: { get: (k: string, c: () => any) => shared.get(k) ?? (shared.set(k, c()), shared.get(k)), onClose() {} }, siblings: {} };
const stage: any = await validatorComponent.build!(validator, env);
const ctxs = tokens.map((t) => ({ req: { headers: { authorization: 'Bearer ' + t } }, claims: undefined, upstreamHeaders: undefined, locals: new Map() }));
let t0 = performance.now();
for (const c of ctxs) { const r = await stage.onRequest(c); if (r) throw new Error('rejected ' + r.status); }
console.log('first pass (verify) per token µs', ((performance.now() - t0) * 1000 / ctxs.length).toFixed(1));
for (let round = 0; round < 3; round++) {
  t0 = performance.now();
  const N = 1_000_000;
  for (let i = 0; i < N; i++) { const r = stage.onRequest(ctxs[i % 1000]); if (r) throw new Error('x'); }
  console.log('cache hit ns/op', ((performance.now() - t0) * 1e6 / N).toFixed(0));
}
