// "No secret in any log line": every token, key, password or cookie value a test used must be
// absent from the gateway's output (and from the bodies it answered).
import assert from 'node:assert/strict';

export function assertNoSecrets(text: string, secrets: string[], where = 'gateway output'): void {
  for (const s of secrets) {
    if (!s) continue;
    assert.ok(!text.includes(s), `${where} contains a secret (${s.slice(0, 12)}…)`);
    // The signature part of a JWT alone is enough to be a leak.
    const sig = s.split('.')[2];
    if (sig && sig.length > 20) assert.ok(!text.includes(sig), `${where} contains a token signature`);
  }
}

/** Polls until fn() is true or the time is up (bounded; for cross-node propagation). */
export async function eventually(fn: () => Promise<boolean> | boolean, ms = 3000, step = 50): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, step));
  }
}
