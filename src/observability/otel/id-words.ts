// Trace and span ids as 32-bit words from the CSPRNG, drawn from a pooled array (one
// getRandomValues per 16 384 words). The SDK's default generator uses Math.random() (predictable
// ids: a client that sees a few traceparents could guess others).
import { webcrypto } from 'node:crypto';

const POOL = 16384; // 64 KiB, getRandomValues' limit per call
const pool = new Uint32Array(POOL);
let at = POOL;

export function randomWord(): number {
  if (at === POOL) {
    webcrypto.getRandomValues(pool);
    at = 0;
  }
  return pool[at++];
}

/** The four (trace id) or two (span id) words of a hex id. */
export function wordsOf(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 8) out.push(parseInt(hex.slice(i, i + 8), 16) >>> 0);
  return out;
}
